/**
 * screening-follow-up: one warned student of a screening batch (DOMAIN.md §3; seed 003 §3).
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
import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ScreeningActivities, ScreeningAudience, ScreeningEvent } from '../activities/screening';
import { careDeliveries } from './deliveries';
import {
  recordInterviewUpdate,
  screeningStateQuery,
  INTERVIEW_STEPS,
  ASSESSMENTS,
  type Assessment,
  type ScreeningInput,
  type ScreeningState,
} from '../contracts/screening';

// shim (issue 13): re-export for the other areas until the merge (the contract lives in contracts/screening.ts)
export * from '../contracts/screening';

const { recordScreeningEvent } = proxyActivities<ScreeningActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const DAY = 24 * 3_600_000;

/** DOMAIN.md §3 defaults; a school may change every one. */
export const DEFAULT_SCREENING_DURATIONS = {
  /** red / level-1 (红色/一级预警): interview within 3 days */
  redInterviewMs: 3 * DAY,
  /** orange / level-2 (橙色/二级预警): within 7 days */
  orangeInterviewMs: 7 * DAY,
  reminderBeforeMs: 1 * DAY,
  schoolAfterMs: 2 * DAY,
};

const STEP_NAMES: Record<(typeof INTERVIEW_STEPS)[number], string> = {
  rapport: '第一步 建立师生关系、生理状况与适应情况',
  emotions: '第二步 评估情绪',
  socialFunctioning: '第三步 评估社会功能',
  coping: '第四步 评估应对方式',
  riskOfExtremeThoughts: '第五步 危险性评估',
};
const MAX_STEP_LENGTH = 5000;

/** The care roles that hold and record the interview (of the warning's college). */
export const INTERVIEW_ROLES = ['class_teacher', 'counsellor', 'psych_counsellor', 'college_leader'];

/**
 * What is wrong with a submitted record, by field name (never by content: these reasons become
 * Temporal failure messages, which the payload codec does not encrypt).
 */
export function interviewRecordProblems(record: unknown): string[] {
  if (typeof record !== 'object' || record === null) return ['the interview record is missing'];
  const r = record as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of INTERVIEW_STEPS) {
    const v = r[field];
    if (typeof v !== 'string' || !v.trim()) problems.push(`${field} (${STEP_NAMES[field]}) is missing`);
    else if (v.length > MAX_STEP_LENGTH) problems.push(`${field} is longer than ${MAX_STEP_LENGTH} characters`);
  }
  if (!ASSESSMENTS.includes(r.assessment as Assessment))
    problems.push(`assessment must be one of ${ASSESSMENTS.join(', ')}`);
  if (typeof r.needsCounselling !== 'boolean') problems.push('needsCounselling must be true or false');
  if (typeof r.needsCrisisIntervention !== 'boolean') problems.push('needsCrisisIntervention must be true or false');
  return problems;
}

const reject = (message: string): never => {
  throw ApplicationFailure.create({ type: 'ScreeningUpdateRejected', message, nonRetryable: true });
};

export async function screeningFollowUpWorkflow(input: ScreeningInput): Promise<ScreeningState> {
  const reminderBeforeMs = input.reminderBeforeMs ?? DEFAULT_SCREENING_DURATIONS.reminderBeforeMs;
  const schoolAfterMs = input.schoolAfterMs ?? DEFAULT_SCREENING_DURATIONS.schoolAfterMs;
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
        // 重点关爱库 and 干预台账 (DOMAIN.md §4): proposed to the college leader, who is responsible
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
        if (!actor || actor.collegeId !== input.collegeId) reject('this warning belongs to another college');
        if (!INTERVIEW_ROLES.includes(actor.role))
          reject(`only the college's ${INTERVIEW_ROLES.join(', ')} may record the interview`);
        const problems = interviewRecordProblems(interview);
        if (problems.length) reject(`the interview record is incomplete: ${problems.join('; ')}`);
      },
    },
  );

  const ladder: Array<{ step: string; action: string; at: number; notify: ScreeningAudience; escalation?: 1 | 2 }> = [
    { step: 'reminder', action: 'reminded', at: input.dueAt - reminderBeforeMs, notify: 'counsellors' },
    { step: 'overdue', action: 'overdue', at: input.dueAt, notify: 'college', escalation: 1 },
    { step: 'escalated', action: 'escalated', at: input.dueAt + schoolAfterMs, notify: 'school', escalation: 2 },
  ];
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
