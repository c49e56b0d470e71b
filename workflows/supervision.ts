/**
 * supervision: the 24-hour special supervision (24小时特别监护) of a student at risk of self-harm,
 * a child of crisis-case. A named guardian is on duty (shift hand-offs are recorded); a check-in
 * is due every `checkInEveryMs`; a missed one escalates at once to the college leader and, if still
 * missed `schoolAfterMs` later, to the school. It ends only with the recorded hand-over of safety
 * responsibility to the parents (安全责任移交). Past `supervisionMs` without a hand-over it goes on
 * and the school is alerted every `schoolAlertEveryMs`. Durations come from the case (school
 * settings); this file only sleeps and waits. Ids only: no student data in this workflow.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { crisisEvents, reject } from './crisis-events';
import {
  setGuardianUpdate,
  checkInUpdate,
  handOverUpdate,
  supervisionStateQuery,
  type SupervisionInput,
  type SupervisionState,
} from '../contracts/supervision';

export async function supervisionWorkflow(input: SupervisionInput): Promise<SupervisionState> {
  const d = input.durations;
  const s: SupervisionState = input.carried ?? {
    guardianUserId: null,
    lastCheckInAt: input.startedAt,
    checkIns: 0,
    missed: 0,
    schoolAlerts: 0,
    handOver: null,
  };
  let version = 0;
  const { record, deliveries, ofCollege } = crisisEvents(input);
  const open = () => {
    if (s.handOver) reject('the supervision has ended with the hand-over to the parents');
  };

  setHandler(supervisionStateQuery, () => ({ ...s }));
  setHandler(
    setGuardianUpdate,
    async ({ actor, guardianUserId }) => {
      const from = s.guardianUserId;
      s.guardianUserId = guardianUserId;
      const now = Date.now();
      await record(`guardian:${now}`, from ? 'guardian-handoff' : 'guardian-assigned', now, actor.userId, null, {
        from,
        to: guardianUserId,
      });
      return { ...s };
    },
    {
      validator: ({ actor, guardianUserId }) => (
        open(),
        ofCollege(actor),
        guardianUserId ? undefined : reject('name the guardian on duty')
      ),
    },
  );
  setHandler(
    checkInUpdate,
    async ({ actor, note }) => {
      const now = Date.now();
      s.lastCheckInAt = now;
      s.checkIns += 1;
      version += 1;
      await record(`check-in:${now}`, 'check-in', now, actor.userId, null, { note });
      return { ...s };
    },
    {
      validator: ({ actor }) => (
        open(),
        ofCollege(actor),
        s.guardianUserId ? undefined : reject('assign a guardian before checking in')
      ),
    },
  );
  setHandler(
    handOverUpdate,
    async ({ actor, receivedBy, at, witnessedBy }) => {
      s.handOver = { receivedBy, at, witnessedBy };
      version += 1;
      await record('hand-over', 'handed-over', at, actor.userId, 'college-care', {
        receivedBy,
        witnessedBy,
        recordedAt: Date.now(),
      });
      return { ...s };
    },
    {
      validator: ({ actor, receivedBy, witnessedBy }) => {
        open();
        ofCollege(actor);
        if (!receivedBy.trim()) reject('record who received responsibility for the student');
        if (!witnessedBy.length) reject('record who witnessed the hand-over');
      },
    },
  );

  const endOfPlan = input.startedAt + d.supervisionMs;
  // the check-in due instant whose miss was already escalated to the leader / the school
  let leaderToldFor = -1;
  let schoolToldFor = -1;
  for (;;) {
    if (s.handOver) break;
    // history stays bounded however long the supervision goes on
    if (workflowInfo().historyLength > 2000) {
      await deliveries.settled();
      await continueAsNew<typeof supervisionWorkflow>({ ...input, carried: s });
    }
    const checkDue = s.lastCheckInAt + d.checkInEveryMs;
    const steps: Array<{ at: number; kind: 'missed' | 'missed-school' | 'alert' }> = [
      { at: endOfPlan + s.schoolAlerts * d.schoolAlertEveryMs, kind: 'alert' },
    ];
    if (leaderToldFor !== checkDue) steps.push({ at: checkDue, kind: 'missed' });
    else if (schoolToldFor !== checkDue) steps.push({ at: checkDue + d.schoolAfterMs, kind: 'missed-school' });
    steps.sort((a, b) => a.at - b.at);
    const next = steps[0]!;
    const v = version;
    const wait = next.at - Date.now();
    if (wait > 0 && (await condition(() => version !== v || s.handOver !== null, wait))) continue; // a check-in or the hand-over came
    if (next.kind === 'alert') {
      // past the planned 24 hours and no hand-over: supervision goes on, the school is alerted
      s.schoolAlerts += 1;
      await record(`school-alert:${s.schoolAlerts}`, 'no-hand-over', next.at, 'timer', 'school', {
        hoursSinceStart: (next.at - input.startedAt) / 3_600_000,
      });
    } else if (next.kind === 'missed') {
      // a missed check-in: the college leader at once
      s.missed += 1;
      leaderToldFor = checkDue;
      await record(`missed:${checkDue}`, 'check-in-missed', next.at, 'timer', 'college-leader', {
        guardianUserId: s.guardianUserId,
        level: 1,
      });
    } else {
      // still missed: the school
      schoolToldFor = checkDue;
      await record(`missed-school:${checkDue}`, 'check-in-missed-school', next.at, 'timer', 'school', { level: 2 });
    }
  }
  await condition(allHandlersFinished);
  await deliveries.settled();
  return { ...s };
}
