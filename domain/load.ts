/**
 * Loading the data files: a bad file is rejected with an error that names the file,
 * the path inside it (e.g. tasks[3].due.type) and the problem.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { z } from './zod';
import { calendarProblems } from './calendar';
import {
  calendarSchema,
  legacyTemplateSchema,
  templateSchema,
  type Calendar,
  type LegacyTemplate,
  type Template,
} from './schema';

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

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)),
    '',
  );
}

/** Parses JSON text against a schema; `file` names the source in errors. */
export function parseDataText<T>(file: string, text: string, schema: z.ZodType<T>): T {
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
    throw new DataFileError(file, [
      { path: '', message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` },
    ]);
  }
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A checklist in either form: the year-free form (`"format": 2`), or the year-bound form that
 * templates had before (no `format`; months YYYY-MM), upgraded by `upgradeLegacyTemplate`. Stored
 * template versions are immutable and a running semester keeps its version, so both stay readable.
 */
export function parseTemplate(file: string, text: string): Template {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DataFileError(file, [{ path: '', message: `not valid JSON (${(e as Error).message})` }]);
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && !('format' in raw)) {
    return upgradeLegacyTemplate(file, parseDataText(file, text, legacyTemplateSchema));
  }
  return parseDataText(file, text, templateSchema);
}

/**
 * The year-bound form read as a year-free checklist: each month YYYY-MM becomes its month of the
 * year; a holiday id is looked up as a kind first, then as the calendar's id, so the plan against
 * the calendar it was written for is the same, date for date. Months of two different years that
 * share a month of the year cannot be told apart and are refused.
 */
export function upgradeLegacyTemplate(file: string, t: LegacyTemplate): Template {
  const monthOf = (key: string) => Number(key.slice(5, 7));
  const problems: Array<{ path: string; message: string }> = [];
  const firstYear = new Map<number, string>();
  const note = (key: string | undefined, path: string) => {
    if (!key) return;
    const prev = firstYear.get(monthOf(key));
    if (prev && prev !== key)
      problems.push({
        path,
        message: `months ${prev} and ${key} are the same month of the year: the year-free form cannot tell them apart`,
      });
    else firstYear.set(monthOf(key), key);
  };
  t.months.forEach((m, i) => note(m.month, `months[${i}].month`));
  t.tasks.forEach((x, i) => note(x.month, `tasks[${i}].month`));
  if (problems.length) throw new DataFileError(file, problems);
  return {
    ...t,
    format: 2,
    months: t.months.map((m) => ({ ...m, month: monthOf(m.month) })),
    tasks: t.tasks.map(({ month, ...x }) => ({
      ...x,
      ...(month ? { month: monthOf(month) } : {}),
      due: x.due.type === 'before-holiday' ? { ...x.due, ifMissing: {} } : x.due,
    })),
  };
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
