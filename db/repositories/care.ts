/**
 * The care aggregate: the school's care settings (care_settings) and the key-care list
 * (key_care_entries, 重点关爱库), and enrolment of a student into care (the key-care list, the
 * intervention ledger and a proposed pairing), which the screening and crisis activities call when
 * an interview finds a high risk or a crisis case is closed with the "five ones". Enrolment is
 * idempotent: a student already on the list or the ledger gains the reason, not a second entry; a
 * student with a proposed or active pairing gets no second one.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { careSettingsSchema, DEFAULT_CARE_SETTINGS, type CareSettings, type KeyCareReason } from '../../domain/care';
import { findActiveLedgerEntryOf, insertLedgerEntry, nextLedgerSeq, updateLedgerEntryRow } from './ledger';
import { findOpenPairingOf, insertPairing } from './pairing';

/** A row of key_care_entries. */
export interface KeyCareRow {
  id: string;
  student_id: string;
  college_id: string;
  /** JSON array of KeyCareReason */
  reasons: string;
  plan: string;
  source: 'manual' | 'screening' | 'crisis';
  source_id: string | null;
  status: 'active' | 'removed';
  added_by: string;
  added_at: number;
  updated_at: number;
  removed_at: number | null;
  removed_by: string | null;
  removed_reason: string | null;
}

/** A key-care entry with its student, as the list shows it. */
export interface KeyCareListRow {
  id: string;
  student_id: string;
  student_no: string;
  name: string;
  class_name: string | null;
  college_id: string;
  reasons: string;
  plan: string;
  source: string;
  added_at: number;
  updated_at: number;
}

export async function getCareSettings(db: Knex, schoolId: string): Promise<CareSettings> {
  const row = (await db('care_settings').where({ school_id: schoolId }).first('body')) as { body: string } | undefined;
  if (!row) return DEFAULT_CARE_SETTINGS;
  // stored settings were validated when saved; a row that no longer parses (a newer bound) falls
  // back to the defaults section by section rather than stopping every crisis report
  const parsed = careSettingsSchema.safeParse(JSON.parse(row.body));
  if (parsed.success) return parsed.data;
  const body = JSON.parse(row.body) as Partial<CareSettings>;
  const section = <K extends keyof CareSettings>(k: K): CareSettings[K] => {
    const one = careSettingsSchema.shape[k].safeParse(body[k]);
    return (one.success ? one.data : DEFAULT_CARE_SETTINGS[k]) as CareSettings[K];
  };
  return { crisis: section('crisis'), screening: section('screening'), pairing: section('pairing') };
}

export async function saveCareSettings(
  db: Knex,
  schoolId: string,
  settings: CareSettings,
  by: string,
  at: number,
): Promise<void> {
  await db('care_settings')
    .insert({ school_id: schoolId, body: JSON.stringify(settings), updated_by: by, updated_at: at })
    .onConflict('school_id')
    .merge(['body', 'updated_by', 'updated_at']);
}

// ---------------------------------------------------------------------------------------------
// the key-care list

export async function listActiveKeyCareRows(db: Knex, collegeId: string): Promise<KeyCareListRow[]> {
  return (await db('key_care_entries as k')
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
    )) as KeyCareListRow[];
}

export async function getKeyCareEntry(db: Knex, id: string): Promise<KeyCareRow | undefined> {
  return (await db('key_care_entries').where({ id }).first()) as KeyCareRow | undefined;
}

export async function findActiveKeyCareOf(
  db: Knex,
  studentId: string,
): Promise<{ id: string; reasons: string; plan: string } | undefined> {
  return (await db('key_care_entries')
    .where({ student_id: studentId, status: 'active' })
    .first('id', 'reasons', 'plan')) as { id: string; reasons: string; plan: string } | undefined;
}

export async function insertKeyCareEntry(
  db: Knex,
  row: Omit<KeyCareRow, 'removed_at' | 'removed_by' | 'removed_reason'>,
): Promise<void> {
  await db('key_care_entries').insert(row);
}

export async function updateKeyCareEntry(
  db: Knex,
  id: string,
  patch: Partial<Pick<KeyCareRow, 'reasons' | 'plan' | 'updated_at'>>,
): Promise<void> {
  await db('key_care_entries').where({ id }).update(patch);
}

export async function removeKeyCareEntry(
  db: Knex,
  id: string,
  removal: { removed_at: number; removed_by: string; removed_reason: string },
): Promise<void> {
  await db('key_care_entries')
    .where({ id })
    .update({ status: 'removed', ...removal, updated_at: removal.removed_at });
}

/** The college of a care row (key-care entry, ledger entry or pairing), undefined when unknown. */
export async function collegeOfCareRow(
  db: Knex,
  table: 'key_care_entries' | 'ledger_entries' | 'pairings',
  id: string,
): Promise<string | undefined> {
  const row = (await db(table).where({ id }).first('college_id')) as { college_id: string } | undefined;
  return row?.college_id;
}

// ---------------------------------------------------------------------------------------------
// enrolment

export interface Enrolment {
  studentId: string;
  collegeId: string;
  source: 'screening' | 'crisis';
  sourceId: string;
  at: number;
  reason: KeyCareReason;
  /** 是否涉及生命安全 */
  lifeSafety: boolean;
  /** 约谈时间, when the enrolment comes from an interview */
  interviewAt?: number;
  /** the one-student-one-plan (a crisis case's "five ones" plan): the key-care plan and the ledger's 干预计划 where still empty */
  plan?: string;
}

/** Puts the student on the key-care list and the ledger and proposes a pairing (call inside a transaction). */
export async function enrolInCare(
  trx: Knex,
  e: Enrolment,
): Promise<{ keyCareId: string; ledgerId: string; pairingId: string }> {
  const actor = 'system';
  const keyCare = await findActiveKeyCareOf(trx, e.studentId);
  let keyCareId = keyCare?.id;
  if (keyCare) {
    const reasons = JSON.parse(keyCare.reasons) as KeyCareReason[];
    const patch: { reasons?: string; plan?: string } = {};
    if (!reasons.some((r) => r.kind === e.reason.kind && r.zh === e.reason.zh))
      patch.reasons = JSON.stringify([...reasons, e.reason]);
    if (e.plan && !keyCare.plan) patch.plan = e.plan;
    if (Object.keys(patch).length) await updateKeyCareEntry(trx, keyCare.id, { ...patch, updated_at: e.at });
  } else {
    keyCareId = randomUUID();
    await insertKeyCareEntry(trx, {
      id: keyCareId,
      student_id: e.studentId,
      college_id: e.collegeId,
      reasons: JSON.stringify([e.reason]),
      plan: e.plan ?? '',
      source: e.source,
      source_id: e.sourceId,
      status: 'active',
      added_by: actor,
      added_at: e.at,
      updated_at: e.at,
    });
  }
  const ledger = await findActiveLedgerEntryOf(trx, e.studentId);
  let ledgerId = ledger?.id;
  if (ledger) {
    const patch: { life_safety?: boolean; interview_at?: number; plan?: string } = {};
    if (e.lifeSafety && !ledger.life_safety) patch.life_safety = true;
    if (e.interviewAt && ledger.interview_at == null) patch.interview_at = e.interviewAt;
    if (e.plan && !ledger.plan) patch.plan = e.plan;
    if (Object.keys(patch).length) await updateLedgerEntryRow(trx, ledger.id, { ...patch, updated_at: e.at });
  } else {
    ledgerId = randomUUID();
    await insertLedgerEntry(trx, {
      id: ledgerId,
      student_id: e.studentId,
      college_id: e.collegeId,
      seq: await nextLedgerSeq(trx, e.collegeId),
      interview_at: e.interviewAt ?? null,
      categories: '[]',
      life_safety: e.lifeSafety,
      description: '',
      plan: e.plan ?? '',
      source: e.source,
      source_id: e.sourceId,
      status: 'active',
      created_at: e.at,
      updated_at: e.at,
    });
  }
  const pairing = await findOpenPairingOf(trx, e.studentId);
  let pairingId = pairing?.id;
  if (!pairing) {
    pairingId = randomUUID();
    await insertPairing(trx, {
      id: pairingId,
      college_id: e.collegeId,
      student_id: e.studentId,
      teacher_user_id: null,
      status: 'proposed',
      source: e.source,
      source_id: e.sourceId,
      created_by: actor,
      created_at: e.at,
      escalation_level: 0,
    });
  }
  return { keyCareId: keyCareId!, ledgerId: ledgerId!, pairingId: pairingId! };
}

// ---------------------------------------------------------------------------------------------
// a staff member leaving their care duties (hand-over); belongs with the users repository after the issue-13 merge

/** Deactivates the account (its sessions are deleted by the caller, in the same transaction). */
export async function deactivateUser(db: Knex, userId: string): Promise<void> {
  await db('users').where({ id: userId }).update({ active: false });
}
