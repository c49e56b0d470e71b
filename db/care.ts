/**
 * Care records in the database: the school's care settings, and enrolment of a student into care
 * (the key-care list, the intervention ledger and a proposed pairing), which the screening and
 * crisis activities call when an interview finds a high risk or a crisis case is closed with the
 * "five ones". Enrolment is idempotent: a student already on the list or the ledger gains the
 * reason, not a second entry; a student with a proposed or active pairing gets no second one.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { careSettingsSchema, DEFAULT_CARE_SETTINGS, type CareSettings, type KeyCareReason } from '../domain/care';

export async function getCareSettings(db: Knex, schoolId: string): Promise<CareSettings> {
  const row = (await db('care_settings').where({ school_id: schoolId }).first('body')) as { body: string } | undefined;
  if (!row) return DEFAULT_CARE_SETTINGS;
  // stored settings were validated when saved; a row that no longer parses (a newer bound) falls
  // back to the defaults section by section rather than stopping every crisis report
  const parsed = careSettingsSchema.safeParse(JSON.parse(row.body));
  if (parsed.success) return parsed.data;
  const body = JSON.parse(row.body) as Partial<CareSettings>;
  const section = <K extends keyof CareSettings>(k: K): CareSettings[K] => {
    const one = careSettingsSchema.innerType().shape[k].safeParse(body[k]);
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

export async function nextLedgerSeq(db: Knex, collegeId: string): Promise<number> {
  const row = (await db('ledger_entries').where({ college_id: collegeId }).max({ m: 'seq' }).first()) as
    { m: number | string | null } | undefined;
  return Number(row?.m ?? 0) + 1;
}

/** Puts the student on the key-care list and the ledger and proposes a pairing (call inside a transaction). */
export async function enrolInCare(
  trx: Knex,
  e: Enrolment,
): Promise<{ keyCareId: string; ledgerId: string; pairingId: string }> {
  const actor = 'system';
  const keyCare = (await trx('key_care_entries')
    .where({ student_id: e.studentId, status: 'active' })
    .first('id', 'reasons', 'plan')) as { id: string; reasons: string; plan: string } | undefined;
  let keyCareId = keyCare?.id;
  if (keyCare) {
    const reasons = JSON.parse(keyCare.reasons) as KeyCareReason[];
    const patch: Record<string, unknown> = {};
    if (!reasons.some((r) => r.kind === e.reason.kind && r.zh === e.reason.zh))
      patch.reasons = JSON.stringify([...reasons, e.reason]);
    if (e.plan && !keyCare.plan) patch.plan = e.plan;
    if (Object.keys(patch).length)
      await trx('key_care_entries')
        .where({ id: keyCare.id })
        .update({ ...patch, updated_at: e.at });
  } else {
    keyCareId = randomUUID();
    await trx('key_care_entries').insert({
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
  const ledger = (await trx('ledger_entries')
    .where({ student_id: e.studentId, status: 'active' })
    .first('id', 'life_safety', 'interview_at', 'plan')) as
    { id: string; life_safety: unknown; interview_at: unknown; plan: string } | undefined;
  let ledgerId = ledger?.id;
  if (ledger) {
    const patch: Record<string, unknown> = {};
    if (e.lifeSafety && !ledger.life_safety) patch.life_safety = true;
    if (e.interviewAt && ledger.interview_at == null) patch.interview_at = e.interviewAt;
    if (e.plan && !ledger.plan) patch.plan = e.plan;
    if (Object.keys(patch).length)
      await trx('ledger_entries')
        .where({ id: ledger.id })
        .update({ ...patch, updated_at: e.at });
  } else {
    ledgerId = randomUUID();
    await trx('ledger_entries').insert({
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
  const pairing = (await trx('pairings')
    .where({ student_id: e.studentId })
    .whereIn('status', ['proposed', 'active'])
    .first('id')) as { id: string } | undefined;
  let pairingId = pairing?.id;
  if (!pairing) {
    pairingId = randomUUID();
    await trx('pairings').insert({
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

/**
 * The numbers (序号) of a college's active ledger entries made before `since` that have no
 * follow-up between `since` and `until`, in order: the monthly ledger duty's open items.
 */
export async function staleLedgerSeqs(db: Knex, collegeId: string, since: number, until: number): Promise<number[]> {
  const entries = (await db('ledger_entries')
    .where({ college_id: collegeId, status: 'active' })
    .where('created_at', '<', since)
    .orderBy('seq')
    .select('id', 'seq')) as Array<{ id: string; seq: number }>;
  if (!entries.length) return [];
  const followed = (await db('ledger_follow_ups')
    .whereIn(
      'entry_id',
      entries.map((e) => e.id),
    )
    .where('at', '>=', since)
    .where('at', '<=', until)
    .distinct('entry_id')) as Array<{ entry_id: string }>;
  const fresh = new Set(followed.map((r) => r.entry_id));
  return entries.filter((e) => !fresh.has(e.id)).map((e) => Number(e.seq));
}
