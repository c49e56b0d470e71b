/**
 * Captures replay fixtures of the care procedures' workflows (test/histories/care/): each one
 * driven through its paths on the time-skipping server, with activities that record nothing (the
 * histories hold opaque ids only). test/replay.test.ts replays them against the current code, so a
 * change that would break running crisis, supervision, screening or pairing workflows fails there.
 * Regenerate only for an intended, versioned (patched) change:
 *   npx tsx scripts/capture-care-histories.ts [test/histories/care]
 */
import { crisisCaseWorkflow, pairingWorkflow, screeningFollowUpWorkflow } from '../workflows';
import {
  DAY_MS as DAY,
  DEFAULT_CRISIS_DURATIONS,
  DEFAULT_PAIRING_CLOCK,
  HOUR_MS as HOUR,
  MINUTE_MS as MIN,
} from '../domain/care-durations';
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
import { runHistoryCapture } from './capture-histories';

const counsellor = { userId: 'u-counsellor', role: 'counsellor', collegeId: 'college-a' };
const teacher = { userId: 'u-teacher', role: 'class_teacher', collegeId: 'college-a' };
const leader = { userId: 'u-leader', role: 'college_leader', collegeId: 'college-a' };

runHistoryCapture({
  folder: 'care',
  queue: 'capture-care',
  activities: () => ({
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
  }),
  async run({ env, client: c, queue, save }) {
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
    await save('crisis.capture-self-harm', 'crisis-case.self-harm');
    await save('supervision.capture-self-harm', 'supervision.self-harm');

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
    await save('crisis.capture-injury', 'crisis-case.injury');

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
    await save('screening.capture-red', 'screening-follow-up.red-escalated-high-risk');

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
    await save('pairing.capture', 'pairing.missed-then-ended');
  },
});
