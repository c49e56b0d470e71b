/**
 * The pairing aggregate (结对帮扶, appendix 5): the pairings table. A proposed pairing has no
 * teacher yet; an active one runs a pairing workflow (pairing.<id>). Every SQL statement on the
 * table is here.
 */
import type { Knex } from 'knex';
import type { PairingRow } from '../tables';
export type { PairingRow };

/** A pairing with its student and teacher names, as the pairing list shows it. */
export type PairingListRow = PairingRow & {
  student_no: string;
  name: string;
  class_name: string | null;
  teacher_name: string | null;
};

/** The columns written when a teacher is paired with the student. */
export interface PairingStart {
  teacher_user_id: string;
  status: 'active';
  started_at: number;
  talk_every_ms: number;
  override_reason: string | null;
}

export async function getPairing(db: Knex, id: string): Promise<PairingRow | undefined> {
  return (await db('pairings').where({ id }).first()) as PairingRow | undefined;
}

/** The college's proposed and active pairings, oldest first. */
export async function listOpenPairingRows(db: Knex, collegeId: string): Promise<PairingListRow[]> {
  return (await db('pairings as p')
    .join('students as s', 's.id', 'p.student_id')
    .leftJoin('users as u', 'u.id', 'p.teacher_user_id')
    .where({ 'p.college_id': collegeId })
    .whereIn('p.status', ['proposed', 'active'])
    .orderBy('p.created_at')
    .select('p.*', 's.student_no', 's.name', 's.class_name', 'u.display_name as teacher_name')) as PairingListRow[];
}

/** How many students the teacher has in active pairings. */
export async function countActivePairingsOf(db: Knex, teacherUserId: string): Promise<number> {
  const load = (await db('pairings')
    .where({ teacher_user_id: teacherUserId, status: 'active' })
    .count({ n: '*' })
    .first()) as {
    n: number | string;
  };
  return Number(load.n);
}

/** The teacher's active pairings (ids, in id order). */
export async function listActivePairingIdsOf(db: Knex, teacherUserId: string): Promise<string[]> {
  const rows = (await db('pairings')
    .where({ teacher_user_id: teacherUserId, status: 'active' })
    .orderBy('id')
    .select('id')) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/** The student's proposed or active pairing, if any. */
export async function findOpenPairingOf(
  db: Knex,
  studentId: string,
): Promise<{ id: string; status: string } | undefined> {
  return (await db('pairings')
    .where({ student_id: studentId })
    .whereIn('status', ['proposed', 'active'])
    .first('id', 'status')) as { id: string; status: string } | undefined;
}

export async function insertPairing(db: Knex, row: Partial<PairingRow> & Pick<PairingRow, 'id'>): Promise<void> {
  await db('pairings').insert(row);
}

export async function startPairing(db: Knex, id: string, start: PairingStart): Promise<void> {
  await db('pairings').where({ id }).update(start);
}

export async function setPairingTeacher(db: Knex, id: string, teacherUserId: string): Promise<void> {
  await db('pairings').where({ id }).update({ teacher_user_id: teacherUserId });
}
