/**
 * semester: one per school and semester. Starts one college-semester child per college and
 * lives until the semester has ended and every college has closed. A college added mid-semester
 * arrives by the addCollege signal (or is started on its own with the same deterministic id).
 */
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  condition,
  defineQuery,
  defineSignal,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { collegeSemesterWorkflow } from './college-semester';
import { collegeSemesterWorkflowId } from './ids';

export interface SemesterInput {
  semesterId: string;
  collegeIds: string[];
  /** index task workflows by SemesterId/CollegeId/TaskKind (false where the server lacks them, e.g. the time-skipping test server) */
  searchAttributes?: boolean;
}

export const addCollegeSignal = defineSignal<[collegeId: string]>('addCollege');
export const semesterCollegesQuery = defineQuery<string[]>('semesterColleges');

export async function semesterWorkflow(input: SemesterInput): Promise<{ colleges: number }> {
  const started = new Set<string>();
  const queue = [...input.collegeIds];
  let running = 0;
  setHandler(addCollegeSignal, (collegeId) => {
    if (!started.has(collegeId) && !queue.includes(collegeId)) queue.push(collegeId);
  });
  setHandler(semesterCollegesQuery, () => [...started]);

  for (;;) {
    while (queue.length) {
      const collegeId = queue.shift()!;
      started.add(collegeId);
      try {
        const child = await startChild(collegeSemesterWorkflow, {
          workflowId: collegeSemesterWorkflowId(input.semesterId, collegeId),
          args: [{ semesterId: input.semesterId, collegeId, nextIndex: 0, searchAttributes: input.searchAttributes ?? true }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        running += 1;
        const closed = () => void (running -= 1);
        child.result().then(closed, closed);
      } catch (e) {
        // already started on its own (a college added mid-semester): nothing to do
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
    }
    await condition(() => queue.length > 0 || running === 0);
    if (queue.length === 0) break;
  }
  return { colleges: started.size };
}
