/** The refusals of the task use cases, and the check that a task's workflow ended outside the app. */
import type { Client } from '@temporalio/client';
import type { Store, TaskInstanceRow } from '../../../../db/store';
import { ConflictError } from '../../../platform/errors';

/** The task refused the request; `message` is written for the user. */
export class TaskRejectedError extends ConflictError {
  override name = 'TaskRejectedError';
}

/**
 * The refusal of a request against a task the read model shows closed or not yet open, in the
 * words of the workflow's validator; undefined for an open task.
 */
export function closedRefusal(row: Pick<TaskInstanceRow, 'status'> | undefined): TaskRejectedError | undefined {
  if (row?.status === 'completed') return new TaskRejectedError('this task is already completed');
  if (row?.status === 'waived') return new TaskRejectedError('this task was waived and is closed');
  if (row?.status === 'planned') return new TaskRejectedError('this task has not opened yet');
  return undefined;
}

/**
 * The audit key of a stop, shared with the 409 path of the task use cases (refuseIfEnded below): one entry per stopped run
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
export async function refuseIfEnded(
  client: Client,
  store: Store,
  taskId: string,
  workflowId: string = taskId,
): Promise<void> {
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
