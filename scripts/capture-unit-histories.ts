/**
 * Captures replay fixtures of the class and dorm levels' workflows (test/histories/units/): the
 * weekly reports of one college over two weeks, a concern answered in time and one answered after
 * its deadline passed (overdue, then the school), on the time-skipping server with activities that
 * record nothing (ids only). test/replay.test.ts replays them against the current code.
 * Regenerate only for an intended, versioned (patched) change:
 *   npx tsx scripts/capture-unit-histories.ts [test/histories/units]
 */
import { unitConcernWorkflow, unitReportsWorkflow } from '../workflows';
import {
  respondConcernUpdate,
  type ConcernEvent,
  type ConcernResponseKind,
  type UnitWeekStep,
} from '../contracts/units';
import { DAY_MS as DAY, HOUR_MS as HOUR } from '../domain/care-durations';
import { runHistoryCapture } from './capture-histories';

const counsellor = { userId: 'u-counsellor', role: 'counsellor', collegeId: 'college-a' };

/** the server's time when the capture starts: the weeks' instants count from it */
let t0 = 0;
const week = (n: number) => ({
  weekNo: n,
  openAt: t0 + HOUR + (n - 1) * 7 * DAY,
  remindAt: t0 + DAY + (n - 1) * 7 * DAY,
  dueAt: t0 + 2 * DAY + (n - 1) * 7 * DAY,
  escalateAt: t0 + 3 * DAY + (n - 1) * 7 * DAY,
});

runHistoryCapture({
  folder: 'units',
  queue: 'capture-units',
  activities: () => ({
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
  }),
  async run({ env, client: c, queue, save }) {
    t0 = await env.currentTimeMs();
    await c.workflow.execute(unitReportsWorkflow, {
      args: [{ semesterId: 'sem-1', collegeId: 'college-a' }],
      taskQueue: queue,
      workflowId: 'unit-reports.sem-1.college-a',
    });
    await save('unit-reports.sem-1.college-a', 'unit-reports.two-weeks');

    /** A concern due a day after it is raised, answered `after` its start. */
    const concern = async (
      reportId: string,
      after: number,
      answer: { response: ConcernResponseKind; note: string; ref: string | null },
    ) => {
      const now = await env.currentTimeMs();
      const handle = await c.workflow.start(unitConcernWorkflow, {
        args: [{ reportId, collegeId: 'college-a', respondBy: now + DAY, schoolAfterMs: DAY }],
        taskQueue: queue,
        workflowId: `unit-concern.${reportId}`,
      });
      await env.sleep(after);
      await handle.executeUpdate(respondConcernUpdate, { args: [{ actor: counsellor, ...answer }] });
      await handle.result();
    };
    await concern('report-1', 2 * HOUR, { response: 'crisis', note: 'case opened', ref: 'case-1' });
    await save('unit-concern.report-1', 'unit-concern.answered');
    await concern('report-2', 2 * DAY + HOUR, { response: 'noted', note: 'talked', ref: null });
    await save('unit-concern.report-2', 'unit-concern.missed-then-answered');
  },
});
