/**
 * Loading the data files: a bad file is rejected with an error that names the file,
 * the path inside it (e.g. tasks[3].due.type) and the problem.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ZodType, ZodTypeDef } from 'zod';
import { calendarProblems } from './calendar';
import { calendarSchema, templateSchema, type Calendar, type Template } from './schema';

export class DataFileError extends Error {
  override name = 'DataFileError';
  constructor(
    readonly file: string,
    readonly problems: Array<{ path: string; message: string }>,
  ) {
    super(`${file}: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`);
  }
}

export interface Loaded<T> {
  data: T;
  /** sha256 of the file's bytes, to detect a changed file under the same id and version */
  sha256: string;
  text: string;
}

function formatPath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

/** Parses JSON text against a schema; `file` names the source in errors. */
export function parseDataText<T>(file: string, text: string, schema: ZodType<T, ZodTypeDef, unknown>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DataFileError(file, [{ path: '', message: `not valid JSON (${(e as Error).message})` }]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new DataFileError(
      file,
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  return parsed.data;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataFileError(file, [{ path: '', message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }]);
  }
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export function parseTemplate(file: string, text: string): Template {
  return parseDataText(file, text, templateSchema);
}

export function parseCalendar(file: string, text: string): Calendar {
  const cal = parseDataText(file, text, calendarSchema);
  const problems = calendarProblems(cal);
  if (problems.length) throw new DataFileError(file, problems);
  return cal;
}

export function loadTemplateFile(file: string): Loaded<Template> {
  const text = readText(file);
  return { data: parseTemplate(file, text), sha256: sha(text), text };
}

export function loadCalendarFile(file: string): Loaded<Calendar> {
  const text = readText(file);
  return { data: parseCalendar(file, text), sha256: sha(text), text };
}
