/**
 * Screening use cases (DOMAIN.md §3): import a file of screening warnings (CSV, UTF-8 with or
 * without BOM, or GBK; Chinese or English headers) and record a warned student's interview
 * through the follow-up workflow's Update. Every row is validated first: any problem → ImportError
 * listing each by line (the header is line 1) and nothing is written. Otherwise students, the
 * batch and its warnings are written in one transaction, then one screeningFollowUpWorkflow is
 * started per warning (ids only). The same file again (sha256 per school) is the same batch. A
 * row never moves a student to another college: it is refused by line.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { getCareSettings } from '../db/care';
import { createStore, type College, type Store } from '../db/store';
import { screeningDurations } from '../domain/care';
import { controlCharProblem } from '../domain/text';
import { screeningFollowUpWorkflow, type ScreeningInput, type WarningLevel } from '../workflows';
import { ForbiddenError, requireCareRole, type SessionUser } from './auth/context';
import { decodeCsv, ImportError, parseCsvAsync, readCsvTable } from './auth/users';
import { screeningWorkflowId } from './features/screening/use-cases/ids';
export { recordInterview } from './features/screening/use-cases';
export { screeningWorkflowId };

/** A screening import is one school's or one college's warned students, not the whole roll. */
export const MAX_SCREENING_ROWS = 20_000;
const STUDENT_NO = /^[A-Za-z0-9_-]{1,32}$/;

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

type Column = 'studentNo' | 'name' | 'college' | 'className' | 'level';
const HEADER_NAMES: Record<string, Column> = {
  学号: 'studentNo',
  studentno: 'studentNo',
  student_no: 'studentNo',
  姓名: 'name',
  name: 'name',
  学院: 'college',
  college: 'college',
  班级: 'className',
  class: 'className',
  预警等级: 'level',
  level: 'level',
};
const REQUIRED_COLUMNS: Array<[Column, string]> = [
  ['studentNo', '学号/studentNo'],
  ['name', '姓名/name'],
  ['college', '学院/college'],
  ['level', '预警等级/level'],
];
/** Jiangsu wording (红色/橙色) and seed 003's (一级/二级预警). */
const LEVEL_NAMES: Record<string, WarningLevel> = {
  red: 'red',
  红: 'red',
  红色: 'red',
  红色预警: 'red',
  一级: 'red',
  一级预警: 'red',
  'level-1': 'red',
  orange: 'orange',
  橙: 'orange',
  橙色: 'orange',
  橙色预警: 'orange',
  二级: 'orange',
  二级预警: 'orange',
  'level-2': 'orange',
};

export interface WarningRow {
  line: number;
  studentNo: string;
  name: string;
  collegeId: string;
  className: string | null;
  level: WarningLevel;
}

/** The rows of a screening file, or ImportError listing every problem by line. */
async function validateRows(store: Store, user: SessionUser, records: string[][]): Promise<WarningRow[]> {
  const problems: string[] = [];
  const at = (line: number, msg: string) => problems.push(`第 ${line} 行: ${msg}`);

  const { columns, width, lines } = readCsvTable(records, HEADER_NAMES, REQUIRED_COLUMNS, {
    rowsName: 'warning rows',
    maxRows: MAX_SCREENING_ROWS,
  });

  const collegeByKey = new Map<string, College>();
  for (const c of await store.listColleges(user.schoolId))
    for (const key of [c.id, c.name, c.nameEn]) collegeByKey.set(key, c);
  const firstLine = new Map<string, number>();
  const rows: WarningRow[] = [];
  for (const { line, cells } of lines) {
    const cell = (col: Column) => (columns.has(col) ? (cells[columns.get(col)!] ?? '') : '');
    const before = problems.length;
    if (cells.length > width && cells.slice(width).some((c) => c !== '')) at(line, 'more fields than the header has');
    const studentNo = cell('studentNo');
    if (!studentNo) at(line, '学号/studentNo is empty');
    else if (!STUDENT_NO.test(studentNo))
      at(line, `invalid student number "${studentNo}" (1–32 letters, digits, _ or -)`);
    else if (firstLine.has(studentNo))
      at(line, `student number "${studentNo}" appears again (first on line ${firstLine.get(studentNo)})`);
    else firstLine.set(studentNo, line);
    const name = cell('name');
    if (!name) at(line, '姓名/name is empty');
    else if (name.length > 100) at(line, '姓名/name is longer than 100 characters');
    else if (controlCharProblem(name)) at(line, `姓名/name ${controlCharProblem(name)}`);
    const collegeText = cell('college');
    const college = collegeByKey.get(collegeText);
    if (!collegeText) at(line, '学院/college is empty');
    else if (!college) at(line, `unknown college "${collegeText}"`);
    else if (user.role !== 'school_admin' && college.id !== user.collegeId)
      at(line, `college "${collegeText}" is not yours: you may import warnings of your own college only`);
    const levelText = cell('level');
    const level = LEVEL_NAMES[levelText.toLowerCase()] ?? LEVEL_NAMES[levelText];
    if (!levelText) at(line, '预警等级/level is empty');
    else if (!level)
      at(line, `unknown warning level "${levelText}" (红色/橙色, red/orange, 一级/二级, level-1/level-2)`);
    const className = cell('className');
    if (className.length > 100) at(line, '班级/class is longer than 100 characters');
    else if (controlCharProblem(className)) at(line, `班级/class ${controlCharProblem(className)}`);
    if (problems.length === before)
      rows.push({ line, studentNo, name, collegeId: college!.id, className: className || null, level: level! });
  }
  if (problems.length > 0) throw new ImportError(problems);
  return rows;
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
  const duplicate = Boolean(
    await deps.knex('screening_batches').where({ school_id: user.schoolId, sha256 }).first('id'),
  );
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
  const registered = await registeredStudents(deps.knex, user.schoolId, rows);
  const foreign = rows.filter(
    (r) => registered.has(r.studentNo) && registered.get(r.studentNo)!.college_id !== r.collegeId,
  );
  if (foreign.length) throw new ImportError(foreign.map(notThisCollege));
  return { rows, sha256: createHash('sha256').update(file).digest('hex') };
}

/**
 * A row naming a student number registered with another college than the row's: refused (never
 * moved), and the message does not say which college holds the number.
 */
const notThisCollege = (r: WarningRow) =>
  `第 ${r.line} 行: student number "${r.studentNo}" cannot be imported by this college`;

type RegisteredStudent = {
  id: string;
  student_no: string;
  name: string;
  college_id: string;
  class_name: string | null;
};

/** The school's registered students (not a college's own record of another college's number) named by the rows. */
async function registeredStudents(
  db: Knex,
  schoolId: string,
  rows: WarningRow[],
): Promise<Map<string, RegisteredStudent>> {
  const known = new Map<string, RegisteredStudent>();
  for (const part of chunks(
    rows.map((r) => r.studentNo),
    500,
  )) {
    const found = (await db('students')
      .where({ school_id: schoolId })
      .whereNull('registered_student_id')
      .whereIn('student_no', part)
      .select('id', 'student_no', 'name', 'college_id', 'class_name')) as RegisteredStudent[];
    for (const s of found) known.set(s.student_no, s);
  }
  return known;
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

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
    const batch = (await deps.knex('screening_batches').where({ school_id: user.schoolId, sha256 }).first('id')) as
      { id: string } | undefined;
    if (!batch) return undefined;
    const [{ n }] = (await deps.knex('screening_warnings').where({ batch_id: batch.id }).count({ n: '*' })) as [
      { n: number | string },
    ];
    return { batchId: batch.id, warnings: Number(n), duplicate: true };
  };
  const before = await existing();
  if (before) {
    if (deps.client) await ensureFollowUps({ ...deps, client: deps.client }, before.batchId, user.schoolId);
    return before;
  }

  const batchId = randomUUID();
  // the school's settings (DOMAIN.md §3 defaults): red 3 days, orange 7 days
  const durations = screeningDurations(await getCareSettings(deps.knex, user.schoolId));
  const dueAfter = { red: durations.redInterviewMs, orange: durations.orangeInterviewMs };
  const warnings: Array<{ id: string; collegeId: string; level: WarningLevel; dueAt: number }> = [];
  try {
    await deps.knex.transaction(async (trx) => {
      // the same file, imported concurrently: the unique (school, sha256) index decides
      await trx('screening_batches').insert({
        id: batchId,
        school_id: user.schoolId,
        name: fileName.slice(0, 200) || 'screening.csv',
        imported_by: user.id,
        imported_at: deps.now,
        rows: rows.length,
        sha256,
      });

      // students by (school, student number): new ones get an opaque id, known ones the file's data
      const known = await registeredStudents(trx, user.schoolId, rows);
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
        if (s.name !== r.name || s.class_name !== className) {
          await trx('students').where({ id: s.id }).update({ name: r.name, class_name: className });
        }
      }
      for (const part of chunks(fresh, 100)) await trx('students').insert(part);

      const warningRows = rows.map((r) => {
        const w = { id: randomUUID(), collegeId: r.collegeId, level: r.level, dueAt: deps.now + dueAfter[r.level] };
        warnings.push(w);
        return {
          id: w.id,
          batch_id: batchId,
          student_id: studentIds.get(r.studentNo)!,
          college_id: r.collegeId,
          level: r.level,
          interview_due_at: w.dueAt,
          status: 'open',
          escalation_level: 0,
        };
      });
      for (const part of chunks(warningRows, 100)) await trx('screening_warnings').insert(part);

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

/**
 * The same file again: starts nothing new, but a follow-up that an interrupted first import did
 * not start (the process died between the commit and the starts) is started now.
 */
async function ensureFollowUps(
  deps: ScreeningDeps & { client: Client },
  batchId: string,
  schoolId: string,
): Promise<void> {
  const durations = screeningDurations(await getCareSettings(deps.knex, schoolId));
  const batch = (await deps.knex('screening_batches').where({ id: batchId }).first('imported_at')) as {
    imported_at: number | string;
  };
  const open = (await deps
    .knex('screening_warnings')
    .where({ batch_id: batchId, status: 'open' })
    .select('id', 'college_id', 'level', 'interview_due_at')) as Array<{
    id: string;
    college_id: string;
    level: WarningLevel;
    interview_due_at: number | string;
  }>;
  await startFollowUps(
    deps.client,
    deps.taskQueue,
    Number(batch.imported_at),
    open.map((w) => ({ id: w.id, collegeId: w.college_id, level: w.level, dueAt: Number(w.interview_due_at) })),
    durations,
  );
}

/** One follow-up workflow per warning; one that already exists (or existed) is left alone. */
async function startFollowUps(
  client: Client,
  taskQueue: string,
  importedAt: number,
  warnings: Array<{ id: string; collegeId: string; level: WarningLevel; dueAt: number }>,
  durations: { reminderBeforeMs: number; schoolAfterMs: number },
): Promise<void> {
  let next = 0;
  const startOne = async () => {
    while (next < warnings.length) {
      const w = warnings[next++]!;
      const input: ScreeningInput = {
        warningId: w.id,
        collegeId: w.collegeId,
        level: w.level,
        importedAt,
        dueAt: w.dueAt,
        reminderBeforeMs: durations.reminderBeforeMs,
        schoolAfterMs: durations.schoolAfterMs,
      };
      try {
        await client.workflow.start(screeningFollowUpWorkflow, {
          workflowId: screeningWorkflowId(w.id),
          taskQueue,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, warnings.length) }, startOne));
}
