/**
 * Import a file of screening warnings (CSV, UTF-8 with or without BOM, or GBK). Every row is
 * validated first (rows.ts): any problem → ImportError and nothing is written. Otherwise students,
 * the batch and its warnings are written in one transaction, then one screeningFollowUpWorkflow is
 * started per warning (ids only). The same file again (sha256 per school) is the same batch. A
 * row never moves a student to another college: it is refused by line.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { getCareSettings } from '../../../../db/repositories/care';
import {
  countWarningsOfBatch,
  findBatchIdByHash,
  insertBatch,
  insertWarnings,
} from '../../../../db/repositories/screening';
import {
  insertStudents,
  registeredStudentsByNo,
  updateStudentNameAndClass,
} from '../../../../db/repositories/students';
import { createStore, type Store } from '../../../../db/store';
import { screeningDurations } from '../../../../domain/care';
import type { WarningLevel } from '../../../../contracts';
import { ForbiddenError, requireCareRole, type SessionUser } from '../../../platform/auth/context';
import { decodeCsv, ImportError, parseCsvAsync } from '../../../platform/csv';
import { ensureFollowUps, startFollowUps, type NewWarning } from './follow-ups';
import { notThisCollege, validateRows, type WarningRow } from './rows';

export interface ScreeningDeps {
  knex: Knex;
  store: Store;
  /** starts the follow-up workflows; absent: rows only (tests, tools) */
  client?: Client;
  taskQueue: string;
  /** the import instant (epoch ms): interview deadlines count from it */
  now: number;
}

export interface ScreeningImportResult {
  batchId: string;
  warnings: number;
  /** the same file was imported before: nothing new was written or started */
  duplicate: boolean;
}

/**
 * Checks a screening file as importWarnings does, writing nothing (the import page's preview):
 * its rows and whether the same file was imported before, or ImportError listing every problem.
 */
export async function previewWarnings(
  deps: { knex: Knex; store: Store },
  user: SessionUser,
  file: Buffer,
): Promise<{ rows: WarningRow[]; duplicate: boolean }> {
  const { rows, sha256 } = await checkFile(deps, user, file);
  const duplicate = Boolean(await findBatchIdByHash(deps.knex, user.schoolId, sha256));
  return { rows, duplicate };
}

/**
 * The checks a screening file passes before anything is written, shared by the preview and the
 * import: the user may import, every row is valid, and no row names a student registered with
 * another college than the row's. Returns the rows and the file's hash (a file imported before is
 * recognised by it).
 */
async function checkFile(deps: { knex: Knex; store: Store }, user: SessionUser, file: Buffer) {
  requireCareRole(user);
  if (user.role !== 'school_admin' && !user.collegeId) throw new ForbiddenError('you belong to no college');
  const rows = await validateRows(deps.store, user, await parseCsvAsync(decodeCsv(file)));
  const registered = await registeredStudentsByNo(
    deps.knex,
    user.schoolId,
    rows.map((r) => r.studentNo),
  );
  const foreign = rows.filter(
    (r) => registered.has(r.studentNo) && registered.get(r.studentNo)!.college_id !== r.collegeId,
  );
  if (foreign.length) throw new ImportError(foreign.map(notThisCollege));
  return { rows, sha256: createHash('sha256').update(file).digest('hex') };
}

const isUniqueViolation = (e: unknown) => {
  const code = (e as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT' ||
    (e instanceof Error && /UNIQUE constraint failed/.test(e.message))
  );
};

/**
 * Imports a screening file. School admins import any college's rows; college staff only their
 * own college's. A row naming a student registered with another college than the row's is
 * refused by line (for the school admin too: a file never moves a student).
 * Returns the batch (and `duplicate: true` when the same file was imported before).
 */
export async function importWarnings(
  deps: ScreeningDeps,
  user: SessionUser,
  file: Buffer,
  fileName: string,
): Promise<ScreeningImportResult> {
  // refused before anything is written (and again inside the transaction, against a concurrent write)
  const { rows, sha256 } = await checkFile(deps, user, file);
  const existing = async () => {
    const batchId = await findBatchIdByHash(deps.knex, user.schoolId, sha256);
    if (!batchId) return undefined;
    return { batchId, warnings: await countWarningsOfBatch(deps.knex, batchId), duplicate: true };
  };
  const before = await existing();
  if (before) {
    if (deps.client) await ensureFollowUps({ ...deps, client: deps.client }, before.batchId, user.schoolId);
    return before;
  }

  const batchId = randomUUID();
  // the school's settings (docs/domain.md §3 defaults): red 3 days, orange 7 days
  const durations = screeningDurations(await getCareSettings(deps.knex, user.schoolId));
  const dueAfter = { red: durations.redInterviewMs, orange: durations.orangeInterviewMs };
  let warnings: NewWarning[] = [];
  try {
    await deps.knex.transaction(async (trx) => {
      warnings = await writeBatch(trx, deps, user, { batchId, fileName, sha256, rows, dueAfter });
    });
  } catch (e) {
    const again = isUniqueViolation(e) ? await existing() : undefined;
    if (!again) throw e;
    if (deps.client) await ensureFollowUps({ ...deps, client: deps.client }, again.batchId, user.schoolId);
    return again;
  }

  if (deps.client) await startFollowUps(deps.client, deps.taskQueue, deps.now, warnings, durations);
  return { batchId, warnings: warnings.length, duplicate: false };
}

/** The batch, its students and warnings and the audit event, in the import's transaction. */
async function writeBatch(
  trx: Knex,
  deps: ScreeningDeps,
  user: SessionUser,
  b: {
    batchId: string;
    fileName: string;
    sha256: string;
    rows: WarningRow[];
    dueAfter: Record<WarningLevel, number>;
  },
): Promise<NewWarning[]> {
  const { batchId, rows, sha256 } = b;
  // the same file, imported concurrently: the unique (school, sha256) index decides
  await insertBatch(trx, {
    id: batchId,
    school_id: user.schoolId,
    name: b.fileName.slice(0, 200) || 'screening.csv',
    imported_by: user.id,
    imported_at: deps.now,
    rows: rows.length,
    sha256,
  });
  const studentIds = await writeStudents(trx, deps, user, rows);
  const warnings: NewWarning[] = [];
  const warningRows = rows.map((r) => {
    const w = { id: randomUUID(), collegeId: r.collegeId, level: r.level, dueAt: deps.now + b.dueAfter[r.level] };
    warnings.push(w);
    return {
      id: w.id,
      batch_id: batchId,
      student_id: studentIds.get(r.studentNo)!,
      college_id: r.collegeId,
      level: r.level,
      interview_due_at: w.dueAt,
      status: 'open' as const,
      escalation_level: 0,
    };
  });
  await insertWarnings(trx, warningRows);

  const byLevel = {
    red: rows.filter((r) => r.level === 'red').length,
    orange: rows.filter((r) => r.level === 'orange').length,
  };
  await createStore(trx).appendAudit({
    eventKey: `screening-batch.${batchId}/imported`,
    subjectType: 'screening-batch',
    subjectId: batchId,
    action: 'imported',
    actor: user.id,
    at: deps.now,
    details: { rows: rows.length, ...byLevel, sha256 },
  });
  return warnings;
}

/** Students by (school, student number): new ones get an opaque id, known ones the file's data. */
async function writeStudents(
  trx: Knex,
  deps: ScreeningDeps,
  user: SessionUser,
  rows: WarningRow[],
): Promise<Map<string, string>> {
  const known = await registeredStudentsByNo(
    trx,
    user.schoolId,
    rows.map((r) => r.studentNo),
  );
  // a file never moves a student to another college (nor tells which college holds the number)
  const foreign = rows.filter((r) => known.has(r.studentNo) && known.get(r.studentNo)!.college_id !== r.collegeId);
  if (foreign.length) throw new ImportError(foreign.map(notThisCollege));
  const studentIds = new Map<string, string>();
  const fresh = [];
  for (const r of rows) {
    const s = known.get(r.studentNo);
    if (!s) {
      const id = randomUUID();
      studentIds.set(r.studentNo, id);
      fresh.push({
        id,
        school_id: user.schoolId,
        college_id: r.collegeId,
        student_no: r.studentNo,
        name: r.name,
        class_name: r.className,
        created_at: deps.now,
      });
      continue;
    }
    studentIds.set(r.studentNo, s.id);
    const className = r.className ?? s.class_name;
    if (s.name !== r.name || s.class_name !== className) await updateStudentNameAndClass(trx, s.id, r.name, className);
  }
  await insertStudents(trx, fresh);
  return studentIds;
}
