/**
 * The screening aggregate: screening_batches (an imported file of results) and
 * screening_warnings (a student's red/orange/yellow warning, interviewed within its deadline; each
 * runs a screening workflow, screening.<id>). Every SQL statement on these tables is here.
 */
import type { Knex } from 'knex';
import type { ScreeningWarningRow, ScreeningBatchRow } from '../tables';
export type { ScreeningWarningRow, ScreeningBatchRow };

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

/** The batch of the school with this file hash (the same file imported before). */
export async function findBatchIdByHash(db: Knex, schoolId: string, sha256: string): Promise<string | undefined> {
  const row = (await db('screening_batches').where({ school_id: schoolId, sha256 }).first('id')) as
    { id: string } | undefined;
  return row?.id;
}

export async function countWarningsOfBatch(db: Knex, batchId: string): Promise<number> {
  const [{ n }] = (await db('screening_warnings').where({ batch_id: batchId }).count({ n: '*' })) as [
    { n: number | string },
  ];
  return Number(n);
}

export async function insertBatch(db: Knex, row: ScreeningBatchRow): Promise<void> {
  await db('screening_batches').insert(row);
}

/** New warnings, written 100 rows at a time. */
export async function insertWarnings(
  db: Knex,
  rows: Array<Omit<ScreeningWarningRow, 'interviewed_at' | 'record'>>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) await db('screening_warnings').insert(rows.slice(i, i + 100));
}

export async function batchImportedAt(db: Knex, batchId: string): Promise<number> {
  const batch = (await db('screening_batches').where({ id: batchId }).first('imported_at')) as {
    imported_at: number | string;
  };
  return Number(batch.imported_at);
}

/** The batch's warnings still open (their follow-ups should run). */
export async function listOpenWarningsOfBatch(
  db: Knex,
  batchId: string,
): Promise<Array<Pick<ScreeningWarningRow, 'id' | 'college_id' | 'level' | 'interview_due_at'>>> {
  return (await db('screening_warnings')
    .where({ batch_id: batchId, status: 'open' })
    .select('id', 'college_id', 'level', 'interview_due_at')) as Array<
    Pick<ScreeningWarningRow, 'id' | 'college_id' | 'level' | 'interview_due_at'>
  >;
}

/** A warning without student data, as the JSON API lists it. */
export interface WarningSummary {
  id: string;
  collegeId: string;
  level: string;
  status: string;
  escalationLevel: number;
  interviewDueAt: number;
  interviewedAt: number | null;
}

/** Warnings by the earliest interview deadline, of one college (or all when null), of one status (or any). */
export async function listWarningSummaries(
  db: Knex,
  filter: { collegeId?: string | null; status?: string },
): Promise<WarningSummary[]> {
  const q = db('screening_warnings')
    .select(
      'id',
      'college_id as collegeId',
      'level',
      'status',
      'escalation_level as escalationLevel',
      'interview_due_at as interviewDueAt',
      'interviewed_at as interviewedAt',
    )
    .orderBy('interview_due_at');
  if (filter.collegeId !== undefined) q.where({ college_id: filter.collegeId });
  if (filter.status !== undefined) q.where({ status: filter.status });
  return ((await q) as Array<Record<string, unknown>>).map(
    (w) =>
      ({
        ...w,
        interviewDueAt: Number(w.interviewDueAt),
        interviewedAt: w.interviewedAt == null ? null : Number(w.interviewedAt),
      }) as WarningSummary,
  );
}
