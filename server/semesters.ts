/**
 * Semester use cases: register the data files, create a semester, start its workflows.
 * Starting twice is a no-op (deterministic workflow ids and conflict policies).
 */
import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { integrityOf, replaceForgedRun } from '../codec/signing';
import { TASK_MODELS, type Semester, type Store, type TaskModel } from '../db/store';
import { createHash } from 'node:crypto';
import { loadCalendarFile, loadTemplateFile, parseCalendar, parseTemplate } from '../domain/load';
import { planSemester } from '../domain/planner';
import type { Calendar, Template, TemplateTask } from '../domain/schema';
import { collegeLadderWorkflowId, collegeSemesterWorkflowId, semesterWorkflowId } from '../workflows/ids';
import { collegeLadderWorkflow, ladderReplanUpdate, type LadderReplanResult } from '../workflows/college-ladder';
import { collegeSemesterWorkflow } from '../workflows/college-semester';
import { addCollegeUpdate, semesterWorkflow } from '../workflows/semester';
import { AppError, NotFoundError as AppNotFoundError } from './platform/errors';

export class NotFoundError extends AppNotFoundError {
  override name = 'NotFoundError';
}

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

/** Starts the semester workflow (no-op when it already runs) and marks the semester running. */
export async function startSemester(
  client: Client,
  store: Store,
  semesterId: string,
  taskQueue: string,
  opts: { searchAttributes?: boolean } = {},
): Promise<{ workflowId: string; runId: string }> {
  const semester = await store.getSemester(semesterId);
  if (!semester) throw new NotFoundError(`unknown semester ${semesterId}`);
  const colleges = await store.listColleges(semester.schoolId);
  const workflowId = semesterWorkflowId(semesterId);
  const start = () =>
    client.workflow.start(semesterWorkflow, {
      workflowId,
      taskQueue,
      // the per-task model adds nothing to the input, so its starts are as before
      args: [
        {
          semesterId,
          collegeIds: colleges.map((c) => c.id),
          searchAttributes: opts.searchAttributes ?? true,
          ...(semester.taskModel === 'ladder' ? { taskModel: 'ladder' as const } : {}),
        },
      ],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      // a run terminated or failed may be started again; a completed semester never
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
  let handle = await start();
  // a run under the semester's id that the app did not start is not taken for the real one
  const integrity = integrityOf(client);
  if (
    integrity &&
    (await replaceForgedRun(client, workflowId, integrity, (problem, runId) =>
      forgedAudit(store, 'semester', semesterId, workflowId, runId, problem),
    ))
  )
    handle = await start();
  if (semester.status === 'planned')
    await store.setSemesterStatus(semesterId, 'running', { workflowId, startedAt: Date.now() });
  return { workflowId, runId: handle.firstExecutionRunId };
}

/**
 * Starts one college's semester (a college added mid-semester). The running semester workflow is
 * told by signal; if it has ended, the college-semester is started on its own. Idempotent.
 */
export async function startCollege(
  client: Client,
  store: Store,
  semesterId: string,
  collegeId: string,
  taskQueue: string,
): Promise<{ workflowId: string }> {
  const semester = await store.getSemester(semesterId);
  if (!semester) throw new NotFoundError(`unknown semester ${semesterId}`);
  const college = await store.getCollege(collegeId);
  if (!college || college.schoolId !== semester.schoolId)
    throw new NotFoundError(`unknown college ${collegeId} in the school of semester ${semesterId}`);
  if (semester.status === 'planned')
    throw new NotFoundError(`semester ${semesterId} has not been started; start it first`);
  const ladder = semester.taskModel === 'ladder';
  const workflowId = ladder
    ? collegeLadderWorkflowId(semesterId, collegeId)
    : collegeSemesterWorkflowId(semesterId, collegeId);
  try {
    // an Update (validated, signed by the app), not a signal: see workflows/semester.ts
    await client.workflow
      .getHandle(semesterWorkflowId(semesterId))
      .executeUpdate(addCollegeUpdate, { args: [collegeId] });
  } catch (e) {
    // the semester workflow has closed: the college's semester runs on its own
    if (!(e instanceof WorkflowNotFoundError) && !/already completed/i.test(e instanceof Error ? e.message : ''))
      throw e;
    const policies = {
      workflowId,
      taskQueue,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    };
    const start = () =>
      ladder
        ? client.workflow.start(collegeLadderWorkflow, { ...policies, args: [{ semesterId, collegeId }] })
        : client.workflow.start(collegeSemesterWorkflow, {
            ...policies,
            args: [{ semesterId, collegeId, nextIndex: 0 }],
          });
    await start();
    const integrity = integrityOf(client);
    if (
      integrity &&
      (await replaceForgedRun(client, workflowId, integrity, (problem, runId) =>
        forgedAudit(store, 'semester', semesterId, workflowId, runId, problem),
      ))
    )
      await start();
  }
  return { workflowId };
}

/** Records in the audit log that a forged run under one of the app's workflow ids was replaced. */
async function forgedAudit(
  store: Store,
  subjectType: string,
  subjectId: string,
  workflowId: string,
  runId: string,
  problem: string,
): Promise<void> {
  await store.appendAudit({
    eventKey: `${workflowId}/forged-run:${runId}`,
    subjectType,
    subjectId,
    action: 'forged-workflow-replaced',
    actor: 'system',
    at: Date.now(),
    details: { workflowId, runId, problem },
  });
}

/** A new checklist version refused for a running semester (the web layer answers with `status`). */
export class ReplanError extends AppError {
  override name = 'ReplanError';
  constructor(
    message: string,
    readonly status: 400 | 403 | 409 = 409,
  ) {
    super(message);
  }
}

export interface ReplanOutcome {
  semesterId: string;
  templateVersion: number;
  colleges: Array<{ collegeId: string; result?: LadderReplanResult; error?: string }>;
}

/**
 * Applies a new version of a running semester's checklist (issue 12 part 5): checks that it can be
 * dated on the semester's calendar, records it as the semester's version, and sends each college
 * ladder the validated Update `ladderReplan`, which adds, retires and moves tasks while keeping the
 * work done (workflows/college-ladder.ts). Each college's Update has a fixed id, so a retry returns
 * the first result and nothing is applied twice. Per-task semesters are refused: their task
 * workflows each hold their own dates.
 */
export async function replanSemester(
  client: Client,
  store: Store,
  req: {
    semesterId: string;
    templateVersion: number;
    reason: string;
    actor: { userId: string; role: string; collegeId: string | null };
  },
): Promise<ReplanOutcome> {
  const semester = await store.getSemester(req.semesterId);
  if (!semester) throw new NotFoundError(`unknown semester ${req.semesterId}`);
  if (req.actor.role !== 'school_admin')
    throw new ReplanError('only the school administration may apply a new checklist version', 403);
  if (!Number.isInteger(req.templateVersion) || req.templateVersion < 1)
    throw new ReplanError('templateVersion: a checklist version number is required', 400);
  if (typeof req.reason !== 'string' || !req.reason.trim())
    throw new ReplanError('reason: a reason is required to apply a new checklist version', 400);
  if (semester.taskModel !== 'ladder')
    throw new ReplanError(
      `semester ${semester.id} runs one workflow per task (created before the ladder model); a new checklist version applies to ladder semesters only`,
    );
  if (semester.status !== 'running')
    throw new ReplanError(
      `semester ${semester.id} is ${semester.status}, not running: ${semester.status === 'planned' ? 'change its checklist version before starting it' : 'it has ended'}`,
    );
  const templateRow = await store.getTemplate(semester.templateId, req.templateVersion);
  if (!templateRow) throw new NotFoundError(`unknown checklist ${semester.templateId} v${req.templateVersion}`);
  if (req.templateVersion <= semester.templateVersion)
    throw new ReplanError(
      `checklist ${semester.templateId} v${req.templateVersion} is not newer than the semester's v${semester.templateVersion}`,
    );
  const calendarRow = await store.getCalendar(semester.calendarId);
  if (!calendarRow) throw new NotFoundError(`semester ${semester.id} lacks its calendar ${semester.calendarId}`);
  // refused before anything is stored when the new version cannot be dated on this calendar
  planSemester({
    semesterId: semester.id,
    template: parseTemplate(`checklist ${templateRow.id} v${templateRow.version}`, templateRow.body),
    calendar: parseCalendar(`calendar ${calendarRow.id}`, calendarRow.body),
    colleges: [{ id: 'check' }],
  });
  await store.upsertSemester({
    id: semester.id,
    schoolId: semester.schoolId,
    templateId: semester.templateId,
    templateVersion: req.templateVersion,
    calendarId: semester.calendarId,
  });
  await store.appendAudit({
    eventKey: `semester.${semester.id}/replan:v${req.templateVersion}`,
    subjectType: 'semester',
    subjectId: semester.id,
    action: 'checklist-version-applied',
    actor: req.actor.userId,
    at: Date.now(),
    details: { from: semester.templateVersion, to: req.templateVersion, reason: req.reason.trim() },
  });
  const colleges = await store.listColleges(semester.schoolId);
  const out: ReplanOutcome = { semesterId: semester.id, templateVersion: req.templateVersion, colleges: [] };
  for (const c of colleges) {
    const handle = client.workflow.getHandle(collegeLadderWorkflowId(semester.id, c.id));
    try {
      const result = await handle.executeUpdate(ladderReplanUpdate, {
        args: [
          {
            actor: { userId: req.actor.userId, role: 'school_admin', collegeId: null },
            templateVersion: req.templateVersion,
            reason: req.reason.trim(),
          },
        ],
        updateId: `replan:${semester.id}:v${req.templateVersion}:${c.id}`,
      });
      out.colleges.push({ collegeId: c.id, result });
    } catch (e) {
      const cause =
        e instanceof WorkflowUpdateFailedError && e.cause instanceof Error
          ? e.cause.message
          : e instanceof Error
            ? e.message
            : String(e);
      out.colleges.push({
        collegeId: c.id,
        error: e instanceof WorkflowNotFoundError ? 'this college has no running ladder' : cause,
      });
    }
  }
  return out;
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
