/**
 * Worker tuning as configuration (issue 11): the WORKER_* variables of server/config.ts as the
 * SDK's WorkerOptions. Unset optional values are left out, so the SDK's own default applies
 * (the cache size it derives from the heap, unlimited activity rates, min(10, slots) pollers).
 */
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from './platform/config/config';

export type WorkerTuningConfig = Pick<
  Config,
  | 'WORKER_WORKFLOW_THREADS'
  | 'WORKER_MAX_CACHED_WORKFLOWS'
  | 'WORKER_WORKFLOW_TASK_SLOTS'
  | 'WORKER_ACTIVITY_TASK_SLOTS'
  | 'WORKER_LOCAL_ACTIVITY_SLOTS'
  | 'WORKER_WORKFLOW_POLLERS'
  | 'WORKER_ACTIVITY_POLLERS'
  | 'WORKER_MAX_ACTIVITIES_PER_SECOND'
  | 'WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND'
  | 'WORKER_WORKFLOW_STACK_TRACES'
>;

export type WorkerTuning = Pick<
  WorkerOptions,
  | 'workflowThreadPoolSize'
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'workflowTaskPollerBehavior'
  | 'activityTaskPollerBehavior'
  | 'maxActivitiesPerSecond'
  | 'maxTaskQueueActivitiesPerSecond'
>;

/** The WorkerOptions of the configured tuning; spread them into Worker.create. */
export function workerTuning(c: WorkerTuningConfig): WorkerTuning {
  return {
    workflowThreadPoolSize: c.WORKER_WORKFLOW_THREADS,
    maxConcurrentWorkflowTaskExecutions: c.WORKER_WORKFLOW_TASK_SLOTS,
    maxConcurrentActivityTaskExecutions: c.WORKER_ACTIVITY_TASK_SLOTS,
    maxConcurrentLocalActivityExecutions: c.WORKER_LOCAL_ACTIVITY_SLOTS,
    ...(c.WORKER_MAX_CACHED_WORKFLOWS !== undefined ? { maxCachedWorkflows: c.WORKER_MAX_CACHED_WORKFLOWS } : {}),
    ...(c.WORKER_WORKFLOW_POLLERS !== undefined
      ? { workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: c.WORKER_WORKFLOW_POLLERS } }
      : {}),
    ...(c.WORKER_ACTIVITY_POLLERS !== undefined
      ? { activityTaskPollerBehavior: { type: 'simple-maximum', maximum: c.WORKER_ACTIVITY_POLLERS } }
      : {}),
    ...(c.WORKER_MAX_ACTIVITIES_PER_SECOND !== undefined
      ? { maxActivitiesPerSecond: c.WORKER_MAX_ACTIVITIES_PER_SECOND }
      : {}),
    ...(c.WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND !== undefined
      ? { maxTaskQueueActivitiesPerSecond: c.WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND }
      : {}),
  };
}

/** One line for logs and benchmark output: `threads=1 cache=sdk wft_slots=40 …` (`sdk`: the SDK's default). */
export function describeWorkerTuning(c: WorkerTuningConfig): string {
  const v = (x: number | undefined) => (x === undefined ? 'sdk' : String(x));
  return [
    `threads=${c.WORKER_WORKFLOW_THREADS}`,
    `cache=${v(c.WORKER_MAX_CACHED_WORKFLOWS)}`,
    `wft_slots=${c.WORKER_WORKFLOW_TASK_SLOTS}`,
    `activity_slots=${c.WORKER_ACTIVITY_TASK_SLOTS}`,
    `local_activity_slots=${c.WORKER_LOCAL_ACTIVITY_SLOTS}`,
    `wft_pollers=${v(c.WORKER_WORKFLOW_POLLERS)}`,
    `activity_pollers=${v(c.WORKER_ACTIVITY_POLLERS)}`,
    `activities_per_s=${c.WORKER_MAX_ACTIVITIES_PER_SECOND ?? 'unlimited'}`,
    `queue_activities_per_s=${c.WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND ?? 'unlimited'}`,
    `stack_traces=${c.WORKER_WORKFLOW_STACK_TRACES}`,
  ].join(' ');
}
