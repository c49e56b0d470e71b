/**
 * The crisis aggregate: crisis_cases (a reported crisis, its 24-hour supervision and hand-over;
 * each runs a crisis workflow, crisis.<id>, and a supervision workflow, supervision.<id>). Every
 * SQL statement on the table is here.
 */
import type { Knex } from 'knex';

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
