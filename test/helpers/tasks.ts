/**
 * Task workflows in tests: the input of a planned row, the standard monthly key-care task with
 * instants of the test's choosing, activities that keep task events in memory, and the plan's
 * tasks that a counsellor completes with a note alone.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { evidenceSchema } from '../../domain/schema';
import { loadTemplateFile } from '../../domain/load';
import type { Store, TaskInstanceRow } from '../../db/store';
import { taskWorkflow } from '../../workflows';
import { createActivities, type TaskEvent } from '../../activities';
import type { LadderPlan, TaskInput } from '../../contracts';
import { DEMO_SCHOOL } from '../../db/demo';
import { DateTime } from 'luxon';
import { until } from './wait';

const ROOT = path.resolve(__dirname, '..', '..');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const KEY_CARE_TASK = '2024-10-01-update-key-care-list';

/** The 2024 autumn checklist the fixtures register. */
export const autumnTemplate = loadTemplateFile(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data;

/** A read-model task row of college c1 in semester s1, open since 10 days before `now`, due a day after it. */
export function taskRow(now: number, over: Partial<TaskInstanceRow> = {}): TaskInstanceRow {
  return {
    id: 't1',
    semesterId: 's1',
    collegeId: 'c1',
    templateTaskId: 'x',
    occurrence: null,
    month: '2026-10',
    kind: 'once',
    ownerRole: 'counsellor',
    titleZh: '任务',
    titleEn: 'task',
    openAt: now - 10 * DAY,
    dueAt: now + DAY,
    status: 'open',
    escalationLevel: 0,
    remindersSent: 0,
    completedAt: null,
    completedBy: null,
    late: false,
    note: null,
    waivedReason: null,
    updatedAt: now,
    ...over,
  };
}

/** The input of a planned row's task workflow: no reminders, level 2 two days after its due date. */
export function taskInputOf(row: TaskInstanceRow): TaskInput {
  const ttask = autumnTemplate.tasks.find((x) => x.id === row.templateTaskId)!;
  return {
    taskId: row.id,
    semesterId: row.semesterId,
    collegeId: row.collegeId,
    templateTaskId: row.templateTaskId,
    occurrence: row.occurrence,
    month: row.month,
    kind: row.kind,
    ownerRole: row.ownerRole,
    titleZh: row.titleZh,
    titleEn: row.titleEn,
    openAt: row.openAt,
    dueAt: row.dueAt,
    remindAts: [],
    level2At: row.dueAt + 2 * DAY,
    evidence: ttask.evidence,
  };
}

/** Starts the task workflow of a planned row (workflow id: the row's id). */
export async function startTaskOf(client: Client, queue: string, row: TaskInstanceRow): Promise<void> {
  await client.workflow.start(taskWorkflow, { args: [taskInputOf(row)], taskQueue: queue, workflowId: row.id });
}

/** Starts a planned row's workflow and waits until the read model shows it past 'planned'. */
export async function startTaskAndWait(client: Client, queue: string, store: Store, row: TaskInstanceRow) {
  await startTaskOf(client, queue, row);
  await until(`${row.id} leaves 'planned'`, async () => (await store.getTaskInstance(row.id))?.status !== 'planned');
}

/**
 * The monthly "update the key-care list" task of the counsellor, due at `dueAt`, with one reminder
 * a day before and level 2 two days after, its evidence a note; `over` changes any field.
 */
export function keyCareTask(at: { openAt: number; dueAt: number }, over: Partial<TaskInput> = {}): TaskInput {
  return {
    taskId: `task.test.${randomUUID()}`,
    semesterId: 'sem',
    collegeId: 'college-a',
    templateTaskId: KEY_CARE_TASK,
    occurrence: null,
    month: '2024-10',
    kind: 'monthly',
    ownerRole: 'counsellor',
    titleZh: '更新重点关爱名单',
    titleEn: 'Update the key-care list',
    openAt: at.openAt,
    dueAt: at.dueAt,
    remindAts: [at.dueAt - DAY],
    level2At: at.dueAt + 2 * DAY,
    evidence: evidenceSchema.parse({ note: 'required' }),
    ...over,
  };
}

/** Task activities that keep every event in `events` and deliver nothing. */
export function memoryTaskActivities(events: TaskEvent[]) {
  return {
    async recordTaskEvent(e: TaskEvent) {
      events.push(e);
      return { applied: true, eventKey: `${e.task.taskId}/${e.step}` };
    },
    async deliverNotifications() {
      return { sent: 0, skipped: 0 };
    },
  };
}

/**
 * The literature college's stored plan in `semesterId` (as the semester workflow gets it), only the
 * counsellor's tasks that need a note alone (no files, documents, ledger review or photos).
 */
export async function noteOnlyTasks(store: Store, semesterId: string): Promise<TaskInput[]> {
  const { tasks } = await createActivities({ store }).planCollegeTasks({ semesterId, collegeId: 'literature' });
  return tasks.filter((t) => t.ownerRole === 'counsellor' && noteAlone(t.evidence));
}

/** Whether a note alone meets the evidence rules (no files, documents, ledger review or photos). */
export const noteAlone = (e: TaskInput['evidence']) =>
  e.minFiles === 0 && e.documents.length === 0 && !e.ledgerMonthlyReview && !e.minPhotosPerActivity;

/** The planned row of a template task in one college of the fixture's semester. */
export async function plannedTask(
  fx: { store: Store; semesterId: string },
  collegeId: string,
  templateTaskId: string,
): Promise<TaskInstanceRow> {
  const rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId });
  const row = rows.find((r) => r.templateTaskId === templateTaskId);
  if (!row) throw new Error(`no planned ${templateTaskId} in ${collegeId}`);
  return row;
}

/** Five days after `now`, at 17:00 in the demo school's zone: the due date the ladder tests give their tasks. */
export const dueInFiveDays = (now: number) =>
  DateTime.fromMillis(now + 5 * DAY, { zone: DEMO_SCHOOL.timezone })
    .set({ hour: 17, minute: 0, second: 0, millisecond: 0 })
    .toMillis();

/**
 * `n` planned literature occurrences (`n0`, `n1`, …; ids from `idOf`) of the monthly key-care task
 * in `semesterId`, sharing every instant: open an hour after `now`, due in five days, one reminder
 * a day before, level 2 two days after; and the college ladder's plan over them.
 */
export async function keyCareOccurrences(
  store: Store,
  o: { semesterId: string; now: number; n: number; idOf: (i: number) => string },
) {
  const dueAt = dueInFiveDays(o.now);
  const instants = { openAt: o.now + HOUR, dueAt, remindAts: [dueAt - DAY], level2At: dueAt + 2 * DAY };
  const ids = Array.from({ length: o.n }, (_, i) => o.idOf(i));
  const { titleZh, titleEn, month, kind, ownerRole } = keyCareTask(instants);
  await store.upsertPlannedTasks(
    ids.map((id, i) => ({
      id,
      semesterId: o.semesterId,
      collegeId: 'literature',
      templateTaskId: KEY_CARE_TASK,
      occurrence: `n${i}`,
      ...{ month, kind, ownerRole, titleZh, titleEn },
      openAt: instants.openAt,
      dueAt: instants.dueAt,
    })),
  );
  const plan: LadderPlan = {
    endsAt: instants.level2At + 10 * DAY,
    evidence: { [KEY_CARE_TASK]: evidenceSchema.parse({ note: 'required' }) },
    tasks: ids.map((taskId) => ({
      taskId,
      templateTaskId: KEY_CARE_TASK,
      ownerRole: 'counsellor' as const,
      ...instants,
    })),
  };
  return { ids, plan, ...instants };
}
