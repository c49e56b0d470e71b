/**
 * Task use cases for the web layer and the CLI: complete, waive, move a due date. Each goes
 * through the task workflow's Update, whose validator decides; a task whose workflow has
 * already closed is answered from the read model with the reason it is closed.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { createActivities } from '../activities';
import { CollegeIdKey, SemesterIdKey, TaskKindKey } from '../workflows/search-attributes';
import { DateTime } from 'luxon';
import type { Store } from '../db/store';
import { parseTemplate } from '../domain/load';
import { ladderInstants } from '../domain/planner';
import {
  completeTaskUpdate,
  moveDueUpdate,
  taskWorkflow,
  waiveTaskUpdate,
  type Actor,
  type CompleteRequest,
  type TaskInput,
  type TaskState,
} from '../workflows/task';
import {
  collegeLadderWorkflow,
  ladderCompleteTaskUpdate,
  ladderMoveDueUpdate,
  ladderReturnTaskUpdate,
  ladderWaiveTaskUpdate,
} from '../workflows/college-ladder';
import { collegeLadderWorkflowId } from '../workflows/ids';
import type { TaskInstanceRow } from '../db/store';
import { instantFrom } from './dates';
import { NotFoundError, templateTaskOf } from './semesters';
import { ConflictError } from './platform/errors';

/** The task refused the request; `message` is written for the user. */
export class TaskRejectedError extends ConflictError {
  override name = 'TaskRejectedError';
}

/**
 * The audit key of a stop, shared with the 409 path of server/tasks.ts: one entry per stopped run
 * and row (a college ladder runs many tasks: each gets its entry; a row with a workflow of its own
 * keeps the key it always had).
 */
export const endedEventKey = (workflowId: string, runId: string, subjectId: string = workflowId) =>
  subjectId === workflowId
    ? `${workflowId}/workflow-ended:${runId}`
    : `${workflowId}/workflow-ended:${runId}/${subjectId}`;

/** The message of a request against a task whose workflow was stopped outside the app (answered 409). */
export const WORKFLOW_ENDED_MESSAGE =
  "this task's workflow was stopped outside the app; the school administration can restart it";

/** The task's workflow ended without the app closing it (terminated, cancelled, failed, timed out). */
export class WorkflowEndedError extends TaskRejectedError {
  override name = 'WorkflowEndedError';
}

/**
 * When a request hits a task whose workflow is no longer running although the read model says it
 * is open: records that it ended outside the app (audit log, once per run) and refuses with
 * WORKFLOW_ENDED_MESSAGE. Returns quietly when the workflow still runs or completed normally.
 */
async function refuseIfEnded(client: Client, store: Store, taskId: string, workflowId: string = taskId): Promise<void> {
  const d = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  const status = d?.status.name;
  if (!d || !status || status === 'RUNNING' || status === 'COMPLETED' || status === 'CONTINUED_AS_NEW') return;
  // the read model shows it: the admin's list of stopped workflows (/admin/workflows, server/ended-workflows.ts)
  await store.markWorkflowEnded('task', taskId, { at: Date.now(), status });
  await store.appendAudit({
    eventKey: endedEventKey(workflowId, d.runId, taskId),
    subjectType: 'task',
    subjectId: taskId,
    action: 'workflow-ended-externally',
    actor: 'system',
    at: Date.now(),
    details: { runId: d.runId, status },
  });
  throw new WorkflowEndedError(WORKFLOW_ENDED_MESSAGE);
}

/** Options of a task Update: `updateId` (from an idempotency key) makes a retry return the first result. */
export interface UpdateOptions {
  updateId?: string;
  /** The clock of the rules that look at "this month" (tests pass their own). */
  now?: number;
}

const updateOpts = (o: UpdateOptions | undefined) => (o?.updateId ? { updateId: o.updateId } : {});

async function viaUpdate(
  store: Store,
  taskId: string,
  call: () => Promise<TaskState>,
  client?: Client,
  retry?: { workflowId: string; updateId?: string },
): Promise<TaskState> {
  const row = await store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  try {
    return await call();
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError)
      throw new TaskRejectedError(e.cause instanceof Error ? e.cause.message : e.message);
    if (e instanceof WorkflowNotFoundError || /already completed/i.test(e instanceof Error ? e.message : '')) {
      // a retry of an Update that was accepted before its workflow closed: its first result
      if (client && retry?.updateId) {
        const first = await client.workflow
          .getHandle(retry.workflowId)
          .getUpdateHandle<TaskState>(retry.updateId)
          .result()
          .catch(() => undefined);
        if (first) return first;
      }
      const now = await store.getTaskInstance(taskId);
      if (now?.status === 'completed') throw new TaskRejectedError('this task is already completed');
      if (now?.status === 'waived') throw new TaskRejectedError('this task was waived and is closed');
      if (now?.status === 'planned') throw new TaskRejectedError('this task has not opened yet');
      // open in the read model, but its workflow was terminated or cancelled (Web UI, CLI): a 409, never a 500
      if (client) await refuseIfEnded(client, store, taskId, retry?.workflowId);
    }
    throw e;
  }
}

/**
 * The college ladder that runs the task, when its semester uses the ladder model (ADR 0005);
 * null for the per-task model, whose task workflow has the task's id.
 */
async function ladderOf(store: Store, row: TaskInstanceRow | undefined): Promise<string | null> {
  if (!row) return null;
  const semester = await store.getSemester(row.semesterId);
  return semester?.taskModel === 'ladder' ? collegeLadderWorkflowId(row.semesterId, row.collegeId) : null;
}

/**
 * The monthly ledger duty (seed 003 §8: 每月更新学院重点、高危学生心理干预台账): a task whose
 * checklist entry asks for it completes only when every active entry of the college's intervention
 * ledger made before the task's month has a follow-up in that month (from its first day until now).
 * The refusal names entries by their number (序号) only. A closed task is left to the workflow,
 * which answers "already completed" as it always has.
 */
export async function ledgerDutyProblem(
  store: Store,
  row: TaskInstanceRow,
  now: number = Date.now(),
): Promise<string | null> {
  if (row.status === 'completed' || row.status === 'waived') return null;
  const semester = await store.getSemester(row.semesterId);
  const task = semester ? await templateTaskOf(store, semester, row.templateTaskId) : undefined;
  if (!semester || !task?.evidence.ledgerMonthlyReview || !task.month) return null;
  // the task's month as dated in this semester (its checklist month is a month of the year)
  const zone = (await store.getSchool(semester.schoolId))?.timezone ?? 'Asia/Shanghai';
  const since = DateTime.fromISO(`${row.month}-01`, { zone }).startOf('month').toMillis();
  const stale = await store.staleLedgerSeqs(row.collegeId, since, now);
  return stale.length
    ? `update the intervention ledger first: entries no. ${stale.join(', ')} have no follow-up this month (干预台账第 ${stale.join('、')} 号本月尚无跟踪记录)`
    : null;
}

/**
 * Completes a task through its workflow's Update, after the rules the workflow cannot check
 * itself because they read the database (the monthly ledger duty). Every path to a completion
 * (the routes, the CLI, scripts) comes through here.
 */
export async function completeTask(
  client: Client,
  store: Store,
  taskId: string,
  req: CompleteRequest,
  opts?: UpdateOptions,
): Promise<TaskState> {
  const row = await store.getTaskInstance(taskId);
  const problem = row ? await ledgerDutyProblem(store, row, opts?.now) : null;
  if (problem) throw new TaskRejectedError(problem);
  const ladder = await ladderOf(store, row);
  if (ladder)
    return viaUpdate(
      store,
      taskId,
      () =>
        client.workflow
          .getHandle(ladder)
          .executeUpdate(ladderCompleteTaskUpdate, { args: [{ ...req, taskId }], ...updateOpts(opts) }),
      client,
      { workflowId: ladder, ...updateOpts(opts) },
    );
  return viaUpdate(
    store,
    taskId,
    () => client.workflow.getHandle(taskId).executeUpdate(completeTaskUpdate, { args: [req], ...updateOpts(opts) }),
    client,
    { workflowId: taskId, ...updateOpts(opts) },
  );
}

export async function waiveTask(
  client: Client,
  store: Store,
  taskId: string,
  actor: Actor,
  reason: string,
  opts?: UpdateOptions,
): Promise<TaskState> {
  const ladder = await ladderOf(store, await store.getTaskInstance(taskId));
  if (ladder)
    return viaUpdate(
      store,
      taskId,
      () =>
        client.workflow
          .getHandle(ladder)
          .executeUpdate(ladderWaiveTaskUpdate, { args: [{ actor, reason, taskId }], ...updateOpts(opts) }),
      client,
      { workflowId: ladder, ...updateOpts(opts) },
    );
  return viaUpdate(
    store,
    taskId,
    () =>
      client.workflow
        .getHandle(taskId)
        .executeUpdate(waiveTaskUpdate, { args: [{ actor, reason }], ...updateOpts(opts) }),
    client,
    { workflowId: taskId, ...updateOpts(opts) },
  );
}

/** The 409 of a return (退回) asked of a semester that runs one workflow per task. */
export const RETURN_NEEDS_LADDER_MESSAGE =
  'returning a completion needs a semester on the ladder model; this semester runs one workflow per task, which ends when the task is completed';

/**
 * 退回: the college leader (or the school admin) returns a completed task with a reason, through
 * its college ladder's Update (ADR 0005), which reopens it with its deadline and escalation and
 * tells the assignees. A per-task semester cannot: its task workflow ended with the completion.
 */
export async function returnTask(
  client: Client,
  store: Store,
  taskId: string,
  actor: Actor,
  reason: string,
  opts?: UpdateOptions,
): Promise<TaskState> {
  const row = await store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  // asked first, so that a counsellor learns who may, whatever the task's state
  if (!(actor.role === 'school_admin' || (actor.role === 'college_leader' && actor.collegeId === row.collegeId))) {
    throw new TaskRejectedError("only the college's leader or the school administration may return a completion");
  }
  if (typeof reason !== 'string' || !reason.trim())
    throw new TaskRejectedError('a reason is required to return a completion');
  const ladder = await ladderOf(store, row);
  if (!ladder) throw new TaskRejectedError(RETURN_NEEDS_LADDER_MESSAGE);
  try {
    return await viaUpdate(
      store,
      taskId,
      () =>
        client.workflow
          .getHandle(ladder)
          .executeUpdate(ladderReturnTaskUpdate, { args: [{ actor, reason, taskId }], ...updateOpts(opts) }),
      client,
      { workflowId: ladder, ...updateOpts(opts) },
    );
  } catch (e) {
    // the ladder has ended (its semester is over and every task was closed): nothing can reopen there
    if (e instanceof TaskRejectedError && /^this task is already completed$/.test(e.message)) {
      throw new TaskRejectedError(
        "this college's ladder has ended (its semester is over and every task is closed); a completion can no longer be returned",
      );
    }
    throw e;
  }
}

/** Moves a task's due date to a local date-time ("YYYY-MM-DD HH:mm" in the school's zone). */
export async function moveDue(
  client: Client,
  store: Store,
  taskId: string,
  actor: Actor,
  newDueLocal: string,
  reason: string,
  opts?: UpdateOptions,
): Promise<TaskState> {
  const row = await store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  // the workflow's validator decides as well; asked first, so a staff member learns who may, not what date is valid
  if (actor.role !== 'school_admin') throw new TaskRejectedError('only the school administration may move a due date');
  const semester = await store.getSemester(row.semesterId);
  const school = semester ? await store.getSchool(semester.schoolId) : undefined;
  const templateRow = semester ? await store.getTemplate(semester.templateId, semester.templateVersion) : undefined;
  if (!semester || !school || !templateRow)
    throw new NotFoundError(`task ${taskId} has no semester, school or template`);
  const due = DateTime.fromFormat(newDueLocal, 'yyyy-MM-dd HH:mm', { zone: school.timezone });
  if (!due.isValid) throw new TaskRejectedError(`"${newDueLocal}" is not a date and time written YYYY-MM-DD HH:mm`);
  const template = parseTemplate(`template ${templateRow.id}`, templateRow.body);
  // a real date since 2000, at most about a year ahead (domain/dates.ts)
  const dueAt = instantFrom(newDueLocal, 'due', { zone: school.timezone, now: Date.now() });
  const { remindAts, level2At } = ladderInstants(
    template,
    row.templateTaskId,
    dueAt,
    school.timezone,
    Math.max(Date.now(), row.openAt),
  );
  const ladder = semester.taskModel === 'ladder' ? collegeLadderWorkflowId(row.semesterId, row.collegeId) : null;
  if (ladder)
    return viaUpdate(
      store,
      taskId,
      () =>
        client.workflow.getHandle(ladder).executeUpdate(ladderMoveDueUpdate, {
          args: [{ actor, dueAt, remindAts, level2At, reason, taskId }],
          ...updateOpts(opts),
        }),
      client,
      { workflowId: ladder, ...updateOpts(opts) },
    );
  return viaUpdate(
    store,
    taskId,
    () =>
      client.workflow
        .getHandle(taskId)
        .executeUpdate(moveDueUpdate, { args: [{ actor, dueAt, remindAts, level2At, reason }], ...updateOpts(opts) }),
    client,
    { workflowId: taskId, ...updateOpts(opts) },
  );
}

/**
 * Starts a task's workflow again after it was stopped outside the app (school admin): the same
 * workflow id and the input recomputed from the stored plan (a moved due date is kept). Steps
 * already recorded are keyed by event, so nothing is recorded twice. The id-reuse policy allows
 * a new run only after a run that did not complete: a completed task is never restarted.
 */
export async function restartTask(
  client: Client,
  store: Store,
  taskId: string,
  taskQueue: string,
  actor: Actor,
): Promise<{ runId: string }> {
  const row = await store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  if (row.status === 'completed' || row.status === 'waived')
    throw new TaskRejectedError(`this task is already ${row.status}; only a stopped open task can be restarted`);
  const ladder = await ladderOf(store, row);
  if (ladder) return restartLadder(client, store, row, ladder, taskQueue, actor);
  const d = await client.workflow
    .getHandle(taskId)
    .describe()
    .catch(() => undefined);
  if (d?.status.name === 'RUNNING')
    throw new TaskRejectedError("this task's workflow is running; there is nothing to restart");
  const { tasks } = await createActivities({ store }).planCollegeTasks({
    semesterId: row.semesterId,
    collegeId: row.collegeId,
  });
  const planned = tasks.find((t) => t.taskId === taskId);
  if (!planned) throw new NotFoundError(`task ${taskId} is no longer in its semester's plan`);
  let input: TaskInput = planned;
  if (row.dueAt !== planned.dueAt) {
    const semester = await store.getSemester(row.semesterId);
    const school = semester ? await store.getSchool(semester.schoolId) : undefined;
    const templateRow = semester ? await store.getTemplate(semester.templateId, semester.templateVersion) : undefined;
    if (semester && school && templateRow) {
      const ladder = ladderInstants(
        parseTemplate(`template ${templateRow.id}`, templateRow.body),
        row.templateTaskId,
        row.dueAt,
        school.timezone,
        Math.max(Date.now(), row.openAt),
      );
      input = { ...planned, dueAt: row.dueAt, remindAts: ladder.remindAts, level2At: ladder.level2At };
    }
  }
  const indexed = d
    ? Object.keys(d.searchAttributes ?? {}).includes('SemesterId') ||
      d.typedSearchAttributes.get(SemesterIdKey) !== undefined
    : false;
  try {
    const handle = await client.workflow.start(taskWorkflow, {
      workflowId: taskId,
      taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      ...(indexed
        ? {
            typedSearchAttributes: [
              { key: SemesterIdKey, value: input.semesterId },
              { key: CollegeIdKey, value: input.collegeId },
              { key: TaskKindKey, value: input.kind },
            ],
          }
        : {}),
    });
    await store.clearWorkflowEnded('task', taskId);
    await store.appendAudit({
      eventKey: `${taskId}/workflow-restarted:${handle.firstExecutionRunId}`,
      subjectType: 'task',
      subjectId: taskId,
      action: 'workflow-restarted',
      actor: actor.userId,
      at: Date.now(),
      details: { runId: handle.firstExecutionRunId },
    });
    return { runId: handle.firstExecutionRunId };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError)
      throw new TaskRejectedError("this task's workflow completed; a completed task is never restarted");
    throw e;
  }
}

/**
 * A ladder semester's task is restarted by starting its college's ladder again (ADR 0005): the
 * plan comes from the planner and the read model (closed tasks stay closed, a moved due date is
 * kept), and the steps already recorded are keyed by event, so nothing is recorded twice. Every
 * task of the ladder marked as stopped is cleared; each gets the restart in its timeline.
 */
async function restartLadder(
  client: Client,
  store: Store,
  row: TaskInstanceRow,
  workflowId: string,
  taskQueue: string,
  actor: Actor,
): Promise<{ runId: string }> {
  const d = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  if (d?.status.name === 'RUNNING')
    throw new TaskRejectedError("this task's college ladder workflow is running; there is nothing to restart");
  const indexed = d ? d.typedSearchAttributes.get(SemesterIdKey) !== undefined : false;
  try {
    const handle = await client.workflow.start(collegeLadderWorkflow, {
      workflowId,
      taskQueue,
      args: [{ semesterId: row.semesterId, collegeId: row.collegeId }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      ...(indexed
        ? {
            typedSearchAttributes: [
              { key: SemesterIdKey, value: row.semesterId },
              { key: CollegeIdKey, value: row.collegeId },
            ],
          }
        : {}),
    });
    const stopped = (await store.listTaskInstances({ semesterId: row.semesterId, collegeId: row.collegeId })).filter(
      (t) => t.status === 'open' || t.status === 'overdue' || t.id === row.id,
    );
    for (const t of stopped) {
      await store.clearWorkflowEnded('task', t.id);
      await store.appendAudit({
        eventKey: `${workflowId}/workflow-restarted:${handle.firstExecutionRunId}/${t.id}`,
        subjectType: 'task',
        subjectId: t.id,
        action: 'workflow-restarted',
        actor: actor.userId,
        at: Date.now(),
        details: { runId: handle.firstExecutionRunId, workflowId },
      });
    }
    return { runId: handle.firstExecutionRunId };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError)
      throw new TaskRejectedError("this task's college ladder completed; it is not restarted");
    throw e;
  }
}
