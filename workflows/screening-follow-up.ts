/**
 * screening-follow-up: one warned student of a screening batch (docs/domain.md §3; seed 003 §3).
 * The college must hold the interview (心理访谈, the five steps of appendix 1) and fill in the
 * interview record (约谈情况记录表, appendix 2) by `dueAt` (import + 3 days for red / level-1,
 * + 7 days for orange / level-2):
 *   dueAt − reminderBeforeMs: reminder to the college's counsellors and psychological counsellor;
 *   dueAt, not interviewed: overdue, level 1 (counsellors and the college leader);
 *   dueAt + schoolAfterMs: level 2 (the school);
 * and waits until the record arrives (Update `recordInterview`). A high-risk assessment or a need
 * for crisis intervention proposes the student for the key-care list and the intervention ledger
 * (college leader notified). Ids only: the record's text travels in the (encrypted) payload, never
 * in ids, search attributes or failure messages. This file only sleeps and waits.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { RECORD_EVENT_OPTIONS, rejecter } from './options';
import { interviewRefusal } from '../domain/permissions';
import type { ScreeningActivities, ScreeningEvent } from '../activities/screening';
import { careDeliveries } from './deliveries';
import { interviewRecordProblems, screeningClock, screeningSteps, type ScreeningStep } from '../domain/screening';
import {
  recordInterviewUpdate,
  screeningStateQuery,
  type ScreeningInput,
  type ScreeningState,
} from '../contracts/screening';

const { recordScreeningEvent } = proxyActivities<ScreeningActivities>(RECORD_EVENT_OPTIONS);

const reject = rejecter('ScreeningUpdateRejected');

export async function screeningFollowUpWorkflow(input: ScreeningInput): Promise<ScreeningState> {
  const clock = screeningClock(input);
  const s: ScreeningState = {
    warningId: input.warningId,
    status: 'open',
    escalationLevel: 0,
    remindersSent: 0,
    dueAt: input.dueAt,
    interviewedAt: null,
    interviewedBy: null,
    assessment: null,
    proposedForKeyCare: false,
  };
  const startedAt = Date.now();
  const interviewed = () => s.status === 'interviewed';
  const deliveries = careDeliveries();
  const record = async (e: Omit<ScreeningEvent, 'warningId' | 'collegeId' | 'warningLevel' | 'dueAt'>) => {
    const { eventKey } = await recordScreeningEvent({
      warningId: input.warningId,
      collegeId: input.collegeId,
      warningLevel: input.level,
      dueAt: input.dueAt,
      ...e,
    });
    if (e.notify) deliveries.deliver(eventKey);
  };

  setHandler(screeningStateQuery, () => ({ ...s }));
  setHandler(
    recordInterviewUpdate,
    async ({ actor, record: interview }) => {
      const now = Date.now();
      s.status = 'interviewed';
      s.interviewedAt = now;
      s.interviewedBy = actor.userId;
      s.assessment = interview.assessment;
      const late = now > input.dueAt;
      await record({
        step: 'interviewed',
        action: late ? 'interviewed-late' : 'interviewed',
        at: now,
        actor: actor.userId,
        notify: null,
        interview,
        details: {
          assessment: interview.assessment,
          needsCounselling: interview.needsCounselling,
          needsCrisisIntervention: interview.needsCrisisIntervention,
          late,
        },
      });
      if (interview.assessment === 'high_risk' || interview.needsCrisisIntervention) {
        // 重点关爱库 and 干预台账 (docs/domain.md §4): proposed to the college leader, who is responsible
        s.proposedForKeyCare = true;
        await record({
          step: 'key-care-and-ledger-proposed',
          action: 'key-care-and-ledger-proposed',
          at: now,
          actor: 'system',
          notify: 'college-leader',
          details: { assessment: interview.assessment },
        });
      }
      return { ...s };
    },
    {
      validator: ({ actor, record: interview }) => {
        if (interviewed()) reject('the interview of this warning is already recorded');
        const refusal = interviewRefusal(actor, input.collegeId);
        if (refusal) reject(refusal);
        const problems = interviewRecordProblems(interview);
        if (problems.length) reject(`the interview record is incomplete: ${problems.join('; ')}`);
      },
    },
  );

  const ladder: ScreeningStep[] = screeningSteps(input.dueAt, clock);
  for (const next of ladder) {
    // a reminder already past when the workflow started (a late start) is not sent; escalations are
    if (next.escalation === undefined && next.at < startedAt) continue;
    const wait = next.at - Date.now();
    if (wait > 0) await condition(interviewed, wait);
    if (interviewed()) break;
    if (next.escalation) s.escalationLevel = next.escalation;
    else s.remindersSent += 1;
    await record({
      step: next.step,
      action: next.action,
      at: next.at,
      actor: 'timer',
      notify: next.notify,
      escalation: next.escalation,
    });
  }
  await condition(interviewed);
  await condition(allHandlersFinished);
  await deliveries.settled();
  return { ...s };
}
