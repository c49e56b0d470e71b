/**
 * crisis-case: the crisis procedure (seed 003 §7, seed 004 "five ones"), for one reported case.
 *  1. the class teacher, counsellors and college leaders are notified at once;
 *  2. on-scene acknowledgement is due within `onSceneAckMs`, else the college leader is alerted
 *     and, `schoolAfterMs` later, the school;
 *  3. the college leader confirms within `schoolNotifyMs` that the counselling centre, security
 *     office and clinic were notified, else the school is alerted;
 *  4. branch actions are recorded (parents' authorisation, hospital; the 110 call);
 *  5. a risk of self-harm starts the 24-hour special supervision (child workflow);
 *  6. after the hand-over, the "five ones" close the case (a responsible leader, a team, a plan,
 *     follow-up talks); the student is proposed for the ledger and a pairing.
 * Ids only: no student data enters this workflow.
 */
import { allHandlersFinished, condition, executeChild, setHandler } from '@temporalio/workflow';
import { crisisEvents, reject } from './crisis-events';
import { crisisLeaderRefusal } from '../domain/permissions';
import { normaliseCrisisDurations } from '../domain/care-durations';
import { supervisionWorkflow } from './supervision';
import type { StaffActor } from '../contracts/supervision';
import {
  acknowledgeOnSceneUpdate,
  confirmSchoolNotifiedUpdate,
  recordActionUpdate,
  fiveOnesUpdate,
  crisisStateQuery,
  SCHOOL_DEPARTMENTS,
  type CrisisInput,
  type CrisisState,
} from '../contracts/crisis';

export async function crisisCaseWorkflow(input: CrisisInput): Promise<CrisisState> {
  const d = normaliseCrisisDurations(input.durations);
  const r = input.resume;
  const s: CrisisState = {
    onSceneAt: r?.onSceneAt ?? null,
    onSceneBy: r?.onSceneBy ?? null,
    schoolNotifiedAt: r?.schoolNotifiedAt ?? null,
    actions: r?.actions ? [...r.actions] : [],
    escalationLevel: r?.escalationLevel ?? 0,
    supervision: null,
    fiveOnes: null,
    closed: false,
  };
  const { record, deliveries, ofCollege } = crisisEvents(input);
  const leaderOfCollege = (a: StaffActor) => {
    const refusal = crisisLeaderRefusal(a, input.collegeId);
    if (refusal) reject(refusal);
  };

  setHandler(crisisStateQuery, () => ({ ...s }));
  setHandler(
    acknowledgeOnSceneUpdate,
    async ({ actor }) => {
      s.onSceneAt = Date.now();
      s.onSceneBy = actor.userId;
      await record('on-scene', 'on-scene', s.onSceneAt, actor.userId, null);
      return { ...s };
    },
    {
      validator: ({ actor }) => (
        ofCollege(actor),
        s.onSceneAt === null ? undefined : reject('already acknowledged on scene')
      ),
    },
  );
  setHandler(
    confirmSchoolNotifiedUpdate,
    async ({ actor, departments }) => {
      s.schoolNotifiedAt = Date.now();
      await record('school-notified', 'school-notified', s.schoolNotifiedAt, actor.userId, 'school', { departments });
      return { ...s };
    },
    {
      validator: ({ actor, departments }) => {
        leaderOfCollege(actor);
        if (s.schoolNotifiedAt !== null) reject('already confirmed');
        const missing = SCHOOL_DEPARTMENTS.filter((x) => !departments.includes(x));
        if (missing.length) reject(`confirm every department: missing ${missing.join(', ')}`);
      },
    },
  );
  setHandler(
    recordActionUpdate,
    async ({ actor, action }) => {
      const at = Date.now();
      s.actions.push({ action, at, by: actor.userId });
      await record(`action:${action}:${at}`, action, at, actor.userId, 'college-care');
      return { ...s };
    },
    {
      validator: ({ actor, action }) => {
        ofCollege(actor);
        if (action === 'taken-to-hospital' && !s.actions.some((a) => a.action === 'parents-authorised')) {
          reject("record the parents' authorisation before the hospital (seed 003 §7)");
        }
      },
    },
  );
  setHandler(
    fiveOnesUpdate,
    async ({ actor, leaderUserId, team, plan, followUp }) => {
      // plan: absent in Updates accepted before it was asked for
      s.fiveOnes = { leaderUserId, team, plan: plan ?? '', followUp };
      s.closed = true;
      const at = Date.now();
      await record('five-ones', 'five-ones', at, actor.userId, 'college-care', {
        leaderUserId,
        team,
        plan: plan ?? '',
        followUp,
      });
      // the student enters the intervention ledger and a pairing is proposed (the care part)
      await record('ledger-proposed', 'ledger-and-pairing-proposed', at, 'system', 'college-leader', {
        plan: plan ?? '',
      });
      return { ...s };
    },
    {
      validator: ({ actor, leaderUserId, team, plan, followUp }) => {
        leaderOfCollege(actor);
        if (input.situation === 'self_harm_risk' && !s.supervision?.handOver)
          reject('the supervision has not ended with the hand-over yet');
        if (!leaderUserId || !team.length || !plan?.trim() || !followUp.trim())
          reject('name the responsible leader, the team, the plan and the follow-up talks');
      },
    },
  );

  await record('reported', 'reported', input.reportedAt, input.reportedBy, 'college-care', {
    situation: input.situation,
  });

  // 2 and 3 run side by side; 5 (supervision) starts at once for a risk of self-harm
  const watchOnScene = async () => {
    if (await condition(() => s.onSceneAt !== null, Math.max(0, input.reportedAt + d.onSceneAckMs - Date.now())))
      return;
    if (s.escalationLevel < 1) s.escalationLevel = 1;
    await record('on-scene-missed', 'on-scene-missed', input.reportedAt + d.onSceneAckMs, 'timer', 'college-leader', {
      level: 1,
    });
    // a resumed case (restarted after a stop) waits only until the school's instant, not a whole interval again
    if (
      await condition(
        () => s.onSceneAt !== null,
        r ? Math.max(0, input.reportedAt + d.onSceneAckMs + d.schoolAfterMs - Date.now()) : d.schoolAfterMs,
      )
    )
      return;
    s.escalationLevel = 2;
    await record(
      'on-scene-missed-school',
      'on-scene-missed-school',
      input.reportedAt + d.onSceneAckMs + d.schoolAfterMs,
      'timer',
      'school',
      { level: 2 },
    );
  };
  const watchSchoolNotified = async () => {
    if (
      await condition(() => s.schoolNotifiedAt !== null, Math.max(0, input.reportedAt + d.schoolNotifyMs - Date.now()))
    )
      return;
    s.escalationLevel = 2;
    await record(
      'school-notify-missed',
      'school-notify-missed',
      input.reportedAt + d.schoolNotifyMs,
      'timer',
      'school',
      { level: 2 },
    );
  };
  const supervise = async () => {
    if (input.situation !== 'self_harm_risk') return;
    s.supervision = await executeChild(supervisionWorkflow, {
      workflowId: `supervision.${input.caseId}`,
      args: [
        {
          caseId: input.caseId,
          collegeId: input.collegeId,
          startedAt: input.reportedAt,
          durations: d,
          ...(r?.supervision ? { carried: r.supervision } : {}),
        },
      ],
    });
  };
  await Promise.all([watchOnScene(), watchSchoolNotified(), supervise()]);
  await condition(() => s.closed);
  await condition(allHandlersFinished);
  await deliveries.settled();
  return { ...s };
}
