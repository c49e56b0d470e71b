/**
 * Captures replay fixtures of the care procedures' workflows (test/histories/care/): each one
 * driven through its paths on the time-skipping server, with activities that record nothing (the
 * histories hold opaque ids only). test/replay.test.ts replays them against the current code, so a
 * change that would break running crisis, supervision, screening or pairing workflows fails there.
 * Regenerate only for an intended, versioned (patched) change:
 *   npx tsx scripts/capture-care-histories.ts [test/histories/care]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/aes-gcm';
import { createTimeSkippingEnv } from '../simulation/time-skipping-env';
import { crisisCaseWorkflow, pairingWorkflow, screeningFollowUpWorkflow } from '../workflows';
import { DEFAULT_CRISIS_DURATIONS, DEFAULT_PAIRING_CLOCK } from '../domain/care-durations';
import {
  acknowledgeOnSceneUpdate,
  checkInUpdate,
  confirmSchoolNotifiedUpdate,
  endPairingUpdate,
  fiveOnesUpdate,
  handOverUpdate,
  recordActionUpdate,
  recordInterviewUpdate,
  recordTalkUpdate,
  setGuardianUpdate,
} from '../contracts';

const ROOT = path.resolve(__dirname, '..');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const counsellor = { userId: 'u-counsellor', role: 'counsellor', collegeId: 'college-a' };
const teacher = { userId: 'u-teacher', role: 'class_teacher', collegeId: 'college-a' };
const leader = { userId: 'u-leader', role: 'college_leader', collegeId: 'college-a' };

async function save(client: Client, dir: string, workflowId: string, name: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  fs.writeFileSync(path.join(dir, `${name}.history.pb`), temporal.api.history.v1.History.encode(history).finish());
  console.log(`captured ${name} (${history.events?.length ?? 0} events)`);
}

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? path.join(ROOT, 'test', 'histories', 'care'));
  fs.mkdirSync(dir, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await createTimeSkippingEnv();
  try {
    const queue = 'capture-care';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
        failureConverterPath: FAILURE_CONVERTER_PATH,
        logger: new DefaultLogger('WARN'),
      }),
      activities: {
        recordCrisisEvent: async (e: { caseId: string; step: string }) => ({
          applied: true,
          eventKey: `crisis.${e.caseId}/${e.step}`,
        }),
        recordScreeningEvent: async (e: { warningId: string; step: string }) => ({
          applied: true,
          eventKey: `screening.${e.warningId}/${e.step}`,
        }),
        recordPairingEvent: async (e: { pairingId: string; step: string }) => ({
          applied: true,
          eventKey: `pairing.${e.pairingId}/${e.step}`,
        }),
        deliverNotifications: async () => ({ sent: 0, skipped: 0 }),
      },
    });
    await worker.runUntil(async () => {
      const c = env.client;
      const t0 = await env.currentTimeMs();
      const until = async (offset: number) => env.sleep(t0 + offset - (await env.currentTimeMs()));

      // 1. risk of self-harm: on scene, guardian, check-ins with one missed, a guardian hand-off,
      //    no hand-over at 24 h (hourly school alerts), hand-over at 26:30, the five ones
      const selfHarm = await c.workflow.start(crisisCaseWorkflow, {
        workflowId: 'crisis.capture-self-harm',
        taskQueue: queue,
        args: [
          {
            caseId: 'capture-self-harm',
            collegeId: 'college-a',
            situation: 'self_harm_risk',
            reportedAt: t0,
            reportedBy: teacher.userId,
            durations: DEFAULT_CRISIS_DURATIONS,
          },
        ],
      });
      const supervision = c.workflow.getHandle('supervision.capture-self-harm');
      await until(10 * MIN);
      await selfHarm.executeUpdate(acknowledgeOnSceneUpdate, { args: [{ actor: teacher }] });
      await until(15 * MIN);
      await supervision.executeUpdate(setGuardianUpdate, {
        args: [{ actor: counsellor, guardianUserId: counsellor.userId }],
      });
      await until(40 * MIN);
      await selfHarm.executeUpdate(confirmSchoolNotifiedUpdate, {
        args: [{ actor: leader, departments: ['counselling-centre', 'security-office', 'clinic'] }],
      });
      for (const at of [1 * HOUR + 55 * MIN, 3 * HOUR + 50 * MIN, 6 * HOUR + 30 * MIN]) {
        await until(at);
        await supervision.executeUpdate(checkInUpdate, { args: [{ actor: counsellor, note: 'ok' }] });
      }
      await until(7 * HOUR);
      await supervision.executeUpdate(setGuardianUpdate, { args: [{ actor: leader, guardianUserId: teacher.userId }] });
      for (let at = 8 * HOUR + 20 * MIN; at < 26 * HOUR; at += 110 * MIN) {
        await until(at);
        await supervision.executeUpdate(checkInUpdate, { args: [{ actor: teacher, note: 'ok' }] });
      }
      await until(26 * HOUR + 30 * MIN);
      await supervision.executeUpdate(handOverUpdate, {
        args: [
          {
            actor: leader,
            receivedBy: 'parent',
            at: t0 + 26 * HOUR + 30 * MIN,
            witnessedBy: [counsellor.userId, teacher.userId],
          },
        ],
      });
      await until(26 * HOUR + 31 * MIN);
      await selfHarm.executeUpdate(fiveOnesUpdate, {
        args: [
          {
            actor: leader,
            leaderUserId: leader.userId,
            team: [counsellor.userId, teacher.userId],
            plan: 'plan',
            followUp: 'weekly talks',
          },
        ],
      });
      await selfHarm.result();
      await save(c, dir, 'crisis.capture-self-harm', 'crisis-case.self-harm');
      await save(c, dir, 'supervision.capture-self-harm', 'supervision.self-harm');

      // 2. injury: no one on scene (level 1, then 2), the branch actions, the five ones
      const t1 = await env.currentTimeMs();
      const injury = await c.workflow.start(crisisCaseWorkflow, {
        workflowId: 'crisis.capture-injury',
        taskQueue: queue,
        args: [
          {
            caseId: 'capture-injury',
            collegeId: 'college-a',
            situation: 'injury',
            reportedAt: t1,
            reportedBy: teacher.userId,
            durations: DEFAULT_CRISIS_DURATIONS,
          },
        ],
      });
      await env.sleep(70 * MIN);
      await injury.executeUpdate(acknowledgeOnSceneUpdate, { args: [{ actor: counsellor }] });
      await injury.executeUpdate(recordActionUpdate, { args: [{ actor: counsellor, action: 'parents-authorised' }] });
      await injury.executeUpdate(recordActionUpdate, { args: [{ actor: counsellor, action: 'taken-to-hospital' }] });
      await injury.executeUpdate(confirmSchoolNotifiedUpdate, {
        args: [{ actor: leader, departments: ['counselling-centre', 'security-office', 'clinic'] }],
      });
      await injury.executeUpdate(fiveOnesUpdate, {
        args: [
          { actor: leader, leaderUserId: leader.userId, team: [counsellor.userId], plan: 'plan', followUp: 'visits' },
        ],
      });
      await injury.result();
      await save(c, dir, 'crisis.capture-injury', 'crisis-case.injury');

      // 3. a red warning: reminder, overdue, escalated to the school, then a high-risk interview
      const t2 = await env.currentTimeMs();
      const warning = await c.workflow.start(screeningFollowUpWorkflow, {
        workflowId: 'screening.capture-red',
        taskQueue: queue,
        args: [{ warningId: 'capture-red', collegeId: 'college-a', level: 'red', importedAt: t2, dueAt: t2 + 3 * DAY }],
      });
      await env.sleep(6 * DAY);
      const record = {
        rapport: 'r',
        emotions: 'e',
        socialFunctioning: 's',
        coping: 'c',
        riskOfExtremeThoughts: 'x',
        assessment: 'high_risk' as const,
        needsCounselling: true,
        needsCrisisIntervention: true,
      };
      await warning.executeUpdate(recordInterviewUpdate, { args: [{ actor: counsellor, record }] });
      await warning.result();
      await save(c, dir, 'screening.capture-red', 'screening-follow-up.red-escalated-high-risk');

      // 4. pairing: a talk on day 10, the next clock missed (reminder, level 1, level 2), ended
      const t3 = await env.currentTimeMs();
      const pairing = await c.workflow.start(pairingWorkflow, {
        workflowId: 'pairing.capture',
        taskQueue: queue,
        args: [
          {
            pairingId: 'capture',
            collegeId: 'college-a',
            teacherUserId: teacher.userId,
            lastTalkAt: t3,
            ...DEFAULT_PAIRING_CLOCK,
          },
        ],
      });
      await env.sleep(10 * DAY);
      await pairing.executeUpdate(recordTalkUpdate, { args: [{ actor: teacher, note: 'talk' }] });
      await env.sleep(20 * DAY);
      await pairing.executeUpdate(endPairingUpdate, { args: [{ actor: leader, reason: 'graduated' }] });
      await pairing.result();
      await save(c, dir, 'pairing.capture', 'pairing.missed-then-ended');
    });
  } finally {
    await env.teardown();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
