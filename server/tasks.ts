/**
 * Task use cases for the web layer and the CLI: complete, waive, move a due date. Each goes
 * through the task workflow's Update, whose validator decides; a task whose workflow has
 * already closed is answered from the read model with the reason it is closed.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Store } from '../db/store';
import { parseTemplate } from '../domain/load';
import { ladderInstants } from '../domain/planner';
import { completeTaskUpdate, moveDueUpdate, waiveTaskUpdate, type Actor, type CompleteRequest, type TaskState } from '../workflows/task';
import { instantFrom } from './dates';
import { NotFoundError } from './semesters';

/** The task refused the request; `message` is written for the user. */
export class TaskRejectedError extends Error {
  override name = 'TaskRejectedError';
}

async function viaUpdate(store: Store, taskId: string, call: () => Promise<TaskState>): Promise<TaskState> {
  const row = await store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  try {
    return await call();
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw new TaskRejectedError(e.cause instanceof Error ? e.cause.message : e.message);
    if (e instanceof WorkflowNotFoundError || /already completed/i.test(e instanceof Error ? e.message : '')) {
      const now = await store.getTaskInstance(taskId);
      if (now?.status === 'completed') throw new TaskRejectedError('this task is already completed');
      if (now?.status === 'waived') throw new TaskRejectedError('this task was waived and is closed');
      if (now?.status === 'planned') throw new TaskRejectedError('this task has not opened yet');
    }
    throw e;
  }
}

export function completeTask(client: Client, store: Store, taskId: string, req: CompleteRequest): Promise<TaskState> {
  return viaUpdate(store, taskId, () => client.workflow.getHandle(taskId).executeUpdate(completeTaskUpdate, { args: [req] }));
}

export function waiveTask(client: Client, store: Store, taskId: string, actor: Actor, reason: string): Promise<TaskState> {
  return viaUpdate(store, taskId, () => client.workflow.getHandle(taskId).executeUpdate(waiveTaskUpdate, { args: [{ actor, reason }] }));
}

/** Moves a task's due date to a local date-time ("YYYY-MM-DD HH:mm" in the school's zone). */
export async function moveDue(client: Client, store: Store, taskId: string, actor: Actor, newDueLocal: string, reason: string): Promise<TaskState> {
  const row = await store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  const semester = await store.getSemester(row.semesterId);
  const school = semester ? await store.getSchool(semester.schoolId) : undefined;
  const templateRow = semester ? await store.getTemplate(semester.templateId, semester.templateVersion) : undefined;
  if (!semester || !school || !templateRow) throw new NotFoundError(`task ${taskId} has no semester, school or template`);
  const due = DateTime.fromFormat(newDueLocal, 'yyyy-MM-dd HH:mm', { zone: school.timezone });
  if (!due.isValid) throw new TaskRejectedError(`"${newDueLocal}" is not a date and time written YYYY-MM-DD HH:mm`);
  const template = parseTemplate(`template ${templateRow.id}`, templateRow.body);
  // a real date since 2000, at most about a year ahead (domain/dates.ts)
  const dueAt = instantFrom(newDueLocal, 'due', { zone: school.timezone, now: Date.now() });
  const { remindAts, level2At } = ladderInstants(template, row.templateTaskId, dueAt, school.timezone, Math.max(Date.now(), row.openAt));
  return viaUpdate(store, taskId, () =>
    client.workflow.getHandle(taskId).executeUpdate(moveDueUpdate, { args: [{ actor, dueAt, remindAts, level2At, reason }] }),
  );
}
