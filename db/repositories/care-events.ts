/**
 * The row writes of the care workflows' activities (activities/crisis.ts, pairing.ts,
 * screening.ts), each called inside the activity's transaction beside its audit event, so that the
 * timeline, the row and the inbox never disagree. The care pages' reads and writes are in the care
 * repositories; these are only what a workflow event changes.
 */
import type { Knex } from 'knex';
import type { CrisisCaseRow, NotificationRow, ScreeningWarningRow } from '../tables';

/** An inbox row to insert (the database fills id and read_at). */
export type InboxRow = Omit<NotificationRow, 'id' | 'read_at'>;

/** Inserts inbox rows, each once per (event key, recipient, channel). */
export async function insertInboxRows(trx: Knex, rows: InboxRow[]): Promise<void> {
  await trx('notifications').insert(rows).onConflict(['event_key', 'recipient_user_id', 'channel']).ignore();
}

// ---------------------------------------------------------------------------------------------
// Crisis cases

/** A case event: updated_at, and the status when the event changes it. */
export async function touchCrisisCase(trx: Knex, caseId: string, at: number, status?: string): Promise<void> {
  await trx('crisis_cases')
    .where({ id: caseId })
    .update({ updated_at: at, ...(status ? { status } : {}) });
}

/** Raises the case's escalation level to `level` (never lowers it). */
export async function raiseCrisisLevel(trx: Knex, caseId: string, level: number): Promise<void> {
  await trx('crisis_cases')
    .where({ id: caseId })
    .andWhere('escalation_level', '<', level)
    .update({ escalation_level: level });
}

export async function crisisCaseStudent(
  trx: Knex,
  caseId: string,
): Promise<Pick<CrisisCaseRow, 'student_id' | 'situation'> | undefined> {
  return (await trx('crisis_cases').where({ id: caseId }).first('student_id', 'situation')) as
    Pick<CrisisCaseRow, 'student_id' | 'situation'> | undefined;
}

// ---------------------------------------------------------------------------------------------
// Pairings

export async function setPairingTeacher(
  trx: Knex,
  pairingId: string,
  teacherUserId: string | undefined,
): Promise<void> {
  await trx('pairings').where({ id: pairingId }).update({ teacher_user_id: teacherUserId });
}

/** A talk: the last talk instant, and the clock's escalation back to 0. */
export async function recordPairingTalk(trx: Knex, pairingId: string, at: number): Promise<void> {
  await trx('pairings').where({ id: pairingId }).update({ last_talk_at: at, escalation_level: 0 });
}

export async function endPairing(trx: Knex, pairingId: string, at: number, reason: string | null): Promise<void> {
  await trx('pairings').where({ id: pairingId }).update({ status: 'ended', ended_at: at, ended_reason: reason });
}

/** Raises the pairing's escalation level to `level` (never lowers it). */
export async function raisePairingLevel(trx: Knex, pairingId: string, level: number): Promise<void> {
  await trx('pairings')
    .where({ id: pairingId })
    .andWhere('escalation_level', '<', level)
    .update({ escalation_level: level });
}

// ---------------------------------------------------------------------------------------------
// Screening warnings

/** Raises the warning's escalation level to `level` (never lowers it). */
export async function raiseWarningLevel(trx: Knex, warningId: string, level: number): Promise<void> {
  await trx('screening_warnings')
    .where({ id: warningId })
    .andWhere('escalation_level', '<', level)
    .update({ escalation_level: level });
}

/** The interview held: status, instant and the interview record (JSON). */
export async function recordInterview(trx: Knex, warningId: string, at: number, record: unknown): Promise<void> {
  await trx('screening_warnings')
    .where({ id: warningId })
    .update({ status: 'interviewed', interviewed_at: at, record: JSON.stringify(record) });
}

export async function warningInterview(
  trx: Knex,
  warningId: string,
): Promise<Pick<ScreeningWarningRow, 'student_id' | 'interviewed_at' | 'record'> | undefined> {
  return (await trx('screening_warnings').where({ id: warningId }).first('student_id', 'interviewed_at', 'record')) as
    Pick<ScreeningWarningRow, 'student_id' | 'interviewed_at' | 'record'> | undefined;
}
