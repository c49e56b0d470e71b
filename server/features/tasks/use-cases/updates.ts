/**
 * Task use cases for the web layer and the CLI: complete, waive, return, move a due date. Each goes
 * through the task workflow's Update, whose validator decides; a task whose workflow has
 * already closed is answered from the read model with the reason it is closed.
 */
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Semester, Store, TaskInstanceRow } from '../../../../db/store';
import { evidenceProblems } from '../../../../domain/evidence';
import { parseTemplate } from '../../../../domain/load';
import { ladderInstants } from '../../../../domain/planner';
import {
  completeTaskUpdate,
  moveDueUpdate,
  waiveTaskUpdate,
  type Actor,
  type CompleteRequest,
  type TaskState,
} from '../../../../contracts';
import {
  ladderCompleteTaskUpdate,
  ladderMoveDueUpdate,
  ladderReturnTaskUpdate,
  ladderWaiveTaskUpdate,
} from '../../../../contracts';
import { instantFrom } from '../../../platform/dates';
import { NotFoundError, templateTaskOf } from '../../semesters/use-cases';
import { closedRefusal, TaskRejectedError } from './errors';
import { trainingDutyProblem } from './training-duty';
import { ladderIdOf, ladderOf, updateOpts, updateTask, viaUpdate, type UpdateOptions } from './update';

/**
 * The monthly ledger duty (seed 003 §8: 每月更新学院重点、高危学生心理干预台账): a task whose
 * checklist entry asks for it completes only when every active entry of the college's intervention
 * ledger made before the task's month has a follow-up in that month (from its first day until now),
 * and every student on the key-care list since before that month has had their archive reviewed in it.
 * The refusal names entries by their number (序号) only. A closed task is left to the workflow,
 * which answers "already completed" as it always has.
 */
export async function ledgerDutyProblem(
  store: Store,
  row: TaskInstanceRow,
  now: number = Date.now(),
  /** the task's semester when the caller has read it already */
  known?: Semester,
): Promise<string | null> {
  if (row.status === 'completed' || row.status === 'waived') return null;
  const semester = known ?? (await store.getSemester(row.semesterId));
  const task = semester ? await templateTaskOf(store, semester, row.templateTaskId) : undefined;
  if (!semester || !task?.evidence.ledgerMonthlyReview || !task.month) return null;
  // the task's month as dated in this semester (its checklist month is a month of the year)
  const zone = (await store.getSchool(semester.schoolId))?.timezone ?? 'Asia/Shanghai';
  const since = DateTime.fromISO(`${row.month}-01`, { zone }).startOf('month').toMillis();
  const stale = await store.staleLedgerSeqs(row.collegeId, since, now);
  if (stale.length)
    return `update the intervention ledger first: entries no. ${stale.join(', ')} have no follow-up this month (干预台账第 ${stale.join('、')} 号本月尚无跟踪记录)`;
  // and every key-care student's archive reviewed this month (一生一档, 档案实行动态管理), named by opaque id
  const unreviewed = await store.unreviewedKeyCareStudents(row.collegeId, since, now);
  return unreviewed.length
    ? `review the key-care students' archives first: ${unreviewed.length} not reviewed this month (本月尚有 ${unreviewed.length} 名重点关爱学生的档案未复核): ${unreviewed.map((id) => `/archives/${id}`).join(' ')}`
    : null;
}

/** The completions this process is sending, by task id (see completeTask). */
const completing = new Map<string, Promise<TaskState>>();

/**
 * Completes a task through its workflow's Update, after the rules the workflow cannot check
 * itself because they read the database (the monthly ledger duty). Every path to a completion
 * (the routes, the CLI, scripts) comes through here.
 *
 * One completion of a task at a time from this process: a second request for the same task (a
 * double tap of a client that sends no Idempotency-Key, two staff of the college at once) waits
 * for the first, and then a task the read model shows closed is answered from it without an Update,
 * unless the request carries an idempotency key (its Update id returns the first result). The
 * workflow would refuse such a request anyway; a refused Update writes nothing to the history, and
 * several of them at once beside accepted ones on one college ladder stalled that ladder for
 * seconds on the Temporal dev server (`npm run bench:completion -- --duplicates 1`, ADR 0005). For
 * the same reason the checklist's evidence rules are checked here before the Update (the workflow's
 * validator checks them again and stays the one that decides).
 */
export async function completeTask(
  client: Client,
  store: Store,
  taskId: string,
  req: CompleteRequest,
  opts?: UpdateOptions,
): Promise<TaskState> {
  for (let first = completing.get(taskId); first; first = completing.get(taskId)) await first.catch(() => undefined);
  const sending = completeOnce(client, store, taskId, req, opts);
  completing.set(taskId, sending);
  try {
    return await sending;
  } finally {
    if (completing.get(taskId) === sending) completing.delete(taskId);
  }
}

/** a completion's Updates: the college ladder's, or the task workflow's */
const COMPLETE_UPDATES = { ladder: ladderCompleteTaskUpdate, task: completeTaskUpdate };

async function completeOnce(
  client: Client,
  store: Store,
  taskId: string,
  req: CompleteRequest,
  opts?: UpdateOptions,
): Promise<TaskState> {
  const row = await store.getTaskInstance(taskId);
  if (!row) return updateTask(client, store, taskId, null, COMPLETE_UPDATES, req, opts); // answered 404 there
  const closed = row.status === 'completed' || row.status === 'waived' ? closedRefusal(row) : undefined;
  if (closed && !opts?.updateId) throw closed;
  // the checklist's evidence rules, as the workflow's validator words them (it checks them again)
  const semester = await store.getSemester(row.semesterId);
  const rules = semester ? (await templateTaskOf(store, semester, row.templateTaskId))?.evidence : undefined;
  const missing = rules ? evidenceProblems(rules, req) : [];
  if (missing.length) throw new TaskRejectedError(`evidence incomplete: ${missing.join('; ')}`);
  const problem = (await ledgerDutyProblem(store, row, opts?.now, semester)) ?? (await trainingDutyProblem(store, row));
  if (problem) throw new TaskRejectedError(problem);
  return updateTask(client, store, taskId, ladderIdOf(row, semester), COMPLETE_UPDATES, req, opts);
}

/** A decision on one task by an actor, with their reason (waive, return), through the task's workflow. */
type ReasonedDecision = (
  client: Client,
  store: Store,
  taskId: string,
  actor: Actor,
  reason: string,
  opts?: UpdateOptions,
) => Promise<TaskState>;

export const waiveTask: ReasonedDecision = async (client, store, taskId, actor, reason, opts) => {
  const ladder = await ladderOf(store, await store.getTaskInstance(taskId));
  const updates = { ladder: ladderWaiveTaskUpdate, task: waiveTaskUpdate };
  return updateTask(client, store, taskId, ladder, updates, { actor, reason }, opts);
};

/** The 409 of a return (退回) asked of a semester that runs one workflow per task. */
export const RETURN_NEEDS_LADDER_MESSAGE =
  'returning a completion needs a semester on the ladder model; this semester runs one workflow per task, which ends when the task is completed';

/**
 * 退回: the college leader (or the school admin) returns a completed task with a reason, through
 * its college ladder's Update (ADR 0005), which reopens it with its deadline and escalation and
 * tells the assignees. A per-task semester cannot: its task workflow ended with the completion.
 */
export const returnTask: ReasonedDecision = async (client, store, taskId, actor, reason, opts) => {
  const row = await store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  // asked first, so that a counsellor learns who may, whatever the task's state
  if (!(actor.role === 'school_admin' || (actor.role === 'college_leader' && actor.collegeId === row.collegeId))) {
    throw new TaskRejectedError("only the college's leader or the school administration may return a completion");
  }
  if (typeof reason !== 'string' || !reason.trim())
    throw new TaskRejectedError('a reason is required to return a completion');
  if (reason.length > 2000) throw new TaskRejectedError('the reason is longer than 2000 characters');
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
};

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
  const ladder = ladderIdOf(row, semester);
  const updates = { ladder: ladderMoveDueUpdate, task: moveDueUpdate };
  return updateTask(client, store, taskId, ladder, updates, { actor, dueAt, remindAts, level2At, reason }, opts);
}
