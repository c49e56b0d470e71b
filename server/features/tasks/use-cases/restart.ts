/** Restarting a task's workflow (or its college ladder) after it was stopped outside the app. */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { createActivities } from '../../../../activities';
import { CollegeIdKey, SemesterIdKey, TaskKindKey } from '../../../../contracts/search-attributes';
import type { Store, TaskInstanceRow } from '../../../../db/store';
import { parseTemplate } from '../../../../domain/load';
import { ladderInstants } from '../../../../domain/planner';
import { taskWorkflow } from '../../../../workflows/task';
import { type Actor, type TaskInput } from '../../../../contracts';
import { collegeLadderWorkflow } from '../../../../workflows/college-ladder';
import { NotFoundError } from '../../semesters/use-cases';
import { TaskRejectedError } from './errors';
import { ladderOf } from './update';

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
