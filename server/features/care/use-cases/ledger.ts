/**
 * The intervention ledger (心理干预台账, appendix 4): entries with appendix 4's columns, their
 * monthly follow-ups, and the export in appendix 4's column order.
 */
import { randomUUID } from 'node:crypto';
import { writeTransaction } from '../../../../db/knex';
import {
  findActiveLedgerEntryOf,
  getLedgerEntry,
  insertFollowUp,
  insertLedgerEntry,
  listFollowUps,
  listLedgerRows,
  nextLedgerSeq,
  updateLedgerEntryRow,
  type LedgerFieldsPatch,
} from '../../../../db/repositories/ledger';
import { createStore } from '../../../../db/store';
import { LEDGER_CATEGORY_IDS } from '../../../../domain/care';
import { BadRequestError, ForbiddenError, type SessionUser } from '../../../platform/auth/context';
import { CLOCK_SKEW_MS, instantFrom } from '../../../platform/dates';
import { TaskRejectedError } from '../../tasks/use-cases';
import {
  audit,
  bool,
  careRecordOf,
  collegeOf,
  LEDGER_EDITORS,
  schoolZoneOf,
  studentFor,
  text,
  type CareDeps,
  readAudited,
  studentOfRow,
  type ListOptions,
  type CareCommand,
} from './common';

export interface FollowUp {
  id: string;
  at: number;
  by: string;
  text: string;
  counselling: boolean;
  hospital: boolean;
}

export interface LedgerView {
  id: string;
  seq: number;
  student: { id: string; studentNo: string; name: string; className: string | null };
  gender: string;
  majorClass: string;
  contact: string;
  interviewAt: number | null;
  categories: string[];
  lifeSafety: boolean;
  description: string;
  liaisonUserId: string | null;
  liaisonName: string | null;
  plan: string;
  source: string;
  status: string;
  createdAt: number;
  followUps: FollowUp[];
}

async function ledgerViews(deps: CareDeps, collegeId: string): Promise<LedgerView[]> {
  const rows = await listLedgerRows(deps.knex, collegeId, 'active');
  const byEntry = new Map<string, FollowUp[]>();
  for (const u of await listFollowUps(
    deps.knex,
    rows.map((r) => String(r.id)),
  )) {
    const list = byEntry.get(String(u.entry_id)) ?? [];
    list.push({
      id: String(u.id),
      at: Number(u.at),
      by: String(u.by),
      text: String(u.text),
      counselling: Boolean(u.counselling),
      hospital: Boolean(u.hospital),
    });
    byEntry.set(String(u.entry_id), list);
  }
  return rows.map((r) => ({
    id: String(r.id),
    seq: Number(r.seq),
    student: studentOfRow(r),
    gender: String(r.gender ?? ''),
    majorClass: String(r.major_class ?? ''),
    contact: String(r.contact ?? ''),
    interviewAt: r.interview_at == null ? null : Number(r.interview_at),
    categories: JSON.parse(String(r.categories)) as string[],
    lifeSafety: Boolean(r.life_safety),
    description: String(r.description),
    liaisonUserId: r.liaison_user_id ?? null,
    liaisonName: r.liaison_name ?? null,
    plan: String(r.plan),
    source: String(r.source),
    status: String(r.status),
    createdAt: Number(r.created_at),
    followUps: byEntry.get(String(r.id)) ?? [],
  }));
}

export async function listLedger(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  what = 'ledger',
  opts: ListOptions = {},
): Promise<LedgerView[]> {
  return readAudited(
    deps,
    user,
    collegeId,
    opts,
    what,
    (_knex, id) => ledgerViews(deps, id),
    (v) => v.student.id,
  );
}

async function ledgerFields(
  deps: CareDeps,
  collegeId: string,
  b: Record<string, unknown>,
  partial: boolean,
): Promise<LedgerFieldsPatch> {
  const out: LedgerFieldsPatch = {};
  const has = (k: string) => !partial || b[k] !== undefined;
  if (has('gender')) {
    const g = text(b.gender, 'gender (性别)', { max: 10 });
    if (g && !['男', '女', 'male', 'female'].includes(g)) throw new BadRequestError('gender (性别) is 男 or 女');
    out.gender = g === 'male' ? '男' : g === 'female' ? '女' : g;
  }
  if (has('majorClass')) out.major_class = text(b.majorClass, 'majorClass (专业班级)', { max: 100 });
  if (has('contact')) out.contact = text(b.contact, 'contact (联系方式)', { max: 100 });
  if (has('interviewAt')) {
    const v = b.interviewAt;
    if (v === null || v === '' || v === undefined) out.interview_at = null;
    // an interview that was held: a real date since 2000, not in the future
    else
      out.interview_at = instantFrom(v, 'interviewAt (约谈时间)', {
        zone: await schoolZoneOf(deps, collegeId),
        now: deps.now,
        maxFutureMs: CLOCK_SKEW_MS,
      });
  }
  if (has('categories')) {
    const list = Array.isArray(b.categories)
      ? b.categories.map(String)
      : typeof b.categories === 'string' && b.categories
        ? b.categories.split(',').map((x) => x.trim())
        : [];
    const unknown = list.filter((c) => !LEDGER_CATEGORY_IDS.includes(c));
    if (unknown.length)
      throw new BadRequestError(
        `unknown problem category ${unknown.join(', ')} (one of ${LEDGER_CATEGORY_IDS.join(', ')})`,
      );
    out.categories = JSON.stringify([...new Set(list)]);
  }
  if (has('lifeSafety')) out.life_safety = bool(b.lifeSafety);
  if (has('description')) out.description = text(b.description, 'description (主要情况描述)');
  if (has('plan')) out.plan = text(b.plan, 'plan (干预计划)');
  if (has('liaisonUserId')) {
    const id = text(b.liaisonUserId, 'liaisonUserId (对接老师)', { max: 100 });
    if (id) {
      const u = await deps.store.getUser(id);
      if (!u || !u.active || u.collegeId !== collegeId)
        throw new BadRequestError(`the liaison teacher ${id} is not an active member of this college`);
    }
    out.liaison_user_id = id || null;
  }
  return out;
}

function assertLedgerEditor(user: SessionUser): void {
  if (!LEDGER_EDITORS.includes(user.role))
    throw new ForbiddenError(
      'the ledger is kept by the counsellors, the psychological counsellor and the college leader',
    );
}

export async function addLedgerEntry(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  b: Record<string, unknown>,
): Promise<{ id: string; seq: number }> {
  await collegeOf(deps, user, collegeId);
  assertLedgerEditor(user);
  const fields = await ledgerFields(deps, collegeId, b, false);
  return writeTransaction(deps.knex, async (trx) => {
    const studentId = await studentFor({ ...deps, knex: trx }, user, collegeId, b);
    if (await findActiveLedgerEntryOf(trx, studentId))
      throw new TaskRejectedError('this student is already on the ledger: add a follow-up to the entry instead');
    const id = randomUUID();
    const seq = await nextLedgerSeq(trx, collegeId);
    await insertLedgerEntry(trx, {
      id,
      student_id: studentId,
      college_id: collegeId,
      seq,
      source: 'manual',
      source_id: null,
      status: 'active',
      created_at: deps.now,
      updated_at: deps.now,
      ...fields,
    });
    await audit({ ...deps, store: createStore(trx) }, user, 'ledger', id, 'added');
    return { id, seq };
  });
}

async function ledgerRow(deps: CareDeps, user: SessionUser, id: string) {
  return careRecordOf(deps, user, await getLedgerEntry(deps.knex, id), `unknown ledger entry ${id}`);
}

/** Edits an entry's columns; only the college leader (or the counselling centre) closes one. */
export const updateLedgerEntry: CareCommand<void> = async (deps, user, id, b) => {
  const row = await ledgerRow(deps, user, id);
  assertLedgerEditor(user);
  const fields = await ledgerFields(deps, String(row.college_id), b, true);
  if (b.status !== undefined) {
    if (b.status !== 'active' && b.status !== 'closed') throw new BadRequestError('status is active or closed');
    if (b.status === 'closed' && user.role !== 'college_leader' && user.role !== 'school_admin')
      throw new ForbiddenError('only the college leader may close a ledger entry');
    fields.status = b.status;
  }
  await updateLedgerEntryRow(deps.knex, id, { ...fields, updated_at: deps.now });
  await audit(deps, user, 'ledger', id, 'updated', { fields: Object.keys(fields) });
};

/** A follow-up (跟踪情况) of an open entry, by anyone who may read the college's ledger. */
export async function addFollowUp(
  deps: CareDeps,
  user: SessionUser,
  entryId: string,
  b: Record<string, unknown>,
): Promise<{ id: string }> {
  const row = await ledgerRow(deps, user, entryId);
  if (row.status !== 'active') throw new TaskRejectedError('this ledger entry is closed');
  const id = randomUUID();
  await insertFollowUp(deps.knex, {
    id,
    entry_id: entryId,
    at: deps.now,
    by: user.id,
    text: text(b.text, 'text (跟踪情况)', { required: true }),
    counselling: bool(b.counselling),
    hospital: bool(b.hospital),
  });
  await updateLedgerEntryRow(deps.knex, entryId, { updated_at: deps.now });
  await audit(deps, user, 'ledger', entryId, 'follow-up');
  return { id };
}
