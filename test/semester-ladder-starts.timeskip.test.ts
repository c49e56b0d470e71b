/**
 * A ladder semester starts its colleges' ladders 20 at a time (workflows/semester.ts, issue 11):
 * all starts of a batch are commands of one workflow task, marked by a patch so that ladder
 * histories recorded before (one start per workflow task) still replay (test/replay.test.ts).
 * The ladders here have an empty plan that has already ended, so they close at once.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { semesterWorkflow } from '../workflows';
import { timeSkippingEnv, uniqueQueue, workflowBundle } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

test('When a ladder semester of 45 colleges starts, then its ladders are started 20, 20 and 5 per workflow task behind a patch marker, and every college is started once', async () => {
  const taskQueue = uniqueQueue('semester-ladder-starts');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      planCollegeLadder: async () => ({ endsAt: 0, evidence: {}, tasks: [] }),
    },
  });
  const collegeIds = Array.from({ length: 45 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
  const workflowId = `semester.ladder-starts-${taskQueue}`;
  const result = await worker.runUntil(
    env.client.workflow.execute(semesterWorkflow, {
      workflowId,
      taskQueue,
      args: [{ semesterId: `s-${taskQueue}`, collegeIds, searchAttributes: false, taskModel: 'ladder' }],
    }),
  );
  expect(result).toEqual({ colleges: 45 });

  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  // starts per workflow task: the StartChild events after each WorkflowTaskCompleted
  const batches: number[] = [];
  let current = -1;
  let marker = false;
  const started = new Set<string>();
  for (const e of events) {
    if (e.workflowTaskCompletedEventAttributes) current = -1;
    if (e.markerRecordedEventAttributes) marker = true;
    const init = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (init) {
      if (current < 0) {
        batches.push(0);
        current = batches.length - 1;
      }
      batches[current]! += 1;
      started.add(init.workflowId!);
    }
  }
  expect(marker).toBe(true);
  expect(batches).toEqual([20, 20, 5]);
  expect(started.size).toBe(45);
});
