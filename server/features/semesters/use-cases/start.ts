/** Starting a semester's workflows, and a college added mid-semester. Idempotent. */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { integrityOf, replaceForgedRun } from '../../../../codec/signing';
import type { Store } from '../../../../db/store';
import { collegeLadderWorkflowId, collegeSemesterWorkflowId, semesterWorkflowId } from '../../../../contracts/ids';
import { collegeLadderWorkflow } from '../../../../workflows/college-ladder';
import { collegeSemesterWorkflow } from '../../../../workflows/college-semester';
import { semesterWorkflow } from '../../../../workflows/semester';
import { addCollegeUpdate } from '../../../../contracts';
import { NotFoundError } from './setup';
import { unitReportsWorkflowId } from '../../../../contracts/units';
import { unitReportsWorkflow } from '../../../../workflows/unit-reports';

/** Starts the semester workflow (no-op when it already runs) and marks the semester running. */
export async function startSemester(
  client: Client,
  store: Store,
  semesterId: string,
  taskQueue: string,
  opts: { searchAttributes?: boolean; exactTimers?: boolean } = {},
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
          ...(opts.exactTimers ? { exactTimers: true } : {}),
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
  // the weekly class and dorm reports (issue 16) run beside the semester once a roster is imported
  if (await store.hasUnits(semester.schoolId)) await startUnitReportWorkflows(client, store, taskQueue, semester);
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

/**
 * Starts the weekly reports of a semester: one unitReports workflow per college (a started one is
 * kept). Called by the semester's start, by a roster import (for the semesters already running) and by
 * the school admin's button; no user check here, the callers check.
 */
export async function startUnitReportWorkflows(
  client: Client,
  store: Pick<Store, 'listColleges'>,
  taskQueue: string,
  semester: { id: string; schoolId: string },
): Promise<{ started: number; existing: number }> {
  let started = 0;
  let existing = 0;
  for (const college of await store.listColleges(semester.schoolId)) {
    try {
      await client.workflow.start(unitReportsWorkflow, {
        workflowId: unitReportsWorkflowId(semester.id, college.id),
        taskQueue,
        args: [{ semesterId: semester.id, collegeId: college.id }],
      });
      started += 1;
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      existing += 1;
    }
  }
  return { started, existing };
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
