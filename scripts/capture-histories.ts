/**
 * What the scripts that capture replay fixtures share (capture-care-histories.ts,
 * capture-unit-histories.ts, capture-archive-histories.ts): the time-skipping server, a worker on
 * the workflow bundle with the script's activities (which record nothing: the histories hold
 * opaque ids and instants only), and each history saved as `<name>.history.pb` in the folder given
 * on the command line, else test/histories/<folder>. test/replay.test.ts replays them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/aes-gcm';
import { saveHistory } from '../simulation/harness';
import { createTimeSkippingEnv } from '../simulation/time-skipping-env';

const ROOT = path.resolve(__dirname, '..');

export interface Capture {
  env: TestWorkflowEnvironment;
  client: Client;
  /** the worker's task queue */
  queue: string;
  /** writes the history of the workflow's latest run as `<name>.history.pb` */
  save(workflowId: string, name: string): Promise<void>;
}

/** Runs `run` with a worker polling `queue`, then stops the server; exits 1 on an error. */
export function runHistoryCapture(o: {
  folder: string;
  queue: string;
  activities: (env: TestWorkflowEnvironment) => NonNullable<WorkerOptions['activities']>;
  run: (c: Capture) => Promise<void>;
}): void {
  const main = async () => {
    const dir = path.resolve(process.argv[2] ?? path.join(ROOT, 'test', 'histories', o.folder));
    fs.mkdirSync(dir, { recursive: true });
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const env = await createTimeSkippingEnv();
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: o.queue,
        workflowBundle: await bundleWorkflowCode({
          workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
          failureConverterPath: FAILURE_CONVERTER_PATH,
          logger: new DefaultLogger('WARN'),
        }),
        activities: o.activities(env),
      });
      const save = async (workflowId: string, name: string) =>
        console.log(`captured ${name} (${await saveHistory(env.client, dir, workflowId, name)} events)`);
      await worker.runUntil(() => o.run({ env, client: env.client, queue: o.queue, save }));
    } finally {
      await env.teardown();
    }
  };
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
