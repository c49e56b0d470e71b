/**
 * semester: one per school and semester. Starts one college-semester child per college and
 * lives until the semester has ended and every college has closed. A college added mid-semester
 * arrives by the addCollege Update (validated: its proof that the app sent it is checked by the
 * workflow interceptors before it enters the history), or is started on its own with the same
 * deterministic id. The addCollege signal is kept for histories that used it; a signal the app did
 * not sign is ignored (workflows/interceptors.ts).
 */
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  condition,
  patched,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { collegeLadderWorkflow } from './college-ladder';
import { collegeSemesterWorkflow } from './college-semester';
import { collegeLadderWorkflowId, collegeSemesterWorkflowId } from '../contracts/ids';
import { CollegeIdKey, SemesterIdKey } from '../contracts/search-attributes';
import { addCollegeSignal, addCollegeUpdate, semesterCollegesQuery, type SemesterInput } from '../contracts/semester';
import type { CollegeLadderInput } from '../contracts/ladder';

/** Ladders started at once by a ladder semester (one workflow task per batch). */
const LADDER_START_BATCH = 20;
const LADDER_CONCURRENT_STARTS_PATCH = 'semester-ladder-concurrent-starts';

export async function semesterWorkflow(input: SemesterInput): Promise<{ colleges: number }> {
  const started = new Set<string>();
  const queue = [...input.collegeIds];
  let running = 0;
  const add = (collegeId: string) => {
    if (!started.has(collegeId) && !queue.includes(collegeId)) queue.push(collegeId);
  };
  setHandler(addCollegeSignal, add);
  setHandler(
    addCollegeUpdate,
    (collegeId) => {
      add(collegeId);
      return [...started, ...queue];
    },
    {
      validator: (collegeId) => {
        if (typeof collegeId !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(collegeId)) {
          throw ApplicationFailure.create({
            type: 'SemesterUpdateRejected',
            message: 'a college id is letters, digits, ".", "_" or "-"',
            nonRetryable: true,
          });
        }
      },
    },
  );
  setHandler(semesterCollegesQuery, () => [...started]);

  // A ladder semester starts its colleges' ladders LADDER_START_BATCH at a time (all starts of a
  // batch in one workflow task). Marked by a patch: ladder histories recorded before it started
  // them one at a time and replay on that path. The per-task path is unchanged (no marker).
  const concurrentLadders = input.taskModel === 'ladder' && patched(LADDER_CONCURRENT_STARTS_PATCH);
  const indexed = input.searchAttributes ?? true;
  /** a college's ladder: its id, input and search attributes; left running when the semester closes */
  const ladderOptions = (collegeId: string) => ({
    workflowId: collegeLadderWorkflowId(input.semesterId, collegeId),
    args: [
      {
        semesterId: input.semesterId,
        collegeId,
        searchAttributes: indexed,
        ...(input.exactTimers ? { exactTimers: true } : {}),
      },
    ] as [CollegeLadderInput],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    ...(indexed
      ? {
          typedSearchAttributes: [
            { key: SemesterIdKey, value: input.semesterId },
            { key: CollegeIdKey, value: collegeId },
          ],
        }
      : {}),
  });
  const startLadder = async (collegeId: string) => {
    try {
      const child = await startChild(collegeLadderWorkflow, ladderOptions(collegeId));
      running += 1;
      const closed = () => void (running -= 1);
      child.result().then(closed, closed);
    } catch (e) {
      // already started on its own (a college added mid-semester): nothing to do
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
  };

  for (;;) {
    while (concurrentLadders && queue.length) {
      const batch = queue.splice(0, LADDER_START_BATCH);
      for (const collegeId of batch) started.add(collegeId);
      await Promise.all(batch.map(startLadder));
    }
    while (queue.length) {
      const collegeId = queue.shift()!;
      started.add(collegeId);
      try {
        const child =
          input.taskModel === 'ladder'
            ? await startChild(collegeLadderWorkflow, ladderOptions(collegeId))
            : await startChild(collegeSemesterWorkflow, {
                workflowId: collegeSemesterWorkflowId(input.semesterId, collegeId),
                args: [{ semesterId: input.semesterId, collegeId, nextIndex: 0, searchAttributes: indexed }],
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
