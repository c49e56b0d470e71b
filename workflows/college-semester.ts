/**
 * college-semester: the checklist of one college for one semester. Gets its dated plan from an
 * activity (the planner runs outside workflow code) and, at each opening time, starts the task
 * workflows that open then; ends when the semester is over and every task is closed.
 *
 * Task workflows are started by an activity rather than as child workflows: they outlive this
 * workflow's continue-as-new runs, and a parent link to a closed run buys nothing (and stalls the
 * time-skipping test server when such a child completes). Starting is idempotent: deterministic
 * ids, duplicates rejected and counted as already started.
 */
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { type CollegeSemesterInput } from '../contracts/semester';
import { MINUTE_STEP_OPTIONS } from './options';

const { planCollegeTasks, countOpenTasks, startTaskWorkflows } = proxyActivities<Activities>(MINUTE_STEP_OPTIONS);

/** opening batches per run before continuing as new: keeps each run's history small */
export const BATCHES_PER_RUN = 25;
/** most tasks started by one activity call */
const MAX_BATCH = 100;
const CLOSE_CHECK_MS = 24 * 3_600_000;

export async function collegeSemesterWorkflow(input: CollegeSemesterInput): Promise<{ tasks: number }> {
  const plan = await planCollegeTasks({ semesterId: input.semesterId, collegeId: input.collegeId });
  const tasks = plan.tasks; // sorted by openAt
  let i = input.nextIndex;
  for (let batches = 0; i < tasks.length; batches++) {
    if (batches >= BATCHES_PER_RUN) await continueAsNew<typeof collegeSemesterWorkflow>({ ...input, nextIndex: i });
    const wait = tasks[i]!.openAt - Date.now();
    if (wait > 0) await sleep(wait);
    // everything that has opened by now goes in one batch (a late start catches up at once)
    const now = Date.now();
    let end = i;
    while (end < tasks.length && end - i < MAX_BATCH && tasks[end]!.openAt <= now) end++;
    await startTaskWorkflows({ tasks: tasks.slice(i, end), searchAttributes: input.searchAttributes ?? true });
    i = end;
  }
  // The semester ends when its last day is over and every task of the college is closed.
  const endWait = plan.endsAt - Date.now();
  if (endWait > 0) await sleep(endWait);
  while ((await countOpenTasks({ semesterId: input.semesterId, collegeId: input.collegeId })) > 0) {
    await sleep(CLOSE_CHECK_MS);
  }
  return { tasks: tasks.length };
}
