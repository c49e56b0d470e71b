/**
 * Semesters: their definition (school, calendar, template), status and task model.
 */
import type { Knex } from 'knex';
import { fromDb, toDb, upsertRow, type Codec, type Upsert } from './codec';
import type { SemesterRow } from '../tables';

export type SemesterStatus = 'planned' | 'running' | 'closed';
/** How a semester's tasks run: one workflow per task, or one ladder per college (workflows/college-ladder.ts). */
export type TaskModel = 'per-task' | 'ladder';
export const TASK_MODELS: readonly TaskModel[] = ['per-task', 'ladder'];

export interface Semester {
  id: string;
  schoolId: string;
  calendarId: string;
  templateId: string;
  templateVersion: number;
  status: SemesterStatus;
  workflowId: string | null;
  createdAt: number;
  startedAt: number | null;
  /** chosen at creation and kept: a running semester finishes on the model it started with */
  taskModel: TaskModel;
}

export type SemesterInput = Upsert<Semester, 'status' | 'workflowId' | 'createdAt' | 'startedAt' | 'taskModel'>;

export const semesterCodec: Codec<Semester, SemesterRow> = {
  id: ['id', 'text'],
  schoolId: ['school_id', 'text'],
  calendarId: ['calendar_id', 'text'],
  templateId: ['template_id', 'text'],
  templateVersion: ['template_version', 'int'],
  status: ['status', 'text'],
  workflowId: ['workflow_id', 'text'],
  createdAt: ['created_at', 'int'],
  startedAt: ['started_at', 'int'],
  taskModel: ['task_model', 'text'],
};

/**
 * Inserts a semester or updates its definition (school, calendar, template). status, workflowId
 * and startedAt are taken only on insert; later changes go through setSemesterStatus.
 */
export async function upsertSemester(db: Knex, s: SemesterInput): Promise<void> {
  const row = { created_at: Date.now(), ...toDb(semesterCodec, s) };
  await upsertRow(db, 'semesters', row, ['id'], ['created_at', 'status', 'workflow_id', 'started_at', 'task_model']);
}

export async function getSemester(db: Knex, id: string): Promise<Semester | undefined> {
  const row = (await db('semesters').where({ id }).first()) as SemesterRow | undefined;
  return row && fromDb(semesterCodec, row);
}

export async function listSemesters(db: Knex, schoolId: string): Promise<Semester[]> {
  const rows = (await db('semesters').where({ school_id: schoolId }).orderBy(['created_at', 'id'])) as SemesterRow[];
  return rows.map((r) => fromDb(semesterCodec, r));
}

export async function setSemesterStatus(
  db: Knex,
  id: string,
  status: SemesterStatus,
  fields: { workflowId?: string | null; startedAt?: number | null } = {},
): Promise<void> {
  const updated = await db('semesters')
    .where({ id })
    .update(toDb(semesterCodec, { status, ...fields }));
  if (updated === 0) throw new Error(`semester ${id} not found`);
}
