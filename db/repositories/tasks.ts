/**
 * Task instances of the read model: the planned rows, and their reads.
 * Their transitions (one task, or every step of a ladder instant) are in ./task-transitions.ts.
 */
import type { Knex } from 'knex';
import type { PlannedTask } from '../../contracts/checklist';
import { chunk, fromDb, SQLITE_MAX_VARIABLES, toDb, type Codec, type DbRow, type Upsert } from './codec';
import type { TaskInstanceDbRow } from '../tables';

export type TaskStatus = 'planned' | 'open' | 'overdue' | 'completed' | 'waived';

/** A planned task (its id equals the task's Temporal workflow id) with its progress; the instants of its reminders and escalation stay with the workflow. */
export interface TaskInstanceRow extends Omit<PlannedTask, 'remindAts' | 'level2At'> {
  status: TaskStatus;
  escalationLevel: number;
  remindersSent: number;
  completedAt: number | null;
  completedBy: string | null;
  late: boolean;
  note: string | null;
  waivedReason: string | null;
  updatedAt: number;
}

/** What the planner produces; progress fields start at their defaults. TaskInstanceRow fits. */
export type PlannedTaskInput = Upsert<
  Omit<
    TaskInstanceRow,
    'status' | 'escalationLevel' | 'remindersSent' | 'completedAt' | 'completedBy' | 'late' | 'note' | 'waivedReason'
  >,
  'occurrence' | 'updatedAt'
>;

export interface TaskTransition {
  taskId: string;
  /** columns to change; id and updatedAt are ignored (updatedAt becomes audit.at). */
  patch: Partial<TaskInstanceRow>;
  audit: { eventKey: string; action: string; actor: string; at: number; details?: unknown };
  notifications: Array<{ recipientUserId: string; kind: string; title: string; body: string; channel?: string }>;
  /**
   * A return (退回) of a completion: the completed row is reopened (status, level, completed_at and
   * completed_by written although the row is closed). Without it a closed row keeps its status.
   */
  reopen?: boolean;
}

export interface TaskFilter {
  semesterId?: string;
  collegeId?: string;
  status?: TaskStatus[];
  month?: string;
}

export const taskCodec: Codec<TaskInstanceRow, TaskInstanceDbRow> = {
  id: ['id', 'text'],
  semesterId: ['semester_id', 'text'],
  collegeId: ['college_id', 'text'],
  templateTaskId: ['template_task_id', 'text'],
  occurrence: ['occurrence', 'text'],
  month: ['month', 'text'],
  kind: ['kind', 'text'],
  ownerRole: ['owner_role', 'text'],
  titleZh: ['title_zh', 'text'],
  titleEn: ['title_en', 'text'],
  openAt: ['open_at', 'int'],
  dueAt: ['due_at', 'int'],
  status: ['status', 'text'],
  escalationLevel: ['escalation_level', 'int'],
  remindersSent: ['reminders_sent', 'int'],
  completedAt: ['completed_at', 'int'],
  completedBy: ['completed_by', 'text'],
  late: ['late', 'bool'],
  note: ['note', 'text'],
  waivedReason: ['waived_reason', 'text'],
  updatedAt: ['updated_at', 'int'],
};

/** Columns a re-plan may refresh, and only while the task is still 'planned'. */
const REPLAN_COLUMNS = ['title_zh', 'title_en', 'open_at', 'due_at', 'updated_at'];

/**
 * Inserts planned task instances (status 'planned', no progress). An existing row keeps its status
 * and completion; only while it is still 'planned' are its titles and open/due instants refreshed.
 */
export async function upsertPlannedTasks(db: Knex, rows: PlannedTaskInput[]): Promise<void> {
  const now = Date.now();
  const dbRows = rows.map((r) => plannedRow(r, now));
  const first = dbRows[0];
  if (!first) return;
  const size = Math.max(1, Math.floor(SQLITE_MAX_VARIABLES / Object.keys(first).length));
  await db.transaction(async (trx) => {
    for (const part of chunk(dbRows, size)) {
      await trx('task_instances')
        .insert(part)
        .onConflict('id')
        .merge(REPLAN_COLUMNS)
        .where('task_instances.status', 'planned');
    }
  });
}

/** The row of a freshly planned task: only the plan's fields; progress columns take their defaults. */
export function plannedRow(r: PlannedTaskInput, now: number): DbRow {
  const plan: PlannedTaskInput = {
    id: r.id,
    semesterId: r.semesterId,
    collegeId: r.collegeId,
    templateTaskId: r.templateTaskId,
    occurrence: r.occurrence ?? null,
    month: r.month,
    kind: r.kind,
    ownerRole: r.ownerRole,
    titleZh: r.titleZh,
    titleEn: r.titleEn,
    openAt: r.openAt,
    dueAt: r.dueAt,
    updatedAt: r.updatedAt ?? now,
  };
  return { ...toDb(taskCodec, plan), status: 'planned' };
}

/** The rows of the given tasks (any order), in chunks. */
export async function getTaskInstances(db: Knex, ids: string[]): Promise<TaskInstanceRow[]> {
  const out: TaskInstanceRow[] = [];
  for (const part of chunk([...new Set(ids)], SQLITE_MAX_VARIABLES)) {
    out.push(
      ...((await db('task_instances').whereIn('id', part)) as TaskInstanceDbRow[]).map((r) => fromDb(taskCodec, r)),
    );
  }
  return out;
}

export async function listTaskInstances(db: Knex, filter: TaskFilter = {}): Promise<TaskInstanceRow[]> {
  const q = db('task_instances').orderBy(['due_at', 'id']);
  if (filter.semesterId !== undefined) q.where('semester_id', filter.semesterId);
  if (filter.collegeId !== undefined) q.where('college_id', filter.collegeId);
  if (filter.month !== undefined) q.where('month', filter.month);
  if (filter.status !== undefined) q.whereIn('status', filter.status);
  return ((await q) as TaskInstanceDbRow[]).map((r) => fromDb(taskCodec, r));
}

export async function getTaskInstance(db: Knex, id: string): Promise<TaskInstanceRow | undefined> {
  const row = (await db('task_instances').where({ id }).first()) as TaskInstanceDbRow | undefined;
  return row && fromDb(taskCodec, row);
}
