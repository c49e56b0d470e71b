/**
 * The screening interview of a warning as the pages show and record it (seed 003 appendices 1 and
 * 2): the warning with its student for the college's care staff (the read audited), and the
 * record submitted by a form, checked before the workflow's Update so the form comes back without
 * a round trip.
 */
import type { Knex } from 'knex';
import { collegeOfWarning, getWarningWithStudent } from '../../../../db/repositories/screening';
import type { College, Store } from '../../../../db/store';
import { interviewRecordProblems } from '../../../../domain/screening';
import { type InterviewRecord } from '../../../../contracts';
import { assertCareOf, BadRequestError, ForbiddenError, type SessionUser } from '../../../platform/auth/context';
import { auditStudentReads } from '../../care/use-cases';
import { NotFoundError } from '../../../platform/errors';
import { recordInterview, type InterviewDeps } from './interview';

export interface WarningForInterview {
  id: string;
  studentId: string;
  student: { name: string; studentNo: string; className: string | null };
  college: College;
  level: string;
  status: string;
  interviewDueAt: number;
  escalationLevel: number;
  interviewedAt: number | null;
  /** the record, when interviewed (null when none or unreadable) */
  record: Partial<InterviewRecord> | null;
}

/** A warning of the user's school, for its college's care staff and the counselling centre; the read is audited. */
export async function readWarningForInterview(
  deps: { knex: Knex; store: Store; now: number },
  user: SessionUser,
  id: string,
): Promise<WarningForInterview> {
  const w = await getWarningWithStudent(deps.knex, id);
  if (!w) throw new NotFoundError(`unknown warning ${id}`);
  const college = await deps.store.getCollege(String(w.college_id));
  if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown warning ${id}`);
  assertCareOf(user, college.id);
  await auditStudentReads(deps, user, [String(w.student_id)], `screening-warning:${id}`);
  let record: Partial<InterviewRecord> | null = null;
  if (w.record) {
    try {
      record = JSON.parse(String(w.record)) as Partial<InterviewRecord>;
    } catch {
      record = null;
    }
  }
  return {
    id,
    studentId: String(w.student_id),
    student: { name: String(w.name), studentNo: String(w.student_no), className: w.class_name ?? null },
    college,
    level: String(w.level),
    status: String(w.status),
    interviewDueAt: Number(w.interview_due_at),
    escalationLevel: Number(w.escalation_level),
    interviewedAt: w.interviewed_at != null ? Number(w.interviewed_at) : null,
    record,
  };
}

/** The college of a warning the user may interview for (404 unknown, 403 another college's). */
export async function warningToInterview(deps: { knex: Knex }, user: SessionUser, id: string): Promise<string> {
  const collegeId = await collegeOfWarning(deps.knex, id);
  if (!collegeId) throw new NotFoundError(`unknown warning ${id}`);
  if (user.collegeId !== collegeId) throw new ForbiddenError('this warning belongs to another college');
  return collegeId;
}

/**
 * A record submitted by the interview form: the warning must be of the user's college (404, 403),
 * and a record that lacks a step or an answer is refused (400) before the workflow is asked.
 */
export async function submitInterview(
  deps: InterviewDeps,
  user: SessionUser,
  id: string,
  record: Record<string, unknown>,
): Promise<void> {
  await warningToInterview(deps, user, id);
  // the workflow checks the same; checked here first, the form comes back without a round trip
  const problems = interviewRecordProblems(record);
  if (problems.length) throw new BadRequestError(problems.join('; '));
  await recordInterview(deps, user, id, record as unknown as InterviewRecord);
}
