/**
 * The archives a user may open (the students of their college who entered a care process; every
 * college for the counselling centre), each listed student audited as viewed; and the audit log of
 * the archives for the counselling centre: who saw or changed which archive, and when.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { archiveOversightRefusal, ARCHIVE_ROLES } from '../../../../domain/permissions';
import { listArchiveStudents } from '../../../../db/repositories/archive';
import { listArchiveAudit } from '../../../../db/repositories/archive-audit';
import { BadRequestError, type SessionUser } from '../../../platform/auth/context';
import { ForbiddenError } from '../../../platform/errors';
import { ARCHIVE_SUBJECT, type ArchiveDeps } from './common';

export async function listArchives(deps: ArchiveDeps, user: SessionUser, q: { studentNo?: unknown } = {}) {
  if (!ARCHIVE_ROLES.includes(user.role)) throw new ForbiddenError('only care staff may see the archives');
  const studentNo = typeof q.studentNo === 'string' && q.studentNo.trim() ? q.studentNo.trim().slice(0, 32) : undefined;
  const collegeId = user.role === 'school_admin' ? null : user.collegeId;
  if (user.role !== 'school_admin' && !collegeId) return [];
  const rows = await listArchiveStudents(deps.knex, user.schoolId, collegeId, studentNo);
  await deps.store.appendAuditMany(
    rows.map((r) => ({
      eventKey: `archive-listed:${randomUUID()}`,
      subjectType: ARCHIVE_SUBJECT,
      subjectId: r.id,
      action: 'listed',
      actor: user.id,
      at: deps.now,
    })),
  );
  return rows.map((r) => ({
    id: r.id,
    studentNo: r.student_no,
    name: r.name,
    className: r.class_name,
    collegeId: r.college_id,
  }));
}

export interface AuditFilter {
  studentId?: unknown;
  actor?: unknown;
  action?: unknown;
  from?: unknown;
  to?: unknown;
  page?: unknown;
}

/** The archive events of the audit log (counselling centre only): filters by archive, user, action and day range (YYYY-MM-DD, the school's days). */
export async function archiveAuditLog(deps: ArchiveDeps, user: SessionUser, f: AuditFilter, zone: string) {
  const refusal = archiveOversightRefusal({ userId: user.id, role: user.role, collegeId: user.collegeId });
  if (refusal) throw new ForbiddenError(refusal);
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined);
  const day = (v: unknown, name: string, end: boolean) => {
    const s = str(v);
    if (!s) return undefined;
    const d = DateTime.fromISO(s, { zone });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || !d.isValid)
      throw new BadRequestError(`${name}: "${s}" is not a date (YYYY-MM-DD)`);
    return (end ? d.plus({ days: 1 }) : d).startOf('day').toMillis();
  };
  const page = Number(str(f.page) ?? 0);
  if (!Number.isInteger(page) || page < 0 || page > 10_000) throw new BadRequestError('page: a whole number from 0');
  const events = await listArchiveAudit(deps.knex, {
    studentId: str(f.studentId),
    actor: str(f.actor),
    action: str(f.action),
    from: day(f.from, 'from', false),
    to: day(f.to, 'to', true),
    page,
  });
  const names = new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
  return events.map((e) => ({ ...e, actorName: names.get(e.actor) ?? e.actor }));
}
