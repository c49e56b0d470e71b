/**
 * The report form's checks, before the case is opened: each problem by field (the page names it
 * in the user's language and keeps what was entered). The school admin names the college; college
 * staff report for their own college.
 */
import type { Store } from '../../../../db/store';
import { controlCharProblem } from '../../../../domain/text';
import type { SessionUser } from '../../../platform/auth/context';
import { CLOCK_SKEW_MS, instantFrom } from '../../../platform/dates';
import { SITUATIONS } from './report';

export const REPORT_FIELDS = [
  'collegeId',
  'studentNo',
  'studentName',
  'className',
  'situation',
  'place',
  'occurredAt',
] as const;
export type ReportValues = Record<(typeof REPORT_FIELDS)[number], string>;
/** A problem of the form: the field, and for one-line text fields 'control' (a control character). */
export type ReportProblems = Partial<
  Record<
    'college' | 'studentNo' | 'studentName' | 'className' | 'situation' | 'place' | 'occurredAt',
    'invalid' | 'control'
  >
>;

/** The form's values, trimmed. */
export function reportValues(b: Record<string, unknown>): ReportValues {
  const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
  return Object.fromEntries(REPORT_FIELDS.map((k) => [k, str(k)])) as ReportValues;
}

/** The college the report is for: the admin's choice, else the reporter's own ('' when none). */
export const reportCollege = (user: SessionUser, values: ReportValues) =>
  user.role === 'school_admin' ? values.collegeId : (user.collegeId ?? '');

export async function reportProblems(
  deps: { store: Store; now: number },
  user: SessionUser,
  values: ReportValues,
  zone: string,
): Promise<ReportProblems> {
  const errors: ReportProblems = {};
  const collegeId = reportCollege(user, values);
  if (!collegeId) errors.college = 'invalid';
  else if (user.role === 'school_admin' && !(await deps.store.getCollege(collegeId))) errors.college = 'invalid';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(values.studentNo)) errors.studentNo = 'invalid';
  if (!values.studentName) errors.studentName = 'invalid';
  if (!(SITUATIONS as readonly string[]).includes(values.situation)) errors.situation = 'invalid';
  if (!values.place) errors.place = 'invalid';
  for (const k of ['studentName', 'className', 'place'] as const) {
    if (!errors[k] && controlCharProblem(values[k], { multiline: false })) errors[k] = 'control';
  }
  try {
    if (values.occurredAt)
      instantFrom(values.occurredAt, 'occurredAt', { zone, now: deps.now, maxFutureMs: CLOCK_SKEW_MS });
  } catch {
    errors.occurredAt = 'invalid';
  }
  return errors;
}
