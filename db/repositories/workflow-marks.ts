/**
 * Workflows stopped outside the app (issue 10, finding 3): the marks on task and case rows, and
 * the school's open rows whose workflow should be running.
 */
import type { Knex } from 'knex';
import { collegeLadderWorkflowId } from '../../contracts/ids';
import type { DbRow } from './codec';
import type { WorkflowSigningRow } from '../tables';

/** Read-model rows the app can notice as stopped outside it (issue 10, finding 3): marked in their own table. */
export type MarkedWorkflowKind = 'task' | 'crisis';
/** Every kind of the app's workflows with an open row in the read model (pairing and screening are listed, not marked). */
export type WorkflowRowKind = MarkedWorkflowKind | 'pairing' | 'screening';

/** A task or case whose workflow ended without the app closing it, as marked in the read model. */
export interface EndedWorkflowRow {
  kind: MarkedWorkflowKind;
  id: string;
  collegeId: string;
  /** the task's title (Chinese and English), or the case's situation */
  titleZh: string;
  titleEn: string;
  /** when the app noticed it (epoch ms) */
  noticedAt: number;
  /** how it ended: TERMINATED, CANCELLED, FAILED, TIMED_OUT (or 'stopped-outside-the-app') */
  endStatus: string;
}

/** An open row of the read model and the workflow id that should be running for it. */
export interface OpenWorkflowRow {
  kind: WorkflowRowKind;
  id: string;
  collegeId: string;
  workflowId: string;
}

const MARKED_TABLE: Record<MarkedWorkflowKind, string> = { task: 'task_instances', crisis: 'crisis_cases' };

/** Marks a row whose workflow ended outside the app; keeps the first notice. True when it was not marked before. */
export async function markWorkflowEnded(
  db: Knex,
  kind: MarkedWorkflowKind,
  id: string,
  mark: { at: number; status: string },
): Promise<boolean> {
  const n = await db(MARKED_TABLE[kind])
    .where({ id })
    .whereNull('workflow_ended_at')
    .update({ workflow_ended_at: mark.at, workflow_end_status: mark.status });
  return n > 0;
}

/** Clears the mark when the row's workflow runs again (a restart). */
export async function clearWorkflowEnded(db: Knex, kind: MarkedWorkflowKind, id: string): Promise<void> {
  await db(MARKED_TABLE[kind]).where({ id }).update({ workflow_ended_at: null, workflow_end_status: null });
}

/** The school's still-open tasks and cases marked as stopped outside the app, most recently noticed first. */
export async function listEndedWorkflows(db: Knex, schoolId: string): Promise<EndedWorkflowRow[]> {
  const tasks = (await db('task_instances as t')
    .join('semesters as s', 's.id', 't.semester_id')
    .where('s.school_id', schoolId)
    .whereNotNull('t.workflow_ended_at')
    .whereNotIn('t.status', ['completed', 'waived'])
    .select(
      't.id',
      't.college_id',
      't.title_zh',
      't.title_en',
      't.workflow_ended_at',
      't.workflow_end_status',
    )) as DbRow[];
  const cases = (await db('crisis_cases as c')
    .join('colleges as k', 'k.id', 'c.college_id')
    .where('k.school_id', schoolId)
    .whereNotNull('c.workflow_ended_at')
    .whereNot('c.status', 'closed')
    .select('c.id', 'c.college_id', 'c.situation', 'c.workflow_ended_at', 'c.workflow_end_status')) as DbRow[];
  return [
    ...tasks.map((r) => ({
      kind: 'task' as const,
      id: String(r.id),
      collegeId: String(r.college_id),
      titleZh: String(r.title_zh),
      titleEn: String(r.title_en ?? r.title_zh),
      noticedAt: Number(r.workflow_ended_at),
      endStatus: String(r.workflow_end_status ?? ''),
    })),
    ...cases.map((r) => ({
      kind: 'crisis' as const,
      id: String(r.id),
      collegeId: String(r.college_id),
      titleZh: String(r.situation),
      titleEn: String(r.situation),
      noticedAt: Number(r.workflow_ended_at),
      endStatus: String(r.workflow_end_status ?? ''),
    })),
  ].sort((a, b) => b.noticedAt - a.noticedAt || a.id.localeCompare(b.id));
}

/** The school's rows that are open in the read model, so their workflow should be running (not yet marked as stopped). */
export async function listOpenWorkflowRows(db: Knex, schoolId: string): Promise<OpenWorkflowRow[]> {
  const tasks = (await db('task_instances as t')
    .join('semesters as s', 's.id', 't.semester_id')
    .where('s.school_id', schoolId)
    .whereIn('t.status', ['open', 'overdue'])
    .whereNull('t.workflow_ended_at')
    .select('t.id', 't.college_id', 't.semester_id', 's.task_model')) as DbRow[];
  const ofSchool = (table: string) =>
    db(`${table} as x`).join('colleges as k', 'k.id', 'x.college_id').where('k.school_id', schoolId);
  const cases = (await ofSchool('crisis_cases')
    .whereNot('x.status', 'closed')
    .whereNull('x.workflow_ended_at')
    .select('x.id', 'x.college_id')) as DbRow[];
  const pairings = (await ofSchool('pairings').where('x.status', 'active').select('x.id', 'x.college_id')) as DbRow[];
  const warnings = (await ofSchool('screening_warnings')
    .where('x.status', 'open')
    .select('x.id', 'x.college_id')) as DbRow[];
  const rows = (kind: WorkflowRowKind, list: DbRow[], workflowId: (id: string) => string) =>
    list.map((r) => ({
      kind,
      id: String(r.id),
      collegeId: String(r.college_id),
      workflowId: workflowId(String(r.id)),
    }));
  // a ladder semester's tasks run in their college's ladder workflow (ADR 0005); a per-task one's in their own
  const taskWorkflowIds = new Map(
    tasks.map((r) => [
      String(r.id),
      r.task_model === 'ladder' ? collegeLadderWorkflowId(String(r.semester_id), String(r.college_id)) : String(r.id),
    ]),
  );
  return [
    ...rows('task', tasks, (id) => taskWorkflowIds.get(id)!),
    ...rows('crisis', cases, (id) => `crisis.${id}`),
    ...rows('pairing', pairings, (id) => `pairing.${id}`),
    ...rows('screening', warnings, (id) => `screening.${id}`),
  ];
}

/**
 * The audit key of a stop, shared with the 409 path of server/tasks.ts: one entry per stopped run
 * and row (a college ladder runs many tasks: each gets its entry; a row with a workflow of its own
 * keeps the key it always had).
 */
export const endedEventKey = (workflowId: string, runId: string, subjectId: string = workflowId) =>
  subjectId === workflowId
    ? `${workflowId}/workflow-ended:${runId}`
    : `${workflowId}/workflow-ended:${runId}/${subjectId}`;

/** The instant signing was introduced in this database (migration 20241201000400), or 0 when it is not recorded. */
export async function signingLegacyBefore(db: Knex): Promise<number> {
  const row = (await db('workflow_signing').where({ id: 1 }).first('legacy_before')) as
    Pick<WorkflowSigningRow, 'legacy_before'> | undefined;
  return row ? Number(row.legacy_before) : 0;
}
