/**
 * Worker tuning as configuration: WORKER_* variables → the SDK's WorkerOptions, with the SDK's
 * defaults when unset and a message naming the variable for a bad value.
 */
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../server/platform/config/config';
import { describeWorkerTuning, workerTuning } from '../server/worker-tuning';

const configError = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
};

describe('worker tuning', () => {
  test('When nothing is set, then the worker gets the SDK defaults (one thread, 40 workflow task slots, 100 activity and local activity slots) and the SDK keeps its own cache size, pollers and rates', () => {
    expect(workerTuning(loadConfig({}))).toEqual({
      workflowThreadPoolSize: 1,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 100,
      maxConcurrentLocalActivityExecutions: 100,
    });
    expect(describeWorkerTuning(loadConfig({}))).toBe(
      'threads=1 cache=sdk wft_slots=40 activity_slots=100 local_activity_slots=100 wft_pollers=sdk activity_pollers=sdk activities_per_s=unlimited queue_activities_per_s=unlimited stack_traces=on',
    );
  });

  test('When every variable is set, then each reaches its WorkerOptions field', () => {
    const config = loadConfig({
      WORKER_WORKFLOW_THREADS: '2',
      WORKER_MAX_CACHED_WORKFLOWS: '5000',
      WORKER_WORKFLOW_TASK_SLOTS: '200',
      WORKER_ACTIVITY_TASK_SLOTS: '300',
      WORKER_LOCAL_ACTIVITY_SLOTS: '50',
      WORKER_WORKFLOW_POLLERS: '20',
      WORKER_ACTIVITY_POLLERS: '30',
      WORKER_MAX_ACTIVITIES_PER_SECOND: '250.5',
      WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND: '1000',
    });
    expect(workerTuning(config)).toEqual({
      workflowThreadPoolSize: 2,
      maxCachedWorkflows: 5000,
      maxConcurrentWorkflowTaskExecutions: 200,
      maxConcurrentActivityTaskExecutions: 300,
      maxConcurrentLocalActivityExecutions: 50,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 20 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 30 },
      maxActivitiesPerSecond: 250.5,
      maxTaskQueueActivitiesPerSecond: 1000,
    });
  });

  test('When the cache is switched off (0), then that is passed on, and the workflow task slots need not fit a cache', () => {
    expect(
      workerTuning(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0', WORKER_WORKFLOW_TASK_SLOTS: '500' })),
    ).toMatchObject({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 500,
    });
  });

  test.each([
    ['WORKER_WORKFLOW_THREADS', 'two'],
    ['WORKER_WORKFLOW_THREADS', '0'],
    ['WORKER_WORKFLOW_THREADS', '1.5'],
    ['WORKER_MAX_CACHED_WORKFLOWS', '1'],
    ['WORKER_MAX_CACHED_WORKFLOWS', '-5'],
    ['WORKER_WORKFLOW_TASK_SLOTS', '1'],
    ['WORKER_ACTIVITY_TASK_SLOTS', '0'],
    ['WORKER_LOCAL_ACTIVITY_SLOTS', 'many'],
    ['WORKER_WORKFLOW_POLLERS', '1'],
    ['WORKER_ACTIVITY_POLLERS', '0'],
    ['WORKER_MAX_ACTIVITIES_PER_SECOND', '0'],
    ['WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND', '-1'],
  ])('When %s is %j, then the start fails with a message naming the variable and the value', (name, value) => {
    const message = configError({ [name]: value });
    expect(message).toContain(`${name}: `);
    expect(message).toContain(`(got ${JSON.stringify(value)})`);
  });

  test('When the settings contradict each other, then the message names the variable and what it must fit', () => {
    expect(configError({ WORKER_MAX_CACHED_WORKFLOWS: '100', WORKER_WORKFLOW_TASK_SLOTS: '200' })).toContain(
      'WORKER_WORKFLOW_TASK_SLOTS: must not exceed WORKER_MAX_CACHED_WORKFLOWS (100) while the cache is on (got "200")',
    );
    expect(configError({ WORKER_MAX_CACHED_WORKFLOWS: '10' })).toContain(
      'WORKER_WORKFLOW_TASK_SLOTS: must not exceed WORKER_MAX_CACHED_WORKFLOWS (10) while the cache is on (the default 40)',
    );
    expect(configError({ WORKER_WORKFLOW_POLLERS: '50' })).toContain(
      'WORKER_WORKFLOW_POLLERS: must not exceed WORKER_WORKFLOW_TASK_SLOTS (40) (got "50")',
    );
    expect(configError({ WORKER_ACTIVITY_TASK_SLOTS: '5', WORKER_ACTIVITY_POLLERS: '6' })).toContain(
      'WORKER_ACTIVITY_POLLERS: must not exceed WORKER_ACTIVITY_TASK_SLOTS (5) (got "6")',
    );
  });
});
