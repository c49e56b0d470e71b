/**
 * The rows a restart of a stopped workflow starts from (server/features/operations/restart.ts):
 * a crisis case, a pairing or a screening warning, each only within the given school.
 */
import type { Knex } from 'knex';
import type { CrisisCaseRow, PairingRow, ScreeningBatchRow, ScreeningWarningRow } from '../tables';

/** The case row, when the case belongs to a college of the school. */
export async function schoolCrisisCase(db: Knex, schoolId: string, caseId: string): Promise<CrisisCaseRow | undefined> {
  return (await db('crisis_cases as c')
    .join('colleges as k', 'k.id', 'c.college_id')
    .where('c.id', caseId)
    .andWhere('k.school_id', schoolId)
    .first('c.*')) as CrisisCaseRow | undefined;
}

/** The pairing row, when the pairing belongs to a college of the school. */
export async function schoolPairing(db: Knex, schoolId: string, pairingId: string): Promise<PairingRow | undefined> {
  return (await db('pairings as p')
    .join('colleges as k', 'k.id', 'p.college_id')
    .where('p.id', pairingId)
    .andWhere('k.school_id', schoolId)
    .first('p.*')) as PairingRow | undefined;
}

/** A screening warning with its batch's import instant, when the batch is the school's. */
export type SchoolWarning = Pick<ScreeningWarningRow, 'id' | 'college_id' | 'level' | 'status' | 'interview_due_at'> &
  Pick<ScreeningBatchRow, 'imported_at'>;

export async function schoolScreeningWarning(
  db: Knex,
  schoolId: string,
  warningId: string,
): Promise<SchoolWarning | undefined> {
  return (await db('screening_warnings as w')
    .join('screening_batches as b', 'b.id', 'w.batch_id')
    .where('w.id', warningId)
    .andWhere('b.school_id', schoolId)
    .first('w.id', 'w.college_id', 'w.level', 'w.status', 'w.interview_due_at', 'b.imported_at')) as
    SchoolWarning | undefined;
}
