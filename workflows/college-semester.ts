/**
 * college-semester: the checklist of one college for one semester. Gets its dated plan from
 * an activity (the planner runs outside workflow code), starts a task child at each task's
 * opening time, and ends when the semester is over and every task is closed. Continues as new
 * every CHILDREN_PER_RUN starts so its history stays bounded all semester.
 */
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  continueAsNew,
  proxyActivities,
  sleep,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import { SemesterIdKey, CollegeIdKey, TaskKindKey } from './search-attributes';
import { taskWorkflow } from './task';

const { planCollegeTasks, countOpenTasks } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface CollegeSemesterInput {
  semesterId: string;
  collegeId: string;
  /** index of the next planned task to start (carried over continue-as-new) */
  nextIndex: number;
}

export const CHILDREN_PER_RUN = 40;
const CLOSE_CHECK_MS = 24 * 3_600_000;

export async function collegeSemesterWorkflow(input: CollegeSemesterInput): Promise<{ tasks: number }> {
  const plan = await planCollegeTasks({ semesterId: input.semesterId, collegeId: input.collegeId });
  let startedThisRun = 0;
  for (let i = input.nextIndex; i < plan.tasks.length; i++) {
    if (startedThisRun >= CHILDREN_PER_RUN) await continueAsNew<typeof collegeSemesterWorkflow>({ ...input, nextIndex: i });
    const task = plan.tasks[i]!;
    const wait = task.openAt - Date.now();
    if (wait > 0) await sleep(wait);
    try {
      await startChild(taskWorkflow, {
        workflowId: task.taskId,
        args: [task],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: SemesterIdKey, value: task.semesterId },
          { key: CollegeIdKey, value: task.collegeId },
          { key: TaskKindKey, value: task.kind },
        ],
      });
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
    startedThisRun += 1;
  }
  // The semester ends when its last day is over and every task of the college is closed.
  const endWait = plan.endsAt - Date.now();
  if (endWait > 0) await sleep(endWait);
  while ((await countOpenTasks({ semesterId: input.semesterId, collegeId: input.collegeId })) > 0) {
    await sleep(CLOSE_CHECK_MS);
  }
  return { tasks: plan.tasks.length };
}
