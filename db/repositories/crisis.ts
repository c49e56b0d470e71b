/**
 * The crisis aggregate: crisis_cases (a reported crisis, its 24-hour supervision and hand-over;
 * each runs a crisis workflow, crisis.<id>, and a supervision workflow, supervision.<id>). Every
 * SQL statement on the table is here.
 */
import type { Knex } from 'knex';
import type { CrisisCaseRow } from '../tables';
export type { CrisisCaseRow };

/** An open case with its student, as the care page lists it. */
export interface OpenCaseRow {
  id: string;
  student_id: string;
  situation: string;
  place: string | null;
  status: string;
  escalation_level: number;
  reported_at: number;
  student_no: string;
  name: string;
  class_name: string | null;
}

/** The college's cases not yet closed, the latest reported first. */
export async function listOpenCasesOfCollege(db: Knex, collegeId: string): Promise<OpenCaseRow[]> {
  return (await db('crisis_cases as c')
    .join('students as s', 's.id', 'c.student_id')
    .where('c.college_id', collegeId)
    .whereNot('c.status', 'closed')
    .orderBy('c.reported_at', 'desc')
    .select(
      'c.id',
      'c.student_id',
      'c.situation',
      'c.place',
      'c.status',
      'c.escalation_level',
      'c.reported_at',
      's.student_no',
      's.name',
      's.class_name',
    )) as OpenCaseRow[];
}

/** The columns written when a case is reported. */
export type NewCrisisCase = Omit<
  CrisisCaseRow,
  'occurred_at' | 'reported_at' | 'workflow_ended_at' | 'workflow_end_status'
> & {
  occurred_at: number;
  reported_at: number;
  updated_at: number;
};

export async function getCase(db: Knex, id: string): Promise<CrisisCaseRow | undefined> {
  return (await db('crisis_cases').where({ id }).first()) as CrisisCaseRow | undefined;
}

export async function insertCase(db: Knex, row: NewCrisisCase): Promise<void> {
  await db('crisis_cases').insert(row);
}

export async function caseStatus(db: Knex, id: string): Promise<string | undefined> {
  const row = (await db('crisis_cases').where({ id }).first('status')) as { status: string } | undefined;
  return row?.status;
}

/** The college's cases under 24-hour supervision (ids, in id order). */
export async function listSupervisingCaseIds(db: Knex, collegeId: string | null): Promise<string[]> {
  const rows = (await db('crisis_cases')
    .where({ college_id: collegeId, status: 'supervising' })
    .orderBy('id')
    .select('id', 'college_id')) as Array<{ id: string; college_id: string }>;
  return rows.map((r) => r.id);
}

/** Inbox rows of a crisis event (each recipient and channel once per event). */
export async function insertCrisisInbox(db: Knex, rows: Array<Record<string, unknown>>): Promise<void> {
  await db('notifications').insert(rows).onConflict(['event_key', 'recipient_user_id', 'channel']).ignore();
}

/** The zone of a school (for dates written as local text); Asia/Shanghai when unknown. */
export async function schoolTimezone(db: Knex, schoolId: string): Promise<string> {
  const school = (await db('schools').where({ id: schoolId }).first('timezone')) as { timezone: string } | undefined;
  return school?.timezone ?? 'Asia/Shanghai';
}
