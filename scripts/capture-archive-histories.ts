/**
 * Captures replay fixtures of the archive's workflows (test/histories/care/, beside the care
 * procedures' own): the purge timer of a closed archive whose retention was lengthened once (the
 * timer sleeps on, then purges), and a data request reminded, missed and answered late, driven on the time-skipping server with activities that touch
 * nothing (the history holds the opaque id and instants only). test/replay.test.ts replays them.
 * Regenerate only for an intended, versioned (patched) change:
 *   npx tsx scripts/capture-archive-histories.ts [test/histories/care]
 */
import {
  answerDataRequestUpdate,
  dataRequestWorkflowId,
  purgeArchiveWorkflowId,
  type PurgeOutcome,
} from '../contracts/archive';
import { dataRequestWorkflow, purgeArchiveWorkflow } from '../workflows';
import { DAY_MS as DAY } from '../domain/care-durations';
import { runHistoryCapture } from './capture-histories';

/** the purge's instants: the first (365 days from the start), and the lengthened retention's (400 days) */
const at = { first: 0, later: 0 };

runHistoryCapture({
  folder: 'care',
  queue: 'capture-archive',
  activities: (env) => ({
    recordDataRequestEvent: async (e: { requestId: string; step: string }) => ({
      applied: true,
      eventKey: `data-request.${e.requestId}/${e.step}`,
    }),
    deliverNotifications: async () => ({ sent: 0, skipped: 0 }),
    // the retention was lengthened to 400 days before the first instant
    purgeArchiveIfDue: async (): Promise<PurgeOutcome> =>
      (await env.currentTimeMs()) < at.later ? { purged: false, retryAt: at.later } : { purged: true },
  }),
  async run({ env, client, queue, save }) {
    const t0 = await env.currentTimeMs();
    at.first = t0 + 365 * DAY;
    at.later = t0 + 400 * DAY;
    const workflowId = purgeArchiveWorkflowId('capture-student');
    const handle = await client.workflow.start(purgeArchiveWorkflow, {
      workflowId,
      taskQueue: queue,
      args: [{ studentId: 'capture-student', schoolId: 'school-a', purgeDueAt: at.first }],
    });
    await handle.result();
    await save(workflowId, 'purge-archive.lengthened');

    // a data request: the reminder, the missed deadline (the school alerted), a late answer
    const t1 = await env.currentTimeMs();
    const request = await client.workflow.start(dataRequestWorkflow, {
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
    await save(dataRequestWorkflowId('capture-request'), 'data-request.missed-then-answered');
  },
});
