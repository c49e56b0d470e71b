/**
 * The intervention ledger aggregate (心理干预台账, appendix 4): ledger_entries and their monthly
 * ledger_follow_ups. Every SQL statement on these tables is here.
 */
import type { Knex } from 'knex';
import type { LedgerEntryRow, LedgerFollowUpRow } from '../tables';
export type { LedgerEntryRow, LedgerFollowUpRow };

/** A ledger entry with its student and liaison teacher, as the ledger lists it. */
export type LedgerListRow = LedgerEntryRow & {
  student_no: string;
  name: string;
  class_name: string | null;
  liaison_name: string | null;
};

/** The columns of an entry a use case may write (validated by the caller). */
export type LedgerFieldsPatch = Partial<
  Pick<
    LedgerEntryRow,
    | 'gender'
    | 'major_class'
    | 'contact'
    | 'interview_at'
    | 'categories'
    | 'life_safety'
    | 'description'
    | 'plan'
    | 'liaison_user_id'
    | 'status'
  >
>;

export async function nextLedgerSeq(db: Knex, collegeId: string): Promise<number> {
  const row = (await db('ledger_entries').where({ college_id: collegeId }).max({ m: 'seq' }).first()) as
    { m: number | string | null } | undefined;
  return Number(row?.m ?? 0) + 1;
}

export async function getLedgerEntry(db: Knex, id: string): Promise<LedgerEntryRow | undefined> {
  return (await db('ledger_entries').where({ id }).first()) as LedgerEntryRow | undefined;
}

/** The student's active entry (id and the columns enrolment completes). */
export async function findActiveLedgerEntryOf(
  db: Knex,
  studentId: string,
): Promise<{ id: string; life_safety: unknown; interview_at: unknown; plan: string } | undefined> {
  return (await db('ledger_entries')
    .where({ student_id: studentId, status: 'active' })
    .first('id', 'life_safety', 'interview_at', 'plan')) as
    { id: string; life_safety: unknown; interview_at: unknown; plan: string } | undefined;
}

export async function insertLedgerEntry(
  db: Knex,
  row: Omit<
    LedgerEntryRow,
    | 'gender'
    | 'major_class'
    | 'contact'
    | 'liaison_user_id'
    | 'interview_at'
    | 'categories'
    | 'life_safety'
    | 'description'
    | 'plan'
  > &
    LedgerFieldsPatch,
): Promise<void> {
  await db('ledger_entries').insert(row);
}

export async function updateLedgerEntryRow(
  db: Knex,
  id: string,
  patch: LedgerFieldsPatch & { updated_at: number },
): Promise<void> {
  await db('ledger_entries').where({ id }).update(patch);
}

/** The entries of a college with this status, in 序号 order, with student and liaison names. */
export async function listLedgerRows(db: Knex, collegeId: string, status: string): Promise<LedgerListRow[]> {
  return (await db('ledger_entries as l')
    .join('students as s', 's.id', 'l.student_id')
    .leftJoin('users as u', 'u.id', 'l.liaison_user_id')
    .where({ 'l.college_id': collegeId, 'l.status': status })
    .orderBy('l.seq')
    .select('l.*', 's.student_no', 's.name', 's.class_name', 'u.display_name as liaison_name')) as LedgerListRow[];
}

/** The follow-ups of these entries, oldest first (in parts of 500 ids). */
export async function listFollowUps(db: Knex, entryIds: string[]): Promise<LedgerFollowUpRow[]> {
  const out: LedgerFollowUpRow[] = [];
  for (let i = 0; i < entryIds.length; i += 500) {
    const part = (await db('ledger_follow_ups')
      .whereIn('entry_id', entryIds.slice(i, i + 500))
      .orderBy(['at', 'id'])) as LedgerFollowUpRow[];
    out.push(...part);
  }
  return out;
}

export async function insertFollowUp(db: Knex, row: LedgerFollowUpRow): Promise<void> {
  await db('ledger_follow_ups').insert(row);
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
