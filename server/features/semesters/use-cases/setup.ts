/**
 * Semester use cases: register the data files, create a semester, read its checklist version.
 * Starting twice is a no-op (deterministic workflow ids and conflict policies): see start.ts.
 */
import { createHash } from 'node:crypto';
import { TASK_MODELS, type Semester, type Store, type TaskModel } from '../../../../db/store';
import { loadCalendarFile, loadTemplateFile, parseCalendar, parseTemplate } from '../../../../domain/load';
import { keyCareMonths, planSemester } from '../../../../domain/planner';
import type { Calendar, Template, TemplateTask } from '../../../../domain/schema';
import { AppError, NotFoundError } from '../../../platform/errors';

export { NotFoundError } from '../../../platform/errors';

/** A task model that is not one of TASK_MODELS (answered 400 by the web layer, exit 2 by the CLI). */
export class TaskModelError extends AppError {
  override name = 'TaskModelError';
  /** the web layer answers 400 with the message (server/app.ts classify) */
  readonly status = 400;
}

/**
 * The task model of a new semester: the one asked for, else TASK_MODEL from the environment, else
 * 'ladder' (ADR 0005: one workflow per college, the model that scales). A semester keeps its model
 * for life (semesters created before the ladder existed stay 'per-task'); anything else is refused
 * by name.
 */
export function taskModelOf(asked: string | undefined, env: NodeJS.ProcessEnv = process.env): TaskModel {
  const value = asked ?? (env.TASK_MODEL?.trim() || undefined) ?? 'ladder';
  if (!(TASK_MODELS as readonly string[]).includes(value)) {
    throw new TaskModelError(
      `${asked === undefined ? 'TASK_MODEL' : 'task model'}: must be one of ${TASK_MODELS.join(', ')}, got "${value}"`,
    );
  }
  return value as TaskModel;
}

/** Validates a template and a calendar file, plans them once as a check, and stores both. */
export async function registerDataFiles(
  store: Store,
  files: { templateFile: string; calendarFile: string },
): Promise<{ template: Template; calendar: Calendar }> {
  return storeData(store, loadTemplateFile(files.templateFile), loadCalendarFile(files.calendarFile));
}

/** The same for uploaded texts (`name` is what errors call the file). */
export async function registerDataTexts(
  store: Store,
  files: { template: { name: string; text: string }; calendar: { name: string; text: string } },
): Promise<{ template: Template; calendar: Calendar }> {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const template = {
    data: parseTemplate(files.template.name, files.template.text),
    text: files.template.text,
    sha256: sha(files.template.text),
  };
  const calendar = {
    data: parseCalendar(files.calendar.name, files.calendar.text),
    text: files.calendar.text,
    sha256: sha(files.calendar.text),
  };
  return storeData(store, template, calendar);
}

async function storeData(
  store: Store,
  template: { data: Template; text: string; sha256: string },
  calendar: { data: Calendar; text: string; sha256: string },
): Promise<{ template: Template; calendar: Calendar }> {
  // a template whose tasks cannot be dated against this calendar is refused before anything is stored
  planSemester({ semesterId: 'check', template: template.data, calendar: calendar.data, colleges: [{ id: 'check' }] });
  await store.saveTemplate({
    id: template.data.id,
    version: template.data.version,
    kind: template.data.kind,
    titleZh: template.data.title.zh,
    titleEn: template.data.title.en,
    body: template.text,
    sha256: template.sha256,
  });
  await store.saveCalendar({
    id: calendar.data.id,
    nameZh: calendar.data.name.zh,
    body: calendar.text,
    sha256: calendar.sha256,
  });
  return { template: template.data, calendar: calendar.data };
}

export async function createSemester(
  store: Store,
  s: {
    id: string;
    schoolId: string;
    templateId: string;
    templateVersion: number;
    calendarId: string;
    taskModel?: string;
  },
): Promise<void> {
  const taskModel = taskModelOf(s.taskModel);
  if (!(await store.getSchool(s.schoolId))) throw new NotFoundError(`unknown school ${s.schoolId}`);
  if (!(await store.getTemplate(s.templateId, s.templateVersion)))
    throw new NotFoundError(`unknown template ${s.templateId} v${s.templateVersion}`);
  if (!(await store.getCalendar(s.calendarId))) throw new NotFoundError(`unknown calendar ${s.calendarId}`);
  const existing = await store.getSemester(s.id);
  if (existing) return;
  await store.upsertSemester({ ...s, taskModel });
}

/** The semester's checklist version, parsed once per process. */
const templates = new Map<string, Template>();
export async function templateOf(store: Store, semester: Semester): Promise<Template> {
  const key = `${semester.templateId}@${semester.templateVersion}`;
  let tpl = templates.get(key);
  if (!tpl) {
    const row = await store.getTemplate(semester.templateId, semester.templateVersion);
    if (!row) throw new NotFoundError(`template ${key} is missing`);
    tpl = parseTemplate(`template ${key}`, row.body);
    templates.set(key, tpl);
  }
  return tpl;
}

export async function templateTaskOf(
  store: Store,
  semester: Semester,
  templateTaskId: string,
): Promise<TemplateTask | undefined> {
  return (await templateOf(store, semester)).tasks.find((x) => x.id === templateTaskId);
}

/** The key-care groups of the semester's checklist, each under the month (YYYY-MM) it has in the semester's calendar. */
export async function keyCareMonthsOf(store: Store, semester: Semester): Promise<ReturnType<typeof keyCareMonths>> {
  const row = await store.getCalendar(semester.calendarId);
  if (!row) throw new NotFoundError(`calendar ${semester.calendarId} is missing`);
  return keyCareMonths(await templateOf(store, semester), parseCalendar(`calendar ${row.id}`, row.body));
}
