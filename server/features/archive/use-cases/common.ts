/**
 * What the archive use cases share: their dependencies, the student of an archive as the user may
 * reach it (404 for another school's or an unknown id, 403 with the rule's words otherwise), and the
 * audit of every view and change, by the student's opaque id only (never a name or a number).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Store } from '../../../../db/store';
import { ensureArchiveState, getStudent } from '../../../../db/repositories/archive';
import type { StudentRow } from '../../../../db/tables';
import type { SessionUser } from '../../../platform/auth/context';
import { ForbiddenError, NotFoundError } from '../../../platform/errors';

export interface ArchiveDeps {
  knex: Knex;
  store: Store;
  client?: Client;
  taskQueue: string;
  now: number;
}

/** The audit subject of every archive event; its id is the student's opaque id. */
export const ARCHIVE_SUBJECT = 'archive';

type Rule = (actor: { userId: string; role: string; collegeId: string | null }, collegeId: string) => string | null;

/** The student whose archive the user asks for, checked against the rule (404, then 403). */
export async function studentOfArchive(
  deps: Pick<ArchiveDeps, 'knex'>,
  user: SessionUser,
  studentId: string,
  rule: Rule,
): Promise<StudentRow> {
  const s = await getStudent(deps.knex, studentId);
  if (!s || s.school_id !== user.schoolId) throw new NotFoundError(`unknown student ${studentId}`);
  const refusal = rule({ userId: user.id, role: user.role, collegeId: user.collegeId }, s.college_id);
  if (refusal) throw new ForbiddenError(refusal);
  return s;
}

/**
 * A write on the archive's own rows, in one transaction that first makes sure the archive's state
 * row exists (an archive opened by a process has none until its first hand-written change).
 */
export async function writeArchive(
  deps: Pick<ArchiveDeps, 'knex' | 'now'>,
  schoolId: string,
  student: { id: string; collegeId: string },
  write: (trx: Knex.Transaction) => Promise<unknown>,
): Promise<void> {
  await deps.knex.transaction(async (trx) => {
    const state = { student_id: student.id, school_id: schoolId, college_id: student.collegeId };
    await ensureArchiveState(trx, { ...state, created_at: deps.now });
    await write(trx);
  });
}

/** One audit event on the archive: who (user id), what (action), when; details hold ids and field keys, never values. */
export async function auditArchive(
  deps: Pick<ArchiveDeps, 'store' | 'now'>,
  actor: string,
  studentId: string,
  action: string,
  details?: Record<string, unknown>,
): Promise<void> {
  await auditAt(deps, actor, { type: ARCHIVE_SUBJECT, id: studentId }, action, details);
}

/** One audit event at `deps.now` on any subject; `eventKey` makes it idempotent (default: a fresh one). */
export async function auditAt(
  deps: Pick<ArchiveDeps, 'store' | 'now'>,
  actor: string,
  subject: { type: string; id: string },
  action: string,
  details?: Record<string, unknown>,
  eventKey = `${subject.type}-${action}:${randomUUID()}`,
): Promise<void> {
  const { type: subjectType, id: subjectId } = subject;
  await deps.store.appendAudit({ eventKey, subjectType, subjectId, action, actor, at: deps.now, details });
}
