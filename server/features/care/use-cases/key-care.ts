/**
 * The key-care list (重点关爱库) per college, with reasons (a month's key-care groups of the
 * checklist, or free text) and the one-student-one-plan (一生一策).
 */
import { randomUUID } from 'node:crypto';
import {
  findActiveKeyCareOf,
  getKeyCareEntry,
  insertKeyCareEntry,
  listActiveKeyCareRows,
  removeKeyCareEntry,
  updateKeyCareEntry,
} from '../../../../db/repositories/care';
import { writeTransaction } from '../../../../db/knex';
import { appendAuditWithNotes } from '../../../../db/repositories/archive-notes';
import { createStore } from '../../../../db/store';
import type { KeyCareReason } from '../../../../domain/care';
import { BadRequestError, ForbiddenError, type SessionUser } from '../../../platform/auth/context';
import { monthFrom } from '../../../platform/dates';
import { TaskRejectedError } from '../../tasks/use-cases';
import {
  audit,
  careRecordOf,
  collegeOf,
  readAudited,
  studentFor,
  studentIdOf,
  studentOfRow,
  text,
  type CareDeps,
  type CareCommand,
  type ListOptions,
} from './common';

function parseReasons(value: unknown, now = Date.now()): KeyCareReason[] {
  const list = Array.isArray(value) ? value : value == null || value === '' ? [] : [value];
  const out: KeyCareReason[] = [];
  // a group's month exists and lies within the plausible window (domain/dates.ts)
  const month = (v: unknown, i: number) => monthFrom(v, `reasons[${i}].month`, { zone: 'Asia/Shanghai', now });
  for (const [i, r] of list.entries()) {
    // form values: "group:2024-10:1|<zh>" (a month's key-care group) or free text
    if (typeof r === 'string') {
      const m = /^group:(\d{4}-\d{2}):(\d+)\|(.+)$/s.exec(r);
      if (m) out.push({ kind: 'group', month: month(m[1], i), index: Number(m[2]), zh: m[3]! });
      else if (r.trim()) out.push({ kind: 'other', zh: text(r, 'reason', { max: 500 }) });
      continue;
    }
    const o = r as Record<string, unknown>;
    if (
      o &&
      o.kind === 'group' &&
      typeof o.month === 'string' &&
      /^\d{4}-\d{2}$/.test(o.month) &&
      Number.isInteger(o.index) &&
      typeof o.zh === 'string' &&
      o.zh.trim()
    ) {
      out.push({
        kind: 'group',
        month: month(o.month, i),
        index: Number(o.index),
        zh: text(o.zh, 'reason', { max: 500 }),
      });
    } else if (o && (o.kind === 'other' || o.kind === undefined) && typeof o.zh === 'string' && o.zh.trim()) {
      out.push({ kind: 'other', zh: text(o.zh, 'reason', { max: 500 }) });
    } else
      throw new BadRequestError('a reason is { kind: "group", month: "YYYY-MM", index, zh } or { kind: "other", zh }');
  }
  return out;
}

export interface KeyCareView {
  id: string;
  student: { id: string; studentNo: string; name: string; className: string | null };
  collegeId: string;
  reasons: KeyCareReason[];
  plan: string;
  source: string;
  addedAt: number;
  updatedAt: number;
}

export async function listKeyCare(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  opts: ListOptions = {},
): Promise<KeyCareView[]> {
  const rows = await readAudited(deps, user, collegeId, opts, 'key-care-list', listActiveKeyCareRows, studentIdOf);
  return rows.map((r) => ({
    id: String(r.id),
    student: studentOfRow(r),
    collegeId: String(r.college_id),
    reasons: JSON.parse(String(r.reasons)) as KeyCareReason[],
    plan: String(r.plan),
    source: String(r.source),
    addedAt: Number(r.added_at),
    updatedAt: Number(r.updated_at),
  }));
}

export const addKeyCare: CareCommand<{ id: string }> = async (deps, user, collegeId, b) => {
  await collegeOf(deps, user, collegeId);
  const reasons = parseReasons(b.reasons, deps.now);
  if (!reasons.length)
    throw new BadRequestError('give at least one reason (a key-care group of the month, or your own words)');
  const plan = text(b.plan, 'plan (一生一策)');
  // every write through the transaction (SQLite has one connection: the store outside it would wait)
  // reads, then writes: the write lock first (SQLite), see db/knex.ts
  return writeTransaction(deps.knex, async (trx) => {
    const studentId = await studentFor({ ...deps, knex: trx }, user, collegeId, b);
    const existing = await findActiveKeyCareOf(trx, studentId);
    if (existing) throw new TaskRejectedError('this student is already on the key-care list: edit the entry instead');
    const id = randomUUID();
    await insertKeyCareEntry(trx, {
      id,
      student_id: studentId,
      college_id: collegeId,
      reasons: JSON.stringify(reasons),
      plan,
      source: 'manual',
      source_id: null,
      status: 'active',
      added_by: user.id,
      added_at: deps.now,
      updated_at: deps.now,
    });
    await audit({ ...deps, store: createStore(trx) }, user, 'key-care', id, 'added', { reasons: reasons.length });
    return { id };
  });
};

async function keyCareRow(deps: CareDeps, user: SessionUser, id: string) {
  const row = await getKeyCareEntry(deps.knex, id);
  return careRecordOf(deps, user, row?.status === 'active' ? row : undefined, `unknown key-care entry ${id}`);
}

export const updateKeyCare: CareCommand<void> = async (deps, user, id, b) => {
  await keyCareRow(deps, user, id);
  const patch: { updated_at: number; reasons?: string; plan?: string } = { updated_at: deps.now };
  if (b.reasons !== undefined) {
    const reasons = parseReasons(b.reasons, deps.now);
    if (!reasons.length) throw new BadRequestError('give at least one reason');
    patch.reasons = JSON.stringify(reasons);
  }
  if (b.plan !== undefined) patch.plan = text(b.plan, 'plan (一生一策)');
  await updateKeyCareEntry(deps.knex, id, patch);
  await audit(deps, user, 'key-care', id, 'updated', { fields: Object.keys(patch).filter((k) => k !== 'updated_at') });
};

/** Only the college leader or the counselling centre take a student off the list, with a reason. */
export async function removeKeyCare(deps: CareDeps, user: SessionUser, id: string, reason: unknown): Promise<void> {
  await keyCareRow(deps, user, id);
  if (user.role !== 'college_leader' && user.role !== 'school_admin')
    throw new ForbiddenError(
      'only the college leader or the counselling centre may take a student off the key-care list',
    );
  const why = text(reason, 'reason', { required: true, max: 500 });
  await removeKeyCareEntry(deps.knex, id, { removed_at: deps.now, removed_by: user.id, removed_reason: why });
  // the reason is kept in the student's notes (purged with the archive), the audit entry refers to it
  await appendAuditWithNotes(deps.knex, {
    eventKey: `key-care-removed:${randomUUID()}`,
    subjectType: 'key-care',
    subjectId: id,
    action: 'removed',
    actor: user.id,
    at: deps.now,
    details: { reason: why },
  });
}
