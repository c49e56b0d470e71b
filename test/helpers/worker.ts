/**
 * Workers for tests: a worker on a test file's bundle and a queue of its own, the activity sets the
 * tests run (the worker's whole set, or the task/ladder/delivery activities over one store), and
 * the stack most HTTP tests stand on: a Temporal server, the web fixture and a running worker.
 */
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createActivities } from '../../activities';
import { createLadderActivities } from '../../activities/ladder';
import type { Store, TaskInstanceRow } from '../../db/store';
import { activityVerification, keyFromSeed, loadLegacyBefore, type Integrity } from '../../codec/signing';
import { createDeliveryActivities, createOutbox } from '../../notifications/outbox';
import type { AppDeps } from '../../server/platform/deps';
import { allActivities } from '../../server/worker';
import { startTaskAndWait } from './tasks';
import { devServerEnv, timeSkippingEnv, uniqueQueue, workflowBundle } from './temporal';
import { webFixture, type WebFixture } from './web';

type Activities = NonNullable<WorkerOptions['activities']>;

/** A worker on the test file's workflow bundle, polling `queue` of `env`. */
export async function testWorker(
  env: TestWorkflowEnvironment,
  queue: string,
  activities: Activities,
  options: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue: queue,
    workflowBundle: await workflowBundle(),
    activities,
    ...options,
  });
}

/** An outbox that records notifications and has no external channel. */
export const quietOutbox = (knex: Knex) => createOutbox({ knex, channels: {} });

/** The worker's own set of activities (server/worker.ts), over `knex` and an outbox with no external channel. */
export const workerActivities = (knex: Knex, client: Client) =>
  allActivities({ knex, client, outbox: quietOutbox(knex) });

/** The task workflow's activities and the delivery of its notices, over one store. */
export const taskActivities = (db: { store: Store; knex: Knex }, client: Client) => ({
  ...createActivities({ store: db.store, client }),
  ...createDeliveryActivities({ outbox: quietOutbox(db.knex) }),
});

/** The task activities and the college ladder's (workflows/college-ladder.ts). */
export const ladderActivities = (db: { store: Store; knex: Knex }, client: Client) => ({
  ...taskActivities(db, client),
  ...createLadderActivities({ store: db.store, client }),
});

export interface WorkerStack {
  env: TestWorkflowEnvironment;
  fx: WebFixture;
  queue: string;
  worker: Worker;
  /** starts a planned row's task workflow (per-task semesters) and waits until it leaves 'planned' */
  startTask(row: TaskInstanceRow): Promise<void>;
  /** stops the worker (and throws what its run threw), then closes the web fixture and the server */
  close(): Promise<void>;
}

/**
 * A Temporal server (time-skipping unless `server: 'dev'`), the web fixture on its client and a
 * queue of the test file's own, and a worker running on that queue. `activities` default to the
 * worker's whole set over the fixture's database.
 */
export async function workerStack(
  name: string,
  opts: {
    server?: 'time-skipping' | 'dev';
    taskModel?: 'per-task' | 'ladder';
    plan?: boolean;
    deps?: Partial<AppDeps>;
    activities?: (fx: WebFixture, env: TestWorkflowEnvironment) => Activities;
  } = {},
): Promise<WorkerStack> {
  const env = opts.server === 'dev' ? await devServerEnv() : await timeSkippingEnv();
  const queue = uniqueQueue(name);
  const fx = await webFixture(
    { client: env.client, taskQueue: queue, ...opts.deps },
    { taskModel: opts.taskModel, plan: opts.plan },
  );
  const activities = opts.activities?.(fx, env) ?? workerActivities(fx.knex, env.client);
  const worker = await testWorker(env, queue, activities);
  const running = worker.run();
  running.catch(() => undefined); // surfaced by close()
  return {
    env,
    fx,
    queue,
    worker,
    startTask: (row) => startTaskAndWait(env.client, queue, fx.store, row),
    async close() {
      try {
        worker.shutdown();
        await running;
      } finally {
        await fx.close();
        await env.teardown();
      }
    },
  };
}

/** A fresh signing key for the app (codec/signing.ts), with the database's legacy cut-off. */
export async function freshIntegrity(knex: Knex): Promise<Integrity> {
  return { keys: { current: keyFromSeed(randomBytes(32)), previous: [] }, legacyBefore: await loadLegacyBefore(knex) };
}

/** A worker that, as in production, runs only activities of workflows the app started with `integrity`'s key. */
export function verifyingWorker(
  env: TestWorkflowEnvironment,
  queue: string,
  integrity: Integrity,
  activities: Activities,
): Promise<Worker> {
  return testWorker(env, queue, activities, { interceptors: { activity: [activityVerification(integrity)] } });
}

/**
 * Activities for a workflow whose steps are recorded by the activity `record`: each event is kept
 * in `events` (and applied, under the key `keyOf` gives it), each delivery's key in `delivered`.
 */
export function memoryEventActivities<E>(
  record: string,
  keyOf: (e: E) => string,
  events: E[],
  delivered: string[],
): Activities {
  return {
    [record]: async (e: E) => {
      events.push(e);
      return { applied: true, eventKey: keyOf(e) };
    },
    async deliverNotifications({ eventKey }: { eventKey: string }) {
      delivered.push(eventKey);
      return { sent: 1, skipped: 0 };
    },
  };
}

/** Stops a worker started with `worker.run()` (its run promise settled), then the Temporal environment and the fixture. */
export async function stopAll(parts: {
  worker?: { shutdown(): void };
  running?: Promise<unknown>;
  env?: { teardown(): Promise<void> };
  fx?: { close(): Promise<void> };
}): Promise<void> {
  parts.worker?.shutdown();
  await parts.running?.catch(() => undefined);
  await parts.env?.teardown();
  await parts.fx?.close();
}
