/**
 * Students' requests to see, correct or delete their data (data_requests; PIPL Art. 44–47): the
 * register, one request, its steps as its workflow records them, and who hears of them. Rows are
 * keyed to the student and purged with the archive (archive-purge.ts).
 */
import type { Knex } from 'knex';
import type { DataRequestEvent } from '../../contracts/archive';
import type { DataRequestRow } from '../tables';

export async function getDataRequest(db: Knex, id: string): Promise<DataRequestRow | undefined> {
  return (await db('data_requests').where({ id }).first()) as DataRequestRow | undefined;
}

export async function insertDataRequest(db: Knex, row: DataRequestRow): Promise<void> {
  await db('data_requests').insert(row);
}

/** The row's state after a step: the answer stored (once), or the escalation level raised. */
export async function applyDataRequestStep(db: Knex, id: string, e: DataRequestEvent): Promise<void> {
  if (e.step === 'answered')
    await db('data_requests')
      .where({ id, status: 'open' })
      .update({ status: 'answered', answer: e.answer ?? '', answered_by: e.actor, answered_at: e.at });
  else if (e.step === 'overdue')
    await db('data_requests').where({ id }).andWhere('escalation_level', '<', 1).update({ escalation_level: 1 });
}

/** Who hears of a step: the receiver (the reminder) or the school administration (the missed deadline). */
export async function requestRecipients(
  db: Knex,
  row: Pick<DataRequestRow, 'school_id' | 'received_by'>,
  to: 'receiver' | 'school',
): Promise<string[]> {
  const q = db('users').where({ school_id: row.school_id, active: true });
  if (to === 'receiver') q.where({ id: row.received_by });
  else q.where({ role: 'school_admin' });
  return (await q.orderBy('id').pluck('id')) as string[];
}

export type DataRequestListRow = DataRequestRow & { student_no: string; name: string };

/** The school's register, open requests first (by deadline), then the answered ones (newest first). */
export async function listDataRequests(
  db: Knex,
  schoolId: string,
  f: { studentId?: string } = {},
): Promise<DataRequestListRow[]> {
  const q = db('data_requests as r').join('students as s', 's.id', 'r.student_id').where({ 'r.school_id': schoolId });
  if (f.studentId) q.where({ 'r.student_id': f.studentId });
  return (await q
    .orderByRaw("case when r.status = 'open' then 0 else 1 end")
    .orderBy([
      { column: 'r.due_at', order: 'asc' },
      { column: 'r.received_at', order: 'desc' },
    ])
    .limit(500)
    .select('r.*', 's.student_no', 's.name')) as DataRequestListRow[];
}
