/**
 * Captures replay fixtures of the archive's workflows (test/histories/care/, beside the care
 * procedures' own): the purge timer of a closed archive whose retention was lengthened once (the
 * timer sleeps on, then purges), and a data request reminded, missed and answered late, driven on the time-skipping server with activities that touch
 * nothing (the history holds the opaque id and instants only). test/replay.test.ts replays them.
 * Regenerate only for an intended, versioned (patched) change:
 *   npx tsx scripts/capture-archive-histories.ts [test/histories/care]
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/aes-gcm';
import {
  answerDataRequestUpdate,
  dataRequestWorkflowId,
  purgeArchiveWorkflowId,
  type PurgeOutcome,
} from '../contracts/archive';
import { createTimeSkippingEnv } from '../simulation/time-skipping-env';
import { dataRequestWorkflow, purgeArchiveWorkflow } from '../workflows';

const ROOT = path.resolve(__dirname, '..');
const DAY = 86_400_000;

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? path.join(ROOT, 'test', 'histories', 'care'));
  fs.mkdirSync(dir, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await createTimeSkippingEnv();
  try {
    const queue = 'capture-archive';
    const t0 = await env.currentTimeMs();
    const first = t0 + 365 * DAY;
    const later = t0 + 400 * DAY;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
        failureConverterPath: FAILURE_CONVERTER_PATH,
        logger: new DefaultLogger('WARN'),
      }),
      activities: {
        recordDataRequestEvent: async (e: { requestId: string; step: string }) => ({
          applied: true,
          eventKey: `data-request.${e.requestId}/${e.step}`,
        }),
        deliverNotifications: async () => ({ sent: 0, skipped: 0 }),
        // the retention was lengthened to 400 days before the first instant
        purgeArchiveIfDue: async (): Promise<PurgeOutcome> =>
          (await env.currentTimeMs()) < later ? { purged: false, retryAt: later } : { purged: true },
      },
    });
    await worker.runUntil(async () => {
      const workflowId = purgeArchiveWorkflowId('capture-student');
      const handle = await env.client.workflow.start(purgeArchiveWorkflow, {
        workflowId,
        taskQueue: queue,
        args: [{ studentId: 'capture-student', schoolId: 'school-a', purgeDueAt: first }],
      });
      await handle.result();
      const history = await handle.fetchHistory();
      const name = 'purge-archive.lengthened';
      fs.writeFileSync(path.join(dir, `${name}.history.pb`), temporal.api.history.v1.History.encode(history).finish());
      console.log(`captured ${name} (${history.events?.length ?? 0} events)`);

      // a data request: the reminder, the missed deadline (the school alerted), a late answer
      const t1 = await env.currentTimeMs();
      const request = await env.client.workflow.start(dataRequestWorkflow, {
        workflowId: dataRequestWorkflowId('capture-request'),
        taskQueue: queue,
        args: [
          {
            requestId: 'capture-request',
            schoolId: 'school-a',
            receivedAt: t1,
            dueAt: t1 + 16 * DAY,
            remindBeforeMs: 3 * DAY,
          },
        ],
      });
      await env.sleep(17 * DAY);
      await request.executeUpdate(answerDataRequestUpdate, {
        args: [{ actor: { userId: 'u-admin', role: 'school_admin', collegeId: null }, answer: 'given' }],
      });
      await request.result();
      const h2 = await request.fetchHistory();
      fs.writeFileSync(
        path.join(dir, 'data-request.missed-then-answered.history.pb'),
        temporal.api.history.v1.History.encode(h2).finish(),
      );
      console.log(`captured data-request.missed-then-answered (${h2.events?.length ?? 0} events)`);
    });
  } finally {
    await env.teardown();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
