/**
 * The screening follow-up's rules (docs/domain.md §3; seed 003 §3, appendices 1 and 2): who records the
 * interview, what a complete interview record is, and the reminder / overdue / school steps before
 * and after the interview deadline. Pure: workflows/screening-follow-up.ts calls them, and so can the
 * web layer before it sends the Update. The deadline per warning level and the durations' defaults
 * are in ./care-durations.ts.
 */
import { ASSESSMENTS, INTERVIEW_STEPS, type Assessment } from '../contracts/screening';

export { DEFAULT_SCREENING_DURATIONS, interviewDueAt, screeningClock } from './care-durations';

const STEP_NAMES: Record<(typeof INTERVIEW_STEPS)[number], string> = {
  rapport: '第一步 建立师生关系、生理状况与适应情况',
  emotions: '第二步 评估情绪',
  socialFunctioning: '第三步 评估社会功能',
  coping: '第四步 评估应对方式',
  riskOfExtremeThoughts: '第五步 危险性评估',
};
const MAX_STEP_LENGTH = 5000;

/** The care roles that hold and record the interview: domain/permissions.ts. */
export { INTERVIEW_ROLES } from './permissions';

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

/** Who a step of the follow-up notifies (activities/screening.ts ScreeningAudience). */
export type ScreeningStepAudience = 'counsellors' | 'college' | 'school';

export interface ScreeningStep {
  step: string;
  action: string;
  at: number;
  notify: ScreeningStepAudience;
  escalation?: 1 | 2;
}

/**
 * The follow-up's timed steps, in order: a reminder `reminderBeforeMs` before the deadline, overdue
 * (level 1: counsellors and the college leader) at it, level 2 (the school) `schoolAfterMs` after.
 */
export function screeningSteps(
  dueAt: number,
  clock: { reminderBeforeMs: number; schoolAfterMs: number },
): ScreeningStep[] {
  return [
    { step: 'reminder', action: 'reminded', at: dueAt - clock.reminderBeforeMs, notify: 'counsellors' },
    { step: 'overdue', action: 'overdue', at: dueAt, notify: 'college', escalation: 1 },
    { step: 'escalated', action: 'escalated', at: dueAt + clock.schoolAfterMs, notify: 'school', escalation: 2 },
  ];
}
