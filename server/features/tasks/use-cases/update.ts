/** The one path of every task request: the task workflow's (or its college ladder's) Update. */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { Semester, Store, TaskInstanceRow } from '../../../../db/store';
import type { TaskState } from '../../../../contracts';
import { collegeLadderWorkflowId } from '../../../../contracts/ids';
import { NotFoundError } from '../../semesters/use-cases';
import { ServiceUnavailableError } from '../../../platform/errors';
import { closedRefusal, refuseIfEnded, TaskRejectedError } from './errors';

/**
 * The server's answer to an Update that a worker received in a workflow task but completed the
 * task without taking (failure type `UnprocessedUpdate`, source "Server"). The Update never ran in
 * the workflow, nothing was written, and it is not in the history: sending it again (with the same
 * update id) is safe. It was seen once in the fault suite (web-kill), on a ladder with many
 * concurrent Updates.
 */
const isUnprocessed = (e: unknown) =>
  e instanceof WorkflowUpdateFailedError &&
  e.cause instanceof ApplicationFailure &&
  e.cause.type === 'UnprocessedUpdate';
/** waits before each new try of an unprocessed Update (ms); then the user is told to try again (503) */
const UNPROCESSED_BACKOFF_MS = [50, 200, 800];

async function sendUntilProcessed(call: () => Promise<TaskState>): Promise<TaskState> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!isUnprocessed(e)) throw e;
      const wait = UNPROCESSED_BACKOFF_MS[attempt];
      if (wait === undefined)
        throw new ServiceUnavailableError(
          'the task’s workflow did not take the request; nothing was changed, try again',
          {
            cause: e,
          },
        );
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Options of a task Update: `updateId` (from an idempotency key) makes a retry return the first result. */
export interface UpdateOptions {
  updateId?: string;
  /** The clock of the rules that look at "this month" (tests pass their own). */
  now?: number;
}

export const updateOpts = (o: UpdateOptions | undefined) => (o?.updateId ? { updateId: o.updateId } : {});

export async function viaUpdate(
  store: Store,
  taskId: string,
  call: () => Promise<TaskState>,
  client?: Client,
  retry?: { workflowId: string; updateId?: string },
): Promise<TaskState> {
  const row = await store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  try {
    return await sendUntilProcessed(call);
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
      const refusal = closedRefusal(await store.getTaskInstance(taskId));
      if (refusal) throw refusal;
      // open in the read model, but its workflow was terminated or cancelled (Web UI, CLI): a 409, never a 500
      if (client) await refuseIfEnded(client, store, taskId, retry?.workflowId);
    }
    throw e;
  }
}

/**
 * The college ladder that runs a task of this semester, when the semester uses the ladder model
 * (ADR 0005); null for the per-task model, whose task workflow has the task's id.
 */
export const ladderIdOf = (
  row: Pick<TaskInstanceRow, 'semesterId' | 'collegeId'>,
  semester: Pick<Semester, 'taskModel'> | undefined,
): string | null => (semester?.taskModel === 'ladder' ? collegeLadderWorkflowId(row.semesterId, row.collegeId) : null);

/** ladderIdOf, reading the task's semester. */
export async function ladderOf(store: Store, row: TaskInstanceRow | undefined): Promise<string | null> {
  return row ? ladderIdOf(row, await store.getSemester(row.semesterId)) : null;
}

/**
 * Sends a task request as an Update: to the college ladder that runs the task (`ladder`, the
 * request with the task's id), else to the task's own workflow (ADR 0005), through `viaUpdate`.
 */
export function updateTask<A extends object>(
  client: Client,
  store: Store,
  taskId: string,
  ladder: string | null,
  updates: {
    ladder: UpdateDefinition<TaskState, [A & { taskId: string }], string>;
    task: UpdateDefinition<TaskState, [A], string>;
  },
  request: A,
  opts?: UpdateOptions,
): Promise<TaskState> {
  const call = ladder
    ? () =>
        client.workflow
          .getHandle(ladder)
          .executeUpdate(updates.ladder, { args: [{ ...request, taskId }], ...updateOpts(opts) })
    : () => client.workflow.getHandle(taskId).executeUpdate(updates.task, { args: [request], ...updateOpts(opts) });
  return viaUpdate(store, taskId, call, client, { workflowId: ladder ?? taskId, ...updateOpts(opts) });
}
