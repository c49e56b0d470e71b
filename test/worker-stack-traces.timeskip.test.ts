/**
 * WORKER_WORKFLOW_STACK_TRACES (server/workflow-threads/stack-traces.ts): with `off`, the worker's
 * workflow threads skip the SDK's promise hook, and the "stack trace" query says so; with `on`
 * (the default) the query answers where the workflow waits. A worker started with `off` runs its
 * workflows the same. This test fails when the preload no longer reaches the SDK's internals (the
 * query would then answer a stack with `off`).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collegeLadderWorkflow } from '../workflows';
import { ladderSummaryQuery } from '../contracts';
import { loadConfig, ConfigError } from '../server/platform/config/config';
import { describeWorkerTuning } from '../server/worker-tuning';
import { withStackTraces, type StackTraces } from '../server/workflow-threads/stack-traces';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';
import { testWorker } from './helpers/worker';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** A ladder with no task, waiting for its semester's end a year away; what the stack trace query answers. */
async function stackTraceWith(setting: StackTraces): Promise<{ answer: string; summary: unknown }> {
  const queue = uniqueQueue(`stack-traces-${setting}`);
  const worker = await withStackTraces(setting, () => testWorker(env, queue, {}));
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(collegeLadderWorkflow, {
      workflowId: `stack-traces-${setting}-${queue}`,
      taskQueue: queue,
      args: [
        {
          semesterId: 'stack-traces',
          collegeId: 'literature',
          searchAttributes: false,
          plan: { endsAt: Date.now() + 365 * 86_400_000, tasks: [], evidence: {} },
        },
      ],
    });
    const summary = await handle.query(ladderSummaryQuery);
    const answer = await handle.query<string>('__stack_trace').then(
      (s) => s,
      (e: Error) => `refused: ${e.message}`,
    );
    await handle.terminate('test over');
    return { answer, summary };
  });
}

describe('workflow stack traces as worker configuration', () => {
  test('When stack traces are on, then the query answers where the ladder waits', async () => {
    const { answer, summary } = await stackTraceWith('on');
    expect(answer).toContain('collegeLadderWorkflow');
    expect(summary).toMatchObject({ open: 0, planned: 0 });
  });

  test('When stack traces are off, then the workflow runs the same and the query answers that they are not enabled', async () => {
    const { answer, summary } = await stackTraceWith('off');
    // the SDK refuses the query ("Workflow stack traces are not enabled on this worker"); the
    // workflows' failure converter encodes messages, so the client reads only that it was refused
    expect(answer).toMatch(/^refused: /);
    expect(answer).not.toContain('collegeLadderWorkflow');
    expect(summary).toMatchObject({ open: 0, planned: 0 });
  });

  test('When the variable is set, then on and off are read and anything else is refused by name', () => {
    expect(loadConfig({}).WORKER_WORKFLOW_STACK_TRACES).toBe('on');
    expect(loadConfig({ WORKER_WORKFLOW_STACK_TRACES: 'off' }).WORKER_WORKFLOW_STACK_TRACES).toBe('off');
    expect(describeWorkerTuning(loadConfig({ WORKER_WORKFLOW_STACK_TRACES: 'off' }))).toContain('stack_traces=off');
    expect(() => loadConfig({ WORKER_WORKFLOW_STACK_TRACES: 'no' })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKER_WORKFLOW_STACK_TRACES: 'no' })).toThrow(/WORKER_WORKFLOW_STACK_TRACES.*on or off/);
  });
});
