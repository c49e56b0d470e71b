/**
 * Pairings (结对帮扶, appendix 5): at most `maxStudentsPerTeacher` students per teacher unless the
 * school admin records a reason; each active pairing runs a pairing workflow (the 15-day talk clock).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Knex } from 'knex';
import { getCareSettings } from '../../../../db/repositories/care';
import { writeTransaction } from '../../../../db/knex';
import {
  countActivePairingsOf,
  findOpenPairingOf,
  getPairing,
  insertPairing,
  listOpenPairingRows,
  startPairing,
  type PairingStart,
} from '../../../../db/repositories/pairing';
import { createStore } from '../../../../db/store';
import { pairingClock } from '../../../../domain/care';
import { pairingWorkflow } from '../../../../workflows';
import { endPairingUpdate, recordTalkUpdate } from '../../../../contracts';
import { BadRequestError, ForbiddenError, type SessionUser } from '../../../platform/auth/context';
import { NotFoundError } from '../../../platform/errors';
import { TaskRejectedError } from '../../tasks/use-cases';
import {
  careRecordOf,
  collegeOf,
  readAudited,
  MAX_TEXT,
  studentFor,
  studentIdOf,
  studentOfRow,
  text,
  type CareDeps,
  type CareCommand,
  type ListOptions,
} from './common';

export const pairingWorkflowId = (pairingId: string) => `pairing.${pairingId}`;

export interface PairingView {
  id: string;
  student: { id: string; studentNo: string; name: string; className: string | null };
  teacherUserId: string | null;
  teacherName: string | null;
  status: string;
  source: string;
  overrideReason: string | null;
  startedAt: number | null;
  lastTalkAt: number | null;
  nextTalkDueAt: number | null;
  escalationLevel: number;
}

export async function listPairings(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  opts: ListOptions = {},
): Promise<PairingView[]> {
  const rows = await readAudited(deps, user, collegeId, opts, 'pairings', listOpenPairingRows, studentIdOf);
  return rows.map((r) => {
    const last = r.last_talk_at == null ? null : Number(r.last_talk_at);
    const started = r.started_at == null ? null : Number(r.started_at);
    const from = last ?? started;
    return {
      id: String(r.id),
      student: studentOfRow(r),
      teacherUserId: r.teacher_user_id ?? null,
      teacherName: r.teacher_name ?? null,
      status: String(r.status),
      source: String(r.source),
      overrideReason: r.override_reason ?? null,
      startedAt: started,
      lastTalkAt: last,
      // the clock the pairing's workflow runs with, fixed when it was paired
      nextTalkDueAt:
        r.status === 'active' && from != null && r.talk_every_ms != null ? from + Number(r.talk_every_ms) : null,
      escalationLevel: Number(r.escalation_level),
    };
  });
}

/** The pairing limit: a teacher's students beyond it need the school admin's recorded reason. */
function checkTeacherLoad(
  user: SessionUser,
  teacherName: string,
  load: number,
  limit: number,
  overrideReason: string,
): void {
  if (load < limit) return;
  if (user.role !== 'school_admin')
    throw new TaskRejectedError(
      `${teacherName} already has ${load} students (at most ${limit}); the school administration may allow more with a reason`,
    );
  if (!overrideReason)
    throw new TaskRejectedError(
      `${teacherName} already has ${load} students (at most ${limit}): record the reason to allow more (overrideReason)`,
    );
}

/** A proposed pairing (by id) or the student's open pairing or a new one, started with the teacher. */
async function pairingToStart(
  trx: Knex,
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  b: Record<string, unknown>,
  start: PairingStart,
): Promise<string> {
  if (typeof b.pairingId === 'string' && b.pairingId) {
    const p = await getPairing(trx, b.pairingId);
    if (!p || p.college_id !== collegeId) throw new NotFoundError(`unknown pairing ${b.pairingId}`);
    if (p.status !== 'proposed') throw new TaskRejectedError(`this pairing is ${p.status}, not proposed`);
    await startPairing(trx, p.id, start);
    return p.id;
  }
  const studentId = await studentFor({ ...deps, knex: trx }, user, collegeId, b);
  const open = await findOpenPairingOf(trx, studentId);
  if (open?.status === 'active') throw new TaskRejectedError('this student already has a pairing teacher');
  const pairingId = open?.id ?? randomUUID();
  if (open) await startPairing(trx, open.id, start);
  else
    await insertPairing(trx, {
      id: pairingId,
      college_id: collegeId,
      student_id: studentId,
      source: 'manual',
      source_id: null,
      created_by: user.id,
      created_at: deps.now,
      escalation_level: 0,
      ...start,
    });
  return pairingId;
}

/**
 * Pairs a teacher with a student: a proposed pairing (`pairingId`) or a new one (`studentId` or
 * student number and name). The college leader (responsible, seed 003 §4) or the school admin;
 * a teacher's students beyond the limit need the school admin's recorded reason.
 */
export const assignPairing: CareCommand<{ id: string }> = async (deps, user, collegeId, b) => {
  await collegeOf(deps, user, collegeId);
  if (user.role !== 'college_leader' && user.role !== 'school_admin')
    throw new ForbiddenError('pairings are arranged by the college leader');
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const teacherUserId = text(b.teacherUserId, 'teacherUserId', { required: true, max: 100 });
  const teacher = await deps.store.getUser(teacherUserId);
  if (!teacher || !teacher.active || teacher.collegeId !== collegeId)
    throw new BadRequestError(`teacher ${teacherUserId} is not an active member of this college`);
  const settings = await getCareSettings(deps.knex, user.schoolId);
  const clock = pairingClock(settings);
  const overrideReason = text(b.overrideReason, 'overrideReason', { max: 500 });

  // reads (the teacher's load), then writes: the write lock first (SQLite), see db/knex.ts
  const id = await writeTransaction(deps.knex, async (trx) => {
    const load = await countActivePairingsOf(trx, teacherUserId);
    const limit = settings.pairing.maxStudentsPerTeacher;
    checkTeacherLoad(user, teacher.displayName, load, limit, overrideReason);
    const override = load >= limit ? overrideReason : null;
    const start: PairingStart = {
      teacher_user_id: teacherUserId,
      status: 'active',
      started_at: deps.now,
      talk_every_ms: clock.talkEveryMs,
      override_reason: override,
    };
    const pairingId = await pairingToStart(trx, deps, user, collegeId, b, start);
    await createAudit(trx, user, pairingId, deps.now, override, teacherUserId);
    return pairingId;
  });
  await deps.client.workflow.start(pairingWorkflow, {
    workflowId: pairingWorkflowId(id),
    taskQueue: deps.taskQueue,
    args: [{ pairingId: id, collegeId, teacherUserId, lastTalkAt: deps.now, ...clock }],
  });
  return { id };
};

async function createAudit(
  trx: Knex,
  user: SessionUser,
  pairingId: string,
  at: number,
  overrideReason: string | null,
  teacherUserId: string,
) {
  await createStore(trx).appendAudit({
    eventKey: `pairing.${pairingId}/assigned:${at}`,
    subjectType: 'pairing',
    subjectId: pairingId,
    action: overrideReason ? 'assigned-over-limit' : 'assigned',
    actor: user.id,
    at,
    details: { teacherUserId, ...(overrideReason ? { overrideReason } : {}) },
  });
}

async function pairingRow(deps: CareDeps, user: SessionUser, id: string) {
  const row = await careRecordOf(deps, user, await getPairing(deps.knex, id), `unknown pairing ${id}`);
  if (row.status !== 'active') throw new TaskRejectedError(`this pairing is ${String(row.status)}`);
  return row;
}

async function viaPairingUpdate<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError)
      throw new TaskRejectedError(e.cause instanceof Error ? e.cause.message : e.message);
    throw e;
  }
}

export async function recordPairingTalk(
  deps: CareDeps,
  user: SessionUser,
  id: string,
  note: unknown,
): Promise<{ lastTalkAt: number }> {
  await pairingRow(deps, user, id);
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const actor = { userId: user.id, role: user.role, collegeId: user.collegeId };
  const n = text(note, 'note', { max: MAX_TEXT });
  return viaPairingUpdate(() =>
    deps
      .client!.workflow.getHandle(pairingWorkflowId(id))
      .executeUpdate(recordTalkUpdate, { args: [{ actor, note: n }] }),
  );
}

export async function endPairing(deps: CareDeps, user: SessionUser, id: string, reason: unknown): Promise<void> {
  await pairingRow(deps, user, id);
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const actor = { userId: user.id, role: user.role, collegeId: user.collegeId };
  const r = text(reason, 'reason', { max: 500 });
  await viaPairingUpdate(() =>
    deps
      .client!.workflow.getHandle(pairingWorkflowId(id))
      .executeUpdate(endPairingUpdate, { args: [{ actor, reason: r }] }),
  );
}
