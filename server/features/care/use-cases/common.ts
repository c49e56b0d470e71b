/**
 * What the care use cases share: their dependencies, text checks, the audit of writes and of
 * student reads, the college check and the student of a form.
 * Student data is visible to the care staff of the student's college and the counselling centre
 * (school admin) only, and every read or export of it is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Store } from '../../../../db/store';
import {
  findCollegeStudentByNo,
  findRegisteredStudentByNo,
  findStudentOfSchool,
  insertStudent,
} from '../../../../db/repositories/students';
import type { Role } from '../../../../domain/schema';
import { controlCharProblem } from '../../../../domain/text';
import { assertCareOf, BadRequestError, type SessionUser } from '../../../platform/auth/context';
import { NotFoundError } from '../../../platform/errors';

export interface CareDeps {
  knex: Knex;
  store: Store;
  client?: Client;
  taskQueue: string;
  now: number;
}

/**
 * A change from a form or JSON body `b` to one college's care records (`id`: the college's) or to
 * one record (`id`: the record's). Each checks the college first (collegeOf, careRecordOf).
 */
export type CareCommand<R> = (deps: CareDeps, user: SessionUser, id: string, b: Record<string, unknown>) => Promise<R>;

export const MAX_TEXT = 5000;
/** who keeps the ledger and the plans (class teachers read them and add follow-ups) */
export const LEDGER_EDITORS: readonly Role[] = ['school_admin', 'college_leader', 'psych_counsellor', 'counsellor'];

/** Options of the list reads: `audit: false` when the caller audits the whole page's students at once. */
export interface ListOptions {
  audit?: boolean;
}

/** Trimmed text; a short field (at most 100 characters: a name, a number) is one line, a longer one may have line breaks; NUL and other control characters are refused (domain/text.ts). */
export function text(
  value: unknown,
  field: string,
  opts: { required?: boolean; max?: number; multiline?: boolean } = {},
): string {
  const s = typeof value === 'string' ? value.trim() : value == null ? '' : String(value).trim();
  if (opts.required && !s) throw new BadRequestError(`${field} is required`);
  if (s.length > (opts.max ?? MAX_TEXT))
    throw new BadRequestError(`${field} is longer than ${opts.max ?? MAX_TEXT} characters`);
  const problem = controlCharProblem(s, { multiline: opts.multiline ?? (opts.max ?? MAX_TEXT) > 100 });
  if (problem) throw new BadRequestError(`${field}: ${problem}`);
  return s;
}

export const bool = (v: unknown) => v === true || v === 'true' || v === 'on' || v === '1' || v === 'yes';

export async function audit(
  deps: Pick<CareDeps, 'store' | 'now'>,
  user: SessionUser,
  subjectType: string,
  subjectId: string,
  action: string,
  details?: Record<string, unknown>,
) {
  await deps.store.appendAudit({
    eventKey: `${subjectType}-${action}:${randomUUID()}`,
    subjectType,
    subjectId,
    action,
    actor: user.id,
    at: deps.now,
    details,
  });
}

/** Each student read is an audit event on the student (who, what, when), written in one batch. */
export async function auditStudentReads(
  deps: { store: Store; now: number },
  user: SessionUser,
  studentIds: string[],
  what: string,
): Promise<void> {
  await deps.store.appendAuditMany(
    [...new Set(studentIds)].map((id) => ({
      eventKey: `student-viewed:${randomUUID()}`,
      subjectType: 'student',
      subjectId: id,
      action: 'viewed',
      actor: user.id,
      at: deps.now,
      details: { in: what },
    })),
  );
}

/** A care record's row (404 `unknown` when there is none), once the user may care for its college (collegeOf). */
export async function careRecordOf<R extends { college_id: unknown }>(
  deps: Pick<CareDeps, 'store'>,
  user: SessionUser,
  row: R | undefined,
  unknown: string,
): Promise<R> {
  if (!row) throw new NotFoundError(unknown);
  await collegeOf(deps, user, String(row.college_id));
  return row;
}

export async function collegeOf(deps: Pick<CareDeps, 'store'>, user: SessionUser, collegeId: string) {
  const college = await deps.store.getCollege(collegeId);
  if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown college ${collegeId}`);
  assertCareOf(user, collegeId);
  return college;
}

/**
 * A student of the college by number (created when new); the name must match the college's record.
 * Another college's student (by id or by number) is answered exactly as an unknown one, so the
 * forms never tell whether a number or id exists elsewhere: an id is "unknown"; a number the
 * college has no record of becomes the college's own record of what was typed, whether the number
 * was never seen or is registered with another college (then the record points at the registered
 * student, for the school to reconcile: registered_student_id), with the same queries and writes.
 */
export async function studentFor(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  b: Record<string, unknown>,
): Promise<string> {
  if (typeof b.studentId === 'string' && b.studentId) {
    const s = await findStudentOfSchool(deps.knex, user.schoolId, b.studentId);
    if (!s || s.college_id !== collegeId) throw new NotFoundError(`unknown student ${b.studentId}`);
    return s.id;
  }
  const studentNo = text(b.studentNo, 'studentNo (学号)', { required: true, max: 32 });
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(studentNo))
    throw new BadRequestError(`invalid student number "${studentNo}" (1–32 letters, digits, _ or -)`);
  const name = text(b.studentName, 'studentName (姓名)', { required: true, max: 100 });
  const className = text(b.className, 'className (班级)', { max: 100 }) || null;
  const found = await findCollegeStudentByNo(deps.knex, user.schoolId, collegeId, studentNo);
  if (found) {
    if (found.name !== name)
      throw new BadRequestError(`student number ${studentNo} is registered under another name: check the number`);
    return found.id;
  }
  const registered = await findRegisteredStudentByNo(deps.knex, user.schoolId, studentNo);
  const id = randomUUID();
  await insertStudent(deps.knex, {
    id,
    school_id: user.schoolId,
    college_id: collegeId,
    student_no: studentNo,
    name,
    class_name: className,
    created_at: deps.now,
    registered_student_id: registered?.id ?? null,
  });
  return id;
}

/** The zone of the college's school, for dates written as local text. */
export async function schoolZoneOf(deps: Pick<CareDeps, 'store'>, collegeId: string): Promise<string> {
  const college = await deps.store.getCollege(collegeId);
  return (college && (await deps.store.getSchool(college.schoolId))?.timezone) || 'Asia/Shanghai';
}

/**
 * A college's care list as its care staff may read it: the college checked (404, 403), the rows
 * loaded, and every student on them audited as viewed (unless the page audits them all at once).
 */
export async function readAudited<T>(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  opts: ListOptions,
  what: string,
  load: (knex: Knex, collegeId: string) => Promise<T[]>,
  studentOf: (row: T) => string,
): Promise<T[]> {
  await collegeOf(deps, user, collegeId);
  const rows = await load(deps.knex, collegeId);
  if (opts.audit !== false) await auditStudentReads(deps, user, rows.map(studentOf), what);
  return rows;
}

/** A care row's student (its id for the audit, and as the views show it). */
export const studentIdOf = (r: { student_id: unknown }) => String(r.student_id);
export const studentOfRow = (r: {
  student_id: unknown;
  student_no: unknown;
  name: unknown;
  class_name?: string | null;
}) => ({
  id: String(r.student_id),
  studentNo: String(r.student_no),
  name: String(r.name),
  className: r.class_name ?? null,
});
