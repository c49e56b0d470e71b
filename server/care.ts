/**
 * Student care use cases (DOMAIN.md §4; seed 003 §4, §8, appendices 4 and 5):
 *  - the key-care list (重点关爱库) per college, with reasons and the one-student-one-plan;
 *  - the intervention ledger (心理干预台账) with appendix 4's columns and monthly follow-ups, and
 *    the check behind the monthly ledger duty of the checklist;
 *  - pairings (结对帮扶): at most `maxStudentsPerTeacher` students per teacher unless the school
 *    admin records a reason; each active pairing runs a pairing workflow (the 15-day talk clock);
 *  - the school's care settings (the procedures' durations).
 * Student data is visible to the care staff of the student's college and the counselling centre
 * (school admin) only, and every read or export of it is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { getCareSettings, nextLedgerSeq, saveCareSettings } from '../db/care';
import { writeTransaction } from '../db/knex';
import { createStore, type Store } from '../db/store';
import {
  careSettingsProblems,
  careSettingsSchema,
  LEDGER_CATEGORIES,
  LEDGER_CATEGORY_IDS,
  pairingClock,
  type CareSettings,
  type KeyCareReason,
} from '../domain/care';
import type { Role } from '../domain/schema';
import { endPairingUpdate, pairingWorkflow, recordTalkUpdate } from '../workflows';
import { assertCareOf, BadRequestError, ForbiddenError, type SessionUser } from './auth/context';
import { NotFoundError } from './semesters';
import { TaskRejectedError } from './tasks';
import { formatLocal } from '../domain/local-time';
import { controlCharProblem } from '../domain/text';
import { CLOCK_SKEW_MS, instantFrom, monthFrom } from './dates';

export interface CareDeps {
  knex: Knex;
  store: Store;
  client?: Client;
  taskQueue: string;
  now: number;
}

export const pairingWorkflowId = (pairingId: string) => `pairing.${pairingId}`;

const MAX_TEXT = 5000;
/** who keeps the ledger and the plans (class teachers read them and add follow-ups) */
const LEDGER_EDITORS: readonly Role[] = ['school_admin', 'college_leader', 'psych_counsellor', 'counsellor'];

/** Trimmed text; a short field (at most 100 characters: a name, a number) is one line, a longer one may have line breaks; NUL and other control characters are refused (domain/text.ts). */
function text(
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

const bool = (v: unknown) => v === true || v === 'true' || v === 'on' || v === '1' || v === 'yes';

async function audit(
  deps: CareDeps,
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

async function collegeOf(deps: CareDeps, user: SessionUser, collegeId: string) {
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
async function studentFor(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  b: Record<string, unknown>,
): Promise<string> {
  if (typeof b.studentId === 'string' && b.studentId) {
    const s = (await deps
      .knex('students')
      .where({ id: b.studentId, school_id: user.schoolId })
      .first('id', 'college_id')) as { id: string; college_id: string } | undefined;
    if (!s || s.college_id !== collegeId) throw new NotFoundError(`unknown student ${b.studentId}`);
    return s.id;
  }
  const studentNo = text(b.studentNo, 'studentNo (学号)', { required: true, max: 32 });
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(studentNo))
    throw new BadRequestError(`invalid student number "${studentNo}" (1–32 letters, digits, _ or -)`);
  const name = text(b.studentName, 'studentName (姓名)', { required: true, max: 100 });
  const className = text(b.className, 'className (班级)', { max: 100 }) || null;
  const found = (await deps
    .knex('students')
    .where({ school_id: user.schoolId, college_id: collegeId, student_no: studentNo })
    .first('id', 'name')) as { id: string; name: string } | undefined;
  if (found) {
    if (found.name !== name)
      throw new BadRequestError(`student number ${studentNo} is registered under another name: check the number`);
    return found.id;
  }
  const registered = (await deps
    .knex('students')
    .where({ school_id: user.schoolId, student_no: studentNo })
    .whereNull('registered_student_id')
    .first('id')) as { id: string } | undefined;
  const id = randomUUID();
  await deps.knex('students').insert({
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

// ---------------------------------------------------------------------------------------------
// The school's care settings (school admin)

function assertSettingsKeeper(user: SessionUser): void {
  if (user.role !== 'school_admin') throw new ForbiddenError('the care settings are kept by the school administration');
}

export async function readCareSettings(deps: CareDeps, user: SessionUser): Promise<CareSettings> {
  assertSettingsKeeper(user);
  return getCareSettings(deps.knex, user.schoolId);
}

/** Saves valid settings (and audits the change); otherwise returns every problem by path and saves nothing. */
export async function changeCareSettings(
  deps: CareDeps,
  user: SessionUser,
  submitted: unknown,
): Promise<{ settings: CareSettings; problems?: undefined } | { problems: string[] }> {
  assertSettingsKeeper(user);
  const problems = careSettingsProblems(submitted);
  if (problems.length) return { problems };
  const settings = careSettingsSchema.parse(submitted);
  await saveCareSettings(deps.knex, user.schoolId, settings, user.id, deps.now);
  await deps.store.appendAudit({
    eventKey: `care-settings:${user.schoolId}:${deps.now}`,
    subjectType: 'care-settings',
    subjectId: user.schoolId,
    action: 'changed',
    actor: user.id,
    at: deps.now,
    details: settings as unknown as Record<string, unknown>,
  });
  return { settings };
}

// ---------------------------------------------------------------------------------------------
// Key-care list

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

/** Options of the list reads: `audit: false` when the caller audits the whole page's students at once. */
export interface ListOptions {
  audit?: boolean;
}

export async function listKeyCare(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  opts: ListOptions = {},
): Promise<KeyCareView[]> {
  await collegeOf(deps, user, collegeId);
  const rows = (await deps
    .knex('key_care_entries as k')
    .join('students as s', 's.id', 'k.student_id')
    .where({ 'k.college_id': collegeId, 'k.status': 'active' })
    .orderBy('k.added_at')
    .select(
      'k.id',
      'k.student_id',
      's.student_no',
      's.name',
      's.class_name',
      'k.college_id',
      'k.reasons',
      'k.plan',
      'k.source',
      'k.added_at',
      'k.updated_at',
    )) as Array<Record<string, unknown>>;
  if (opts.audit !== false)
    await auditStudentReads(
      deps,
      user,
      rows.map((r) => String(r.student_id)),
      'key-care-list',
    );
  return rows.map((r) => ({
    id: String(r.id),
    student: {
      id: String(r.student_id),
      studentNo: String(r.student_no),
      name: String(r.name),
      className: (r.class_name as string | null) ?? null,
    },
    collegeId: String(r.college_id),
    reasons: JSON.parse(String(r.reasons)) as KeyCareReason[],
    plan: String(r.plan),
    source: String(r.source),
    addedAt: Number(r.added_at),
    updatedAt: Number(r.updated_at),
  }));
}

export async function addKeyCare(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  b: Record<string, unknown>,
): Promise<{ id: string }> {
  await collegeOf(deps, user, collegeId);
  const reasons = parseReasons(b.reasons, deps.now);
  if (!reasons.length)
    throw new BadRequestError('give at least one reason (a key-care group of the month, or your own words)');
  const plan = text(b.plan, 'plan (一生一策)');
  // every write through the transaction (SQLite has one connection: the store outside it would wait)
  // reads, then writes: the write lock first (SQLite), see db/knex.ts
  return writeTransaction(deps.knex, async (trx) => {
    const studentId = await studentFor({ ...deps, knex: trx }, user, collegeId, b);
    const existing = await trx('key_care_entries').where({ student_id: studentId, status: 'active' }).first('id');
    if (existing) throw new TaskRejectedError('this student is already on the key-care list: edit the entry instead');
    const id = randomUUID();
    await trx('key_care_entries').insert({
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
}

async function keyCareRow(deps: CareDeps, user: SessionUser, id: string) {
  const row = (await deps.knex('key_care_entries').where({ id }).first()) as Record<string, unknown> | undefined;
  if (!row || row.status !== 'active') throw new NotFoundError(`unknown key-care entry ${id}`);
  await collegeOf(deps, user, String(row.college_id));
  return row;
}

export async function updateKeyCare(
  deps: CareDeps,
  user: SessionUser,
  id: string,
  b: Record<string, unknown>,
): Promise<void> {
  await keyCareRow(deps, user, id);
  const patch: Record<string, unknown> = { updated_at: deps.now };
  if (b.reasons !== undefined) {
    const reasons = parseReasons(b.reasons, deps.now);
    if (!reasons.length) throw new BadRequestError('give at least one reason');
    patch.reasons = JSON.stringify(reasons);
  }
  if (b.plan !== undefined) patch.plan = text(b.plan, 'plan (一生一策)');
  await deps.knex('key_care_entries').where({ id }).update(patch);
  await audit(deps, user, 'key-care', id, 'updated', { fields: Object.keys(patch).filter((k) => k !== 'updated_at') });
}

export async function removeKeyCare(deps: CareDeps, user: SessionUser, id: string, reason: unknown): Promise<void> {
  await keyCareRow(deps, user, id);
  if (user.role !== 'college_leader' && user.role !== 'school_admin')
    throw new ForbiddenError(
      'only the college leader or the counselling centre may take a student off the key-care list',
    );
  const why = text(reason, 'reason', { required: true, max: 500 });
  await deps.knex('key_care_entries').where({ id }).update({
    status: 'removed',
    removed_at: deps.now,
    removed_by: user.id,
    removed_reason: why,
    updated_at: deps.now,
  });
  await audit(deps, user, 'key-care', id, 'removed', { reason: why });
}

// ---------------------------------------------------------------------------------------------
// Intervention ledger (appendix 4)

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

async function ledgerViews(deps: CareDeps, where: Record<string, unknown>): Promise<LedgerView[]> {
  const rows = (await deps
    .knex('ledger_entries as l')
    .join('students as s', 's.id', 'l.student_id')
    .leftJoin('users as u', 'u.id', 'l.liaison_user_id')
    .where(where)
    .orderBy('l.seq')
    .select('l.*', 's.student_no', 's.name', 's.class_name', 'u.display_name as liaison_name')) as Array<
    Record<string, unknown>
  >;
  const ids = rows.map((r) => String(r.id));
  const byEntry = new Map<string, FollowUp[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = (await deps
      .knex('ledger_follow_ups')
      .whereIn('entry_id', ids.slice(i, i + 500))
      .orderBy(['at', 'id'])) as Array<Record<string, unknown>>;
    for (const u of part) {
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
  }
  return rows.map((r) => ({
    id: String(r.id),
    seq: Number(r.seq),
    student: {
      id: String(r.student_id),
      studentNo: String(r.student_no),
      name: String(r.name),
      className: (r.class_name as string | null) ?? null,
    },
    gender: String(r.gender ?? ''),
    majorClass: String(r.major_class ?? ''),
    contact: String(r.contact ?? ''),
    interviewAt: r.interview_at == null ? null : Number(r.interview_at),
    categories: JSON.parse(String(r.categories)) as string[],
    lifeSafety: Boolean(r.life_safety),
    description: String(r.description),
    liaisonUserId: (r.liaison_user_id as string | null) ?? null,
    liaisonName: (r.liaison_name as string | null) ?? null,
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
  await collegeOf(deps, user, collegeId);
  const views = await ledgerViews(deps, { 'l.college_id': collegeId, 'l.status': 'active' });
  if (opts.audit !== false)
    await auditStudentReads(
      deps,
      user,
      views.map((v) => v.student.id),
      what,
    );
  return views;
}

/** The zone of the college's school, for dates written as local text. */
async function schoolZoneOf(deps: CareDeps, collegeId: string): Promise<string> {
  const college = await deps.store.getCollege(collegeId);
  return (college && (await deps.store.getSchool(college.schoolId))?.timezone) || 'Asia/Shanghai';
}

async function ledgerFields(
  deps: CareDeps,
  collegeId: string,
  b: Record<string, unknown>,
  partial: boolean,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
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

export async function addLedgerEntry(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  b: Record<string, unknown>,
): Promise<{ id: string; seq: number }> {
  await collegeOf(deps, user, collegeId);
  if (!LEDGER_EDITORS.includes(user.role))
    throw new ForbiddenError(
      'the ledger is kept by the counsellors, the psychological counsellor and the college leader',
    );
  const fields = await ledgerFields(deps, collegeId, b, false);
  return writeTransaction(deps.knex, async (trx) => {
    const studentId = await studentFor({ ...deps, knex: trx }, user, collegeId, b);
    if (await trx('ledger_entries').where({ student_id: studentId, status: 'active' }).first('id'))
      throw new TaskRejectedError('this student is already on the ledger: add a follow-up to the entry instead');
    const id = randomUUID();
    const seq = await nextLedgerSeq(trx, collegeId);
    await trx('ledger_entries').insert({
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
  const row = (await deps.knex('ledger_entries').where({ id }).first()) as Record<string, unknown> | undefined;
  if (!row) throw new NotFoundError(`unknown ledger entry ${id}`);
  await collegeOf(deps, user, String(row.college_id));
  return row;
}

export async function updateLedgerEntry(
  deps: CareDeps,
  user: SessionUser,
  id: string,
  b: Record<string, unknown>,
): Promise<void> {
  const row = await ledgerRow(deps, user, id);
  if (!LEDGER_EDITORS.includes(user.role))
    throw new ForbiddenError(
      'the ledger is kept by the counsellors, the psychological counsellor and the college leader',
    );
  const fields = await ledgerFields(deps, String(row.college_id), b, true);
  if (b.status !== undefined) {
    if (b.status !== 'active' && b.status !== 'closed') throw new BadRequestError('status is active or closed');
    if (b.status === 'closed' && user.role !== 'college_leader' && user.role !== 'school_admin')
      throw new ForbiddenError('only the college leader may close a ledger entry');
    fields.status = b.status;
  }
  await deps
    .knex('ledger_entries')
    .where({ id })
    .update({ ...fields, updated_at: deps.now });
  await audit(deps, user, 'ledger', id, 'updated', { fields: Object.keys(fields) });
}

export async function addFollowUp(
  deps: CareDeps,
  user: SessionUser,
  entryId: string,
  b: Record<string, unknown>,
): Promise<{ id: string }> {
  const row = await ledgerRow(deps, user, entryId);
  if (row.status !== 'active') throw new TaskRejectedError('this ledger entry is closed');
  const id = randomUUID();
  await deps.knex('ledger_follow_ups').insert({
    id,
    entry_id: entryId,
    at: deps.now,
    by: user.id,
    text: text(b.text, 'text (跟踪情况)', { required: true }),
    counselling: bool(b.counselling),
    hospital: bool(b.hospital),
  });
  await deps.knex('ledger_entries').where({ id: entryId }).update({ updated_at: deps.now });
  await audit(deps, user, 'ledger', entryId, 'follow-up');
  return { id };
}

/** The ledger as rows in appendix 4's column order, for the .xlsx/.csv export (audited as an export). */
export async function ledgerExportRows(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  zone: string,
): Promise<Array<Array<string | number | null>>> {
  const views = await listLedger(deps, user, collegeId, 'ledger-export');
  await audit(deps, user, 'ledger-export', collegeId, 'exported', { entries: views.length });
  const when = (ms: number | null) => (ms == null ? '' : formatLocal(ms, zone));
  const categoryZh = new Map<string, string>(LEDGER_CATEGORIES.map((c) => [c.id, c.zh]));
  return views.map((v) => [
    v.seq,
    v.student.name,
    v.gender,
    v.majorClass || v.student.className || '',
    v.contact,
    when(v.interviewAt),
    v.categories.map((c) => categoryZh.get(c) ?? c).join('、'),
    v.lifeSafety ? '是' : '否',
    v.description,
    v.liaisonName ?? '',
    v.plan,
    v.followUps
      .map((f) => `${when(f.at)} ${f.text}${f.counselling ? '（心理咨询）' : ''}${f.hospital ? '（就医）' : ''}`)
      .join('\n'),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Pairings (appendix 5)

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
  await collegeOf(deps, user, collegeId);
  const rows = (await deps
    .knex('pairings as p')
    .join('students as s', 's.id', 'p.student_id')
    .leftJoin('users as u', 'u.id', 'p.teacher_user_id')
    .where({ 'p.college_id': collegeId })
    .whereIn('p.status', ['proposed', 'active'])
    .orderBy('p.created_at')
    .select('p.*', 's.student_no', 's.name', 's.class_name', 'u.display_name as teacher_name')) as Array<
    Record<string, unknown>
  >;
  if (opts.audit !== false)
    await auditStudentReads(
      deps,
      user,
      rows.map((r) => String(r.student_id)),
      'pairings',
    );
  return rows.map((r) => {
    const last = r.last_talk_at == null ? null : Number(r.last_talk_at);
    const started = r.started_at == null ? null : Number(r.started_at);
    const from = last ?? started;
    return {
      id: String(r.id),
      student: {
        id: String(r.student_id),
        studentNo: String(r.student_no),
        name: String(r.name),
        className: (r.class_name as string | null) ?? null,
      },
      teacherUserId: (r.teacher_user_id as string | null) ?? null,
      teacherName: (r.teacher_name as string | null) ?? null,
      status: String(r.status),
      source: String(r.source),
      overrideReason: (r.override_reason as string | null) ?? null,
      startedAt: started,
      lastTalkAt: last,
      // the clock the pairing's workflow runs with, fixed when it was paired
      nextTalkDueAt:
        r.status === 'active' && from != null && r.talk_every_ms != null ? from + Number(r.talk_every_ms) : null,
      escalationLevel: Number(r.escalation_level),
    };
  });
}

/**
 * Pairs a teacher with a student: a proposed pairing (`pairingId`) or a new one (`studentId` or
 * student number and name). The college leader (responsible, seed 003 §4) or the school admin;
 * a teacher's students beyond the limit need the school admin's recorded reason.
 */
export async function assignPairing(
  deps: CareDeps,
  user: SessionUser,
  collegeId: string,
  b: Record<string, unknown>,
): Promise<{ id: string }> {
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
    const load = (await trx('pairings')
      .where({ teacher_user_id: teacherUserId, status: 'active' })
      .count({ n: '*' })
      .first()) as {
      n: number | string;
    };
    const limit = settings.pairing.maxStudentsPerTeacher;
    if (Number(load.n) >= limit) {
      if (user.role !== 'school_admin')
        throw new TaskRejectedError(
          `${teacher.displayName} already has ${Number(load.n)} students (at most ${limit}); the school administration may allow more with a reason`,
        );
      if (!overrideReason)
        throw new TaskRejectedError(
          `${teacher.displayName} already has ${Number(load.n)} students (at most ${limit}): record the reason to allow more (overrideReason)`,
        );
    }
    let pairingId: string;
    if (typeof b.pairingId === 'string' && b.pairingId) {
      const p = (await trx('pairings').where({ id: b.pairingId }).first('id', 'college_id', 'status')) as
        { id: string; college_id: string; status: string } | undefined;
      if (!p || p.college_id !== collegeId) throw new NotFoundError(`unknown pairing ${b.pairingId}`);
      if (p.status !== 'proposed') throw new TaskRejectedError(`this pairing is ${p.status}, not proposed`);
      pairingId = p.id;
      await trx('pairings')
        .where({ id: p.id })
        .update({
          teacher_user_id: teacherUserId,
          status: 'active',
          started_at: deps.now,
          talk_every_ms: clock.talkEveryMs,
          override_reason: Number(load.n) >= limit ? overrideReason : null,
        });
    } else {
      const studentId = await studentFor({ ...deps, knex: trx }, user, collegeId, b);
      const open = (await trx('pairings')
        .where({ student_id: studentId })
        .whereIn('status', ['proposed', 'active'])
        .first('id', 'status')) as { id: string; status: string } | undefined;
      if (open?.status === 'active') throw new TaskRejectedError('this student already has a pairing teacher');
      pairingId = open?.id ?? randomUUID();
      const row = {
        teacher_user_id: teacherUserId,
        status: 'active',
        started_at: deps.now,
        talk_every_ms: clock.talkEveryMs,
        override_reason: Number(load.n) >= limit ? overrideReason : null,
      };
      if (open) await trx('pairings').where({ id: open.id }).update(row);
      else
        await trx('pairings').insert({
          id: pairingId,
          college_id: collegeId,
          student_id: studentId,
          source: 'manual',
          source_id: null,
          created_by: user.id,
          created_at: deps.now,
          escalation_level: 0,
          ...row,
        });
    }
    await createAudit(trx, user, pairingId, deps.now, Number(load.n) >= limit ? overrideReason : null, teacherUserId);
    return pairingId;
  });
  await deps.client.workflow.start(pairingWorkflow, {
    workflowId: pairingWorkflowId(id),
    taskQueue: deps.taskQueue,
    args: [{ pairingId: id, collegeId, teacherUserId, lastTalkAt: deps.now, ...clock }],
  });
  return { id };
}

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
  const row = (await deps.knex('pairings').where({ id }).first()) as Record<string, unknown> | undefined;
  if (!row) throw new NotFoundError(`unknown pairing ${id}`);
  await collegeOf(deps, user, String(row.college_id));
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
