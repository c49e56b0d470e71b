/**
 * The screening aggregate: screening_batches (an imported file of results) and
 * screening_warnings (a student's red/orange/yellow warning, interviewed within its deadline; each
 * runs a screening workflow, screening.<id>). Every SQL statement on these tables is here.
 */
import type { Knex } from 'knex';

/** A row of screening_warnings. */
export interface ScreeningWarningRow {
  id: string;
  batch_id: string;
  student_id: string;
  college_id: string;
  level: string;
  interview_due_at: number;
  status: string;
  escalation_level: number;
  interviewed_at: number | null;
  /** JSON of the interview record (appendix 2) */
  record: string | null;
}

/** A warning with its student, as the pages show it. */
export type WarningWithStudent = Pick<
  ScreeningWarningRow,
  'id' | 'student_id' | 'level' | 'interview_due_at' | 'escalation_level'
> & { student_no: string; name: string; class_name: string | null };

/** The college's open warnings, the earliest interview deadline first. */
export async function listOpenWarningsOfCollege(db: Knex, collegeId: string): Promise<WarningWithStudent[]> {
  return (await db('screening_warnings as w')
    .join('students as s', 's.id', 'w.student_id')
    .where({ 'w.college_id': collegeId, 'w.status': 'open' })
    .orderBy('w.interview_due_at')
    .select(
      'w.id',
      'w.student_id',
      'w.level',
      'w.interview_due_at',
      'w.escalation_level',
      's.student_no',
      's.name',
      's.class_name',
    )) as WarningWithStudent[];
}

/** One warning with its student, for the interview page. */
export async function getWarningWithStudent(
  db: Knex,
  id: string,
): Promise<
  (Omit<ScreeningWarningRow, 'batch_id'> & { student_no: string; name: string; class_name: string | null }) | undefined
> {
  return (await db('screening_warnings as w')
    .join('students as s', 's.id', 'w.student_id')
    .where('w.id', id)
    .first(
      'w.id',
      'w.student_id',
      'w.college_id',
      'w.level',
      'w.status',
      'w.interview_due_at',
      'w.escalation_level',
      'w.interviewed_at',
      'w.record',
      's.student_no',
      's.name',
      's.class_name',
    )) as
    | (Omit<ScreeningWarningRow, 'batch_id'> & { student_no: string; name: string; class_name: string | null })
    | undefined;
}

/** The college of a warning, undefined when unknown. */
export async function collegeOfWarning(db: Knex, id: string): Promise<string | undefined> {
  const row = (await db('screening_warnings').where({ id }).first('college_id')) as { college_id: string } | undefined;
  return row?.college_id;
}
