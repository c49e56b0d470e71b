/**
 * Captures replay fixtures of the class and dorm levels' workflows (test/histories/units/): the
 * weekly reports of one college over two weeks, a concern answered in time and one answered after
 * its deadline passed (overdue, then the school), on the time-skipping server with activities that
 * record nothing (ids only). test/replay.test.ts replays them against the current code.
 * Regenerate only for an intended, versioned (patched) change:
 *   npx tsx scripts/capture-unit-histories.ts [test/histories/units]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/aes-gcm';
import { createTimeSkippingEnv } from '../simulation/time-skipping-env';
import { unitConcernWorkflow, unitReportsWorkflow } from '../workflows';
import { respondConcernUpdate, type ConcernEvent, type UnitWeekStep } from '../contracts/units';

const ROOT = path.resolve(__dirname, '..');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const counsellor = { userId: 'u-counsellor', role: 'counsellor', collegeId: 'college-a' };

async function save(client: Client, dir: string, workflowId: string, name: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  fs.writeFileSync(path.join(dir, `${name}.history.pb`), temporal.api.history.v1.History.encode(history).finish());
  console.log(`captured ${name} (${history.events?.length ?? 0} events)`);
}

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? path.join(ROOT, 'test', 'histories', 'units'));
  fs.mkdirSync(dir, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await createTimeSkippingEnv();
  try {
    const queue = 'capture-units';
    const t0 = await env.currentTimeMs();
    const week = (n: number) => ({
      weekNo: n,
      openAt: t0 + HOUR + (n - 1) * 7 * DAY,
      remindAt: t0 + DAY + (n - 1) * 7 * DAY,
      dueAt: t0 + 2 * DAY + (n - 1) * 7 * DAY,
      escalateAt: t0 + 3 * DAY + (n - 1) * 7 * DAY,
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
        failureConverterPath: FAILURE_CONVERTER_PATH,
        logger: new DefaultLogger('WARN'),
      }),
      activities: {
        planUnitReports: async () => ({ weeks: [week(1), week(2)] }),
        moveUnitReports: async (req: { semesterId: string; collegeId: string; steps: UnitWeekStep[] }) => ({
          notify: req.steps
            .filter((s) => s.action !== 'opened')
            .map((s) => `unit-reports.${req.semesterId}.${req.collegeId}/${s.key}`),
        }),
        recordConcernEvent: async (e: ConcernEvent) => ({
          applied: true,
          eventKey: e.step === 'responded' ? null : `unit-concern.${e.reportId}/${e.step}`,
        }),
        deliverNotifications: async () => ({ sent: 0, skipped: 0 }),
      },
    });
    await worker.runUntil(async () => {
      const c = env.client;
      await c.workflow.execute(unitReportsWorkflow, {
        args: [{ semesterId: 'sem-1', collegeId: 'college-a' }],
        taskQueue: queue,
        workflowId: 'unit-reports.sem-1.college-a',
      });
      await save(c, dir, 'unit-reports.sem-1.college-a', 'unit-reports.two-weeks');

      const now = await env.currentTimeMs();
      const answered = await c.workflow.start(unitConcernWorkflow, {
        args: [{ reportId: 'report-1', collegeId: 'college-a', respondBy: now + DAY, schoolAfterMs: DAY }],
        taskQueue: queue,
        workflowId: 'unit-concern.report-1',
      });
      await env.sleep(2 * HOUR);
      await answered.executeUpdate(respondConcernUpdate, {
        args: [{ actor: counsellor, response: 'crisis', note: 'case opened', ref: 'case-1' }],
      });
      await answered.result();
      await save(c, dir, 'unit-concern.report-1', 'unit-concern.answered');

      const later = await env.currentTimeMs();
      const missed = await c.workflow.start(unitConcernWorkflow, {
        args: [{ reportId: 'report-2', collegeId: 'college-a', respondBy: later + DAY, schoolAfterMs: DAY }],
        taskQueue: queue,
        workflowId: 'unit-concern.report-2',
      });
      await env.sleep(2 * DAY + HOUR);
      await missed.executeUpdate(respondConcernUpdate, {
        args: [{ actor: counsellor, response: 'noted', note: 'talked', ref: null }],
      });
      await missed.result();
      await save(c, dir, 'unit-concern.report-2', 'unit-concern.missed-then-answered');
    });
  } finally {
    await env.teardown();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
