/**
 * The writes of task workflows and college ladders: one transition, or every step of one ladder
 * instant, each with its audit events and inbox rows in one transaction, idempotent by the audit
 * event key (Temporal retries activities).
 */
import type { Knex } from 'knex';
import { writeTransaction } from '../knex';
import { chunk, insertIfAbsent, SQLITE_MAX_VARIABLES, toDb, type DbRow } from './codec';
import { auditCodec } from './audit';
import { taskCodec, type TaskInstanceRow, type TaskTransition } from './tasks';

/**
 * One transition of a task workflow, in one transaction: the audit event (its key makes the call
 * idempotent), the task row patch and the notifications. The audit row is inserted first with
 * ON CONFLICT DO NOTHING, so a retry or a concurrent duplicate finds the key taken (PostgreSQL
 * waits for the other transaction to commit; SQLite serialises writers) and changes nothing.
 * Inserting first also means a SQLite transaction starts with a write, so busy_timeout applies.
 */
const CLOSED = new Set<string>(['completed', 'waived']);

export async function applyTaskTransition(db: Knex, t: TaskTransition): Promise<{ applied: boolean }> {
  return db.transaction(async (trx) => {
    const audit = toDb(auditCodec, { ...t.audit, subjectType: 'task', subjectId: t.taskId });
    if (!(await insertIfAbsent(trx, 'audit_events', audit, ['event_key']))) return { applied: false };

    const patch = { ...t.patch };
    delete patch.id;
    delete patch.updatedAt;
    // Completed and waived are final for the steps of the ladder: a timer step the workflow recorded
    // before a completion may be written after it (the two activities run at once), and must not
    // reopen the task. A later closing step, or a restart, still writes (status closed, or none).
    if (patch.status !== undefined && !CLOSED.has(patch.status)) {
      const current = (await trx('task_instances').where({ id: t.taskId }).first('status')) as
        { status: string } | undefined;
      if (!current) throw new Error(`task instance ${t.taskId} not found`); // rolls back the audit row
      if (CLOSED.has(current.status) && !(t.reopen && current.status === 'completed')) {
        for (const k of ['status', 'completedAt', 'completedBy', 'late', 'waivedReason', 'note'] as const)
          delete patch[k];
      }
    }
    const updated = await trx('task_instances')
      .where({ id: t.taskId })
      .update({ ...toDb(taskCodec, patch), updated_at: t.audit.at });
    if (updated === 0) throw new Error(`task instance ${t.taskId} not found`); // rolls back the audit row

    await insertNotifications(trx, t);
    return { applied: true };
  });
}

export async function insertNotifications(trx: Knex.Transaction, t: TaskTransition): Promise<void> {
  if (t.notifications.length === 0) return;
  const rows = t.notifications.map((n) => ({
    event_key: t.audit.eventKey,
    recipient_user_id: n.recipientUserId,
    channel: n.channel ?? 'inbox',
    kind: n.kind,
    subject_type: 'task',
    subject_id: t.taskId,
    title: n.title,
    body: n.body,
    created_at: t.audit.at,
  }));
  await trx('notifications').insert(rows).onConflict(['event_key', 'recipient_user_id', 'channel']).ignore();
}

/** One step of a task moved by a college ladder (workflows/college-ladder.ts): a TaskTransition of a timer step. */
export interface LadderStepWrite {
  taskId: string;
  audit: { eventKey: string; action: string; actor: string; at: number; details?: unknown };
  patch: Pick<TaskInstanceRow, 'status' | 'escalationLevel' | 'remindersSent' | 'dueAt'>;
  notifications: TaskTransition['notifications'];
}

/** audit rows have 8 columns, notifications 9: chunks far below SQLite's bound-variable limit */
const LADDER_CHUNK = 90;

/**
 * Every step of a ladder instant in one transaction, set-based: the audit events are inserted in
 * chunks with ON CONFLICT DO NOTHING (their keys are the per-task model's: `<taskId>/<step>`), and
 * only the steps whose event was inserted now are applied: one UPDATE per group of steps with the
 * same instant, action and resulting columns, then the inbox rows in chunks. A retry, a replayed
 * activity or a step the per-task model already recorded changes nothing. A task that is completed
 * or waived (a completion that won the race with the timer) gets no step: no event, no row change.
 * `steps` are in ladder order (instant, then opened, reminded, overdue, escalated); a task's later
 * step is applied after its earlier one. Returns the event keys applied now.
 */
export async function applyLadderSteps(db: Knex, steps: LadderStepWrite[]): Promise<{ applied: string[] }> {
  if (steps.length === 0) return { applied: [] };
  return writeTransaction(db, async (trx) => {
    const ids = [...new Set(steps.map((x) => x.taskId))];
    const closed = new Set<string>();
    for (const part of chunk(ids, SQLITE_MAX_VARIABLES - 2)) {
      // PostgreSQL: the rows stay locked until commit, so a completion cannot slip in between
      const q = trx('task_instances').whereIn('id', part).select('id', 'status');
      if (db.client.config.client === 'pg') q.forUpdate();
      for (const r of (await q) as Array<{ id: string; status: string }>)
        if (r.status === 'completed' || r.status === 'waived') closed.add(r.id);
    }
    const live = steps.filter((x) => !closed.has(x.taskId));
    const applied = new Set<string>();
    for (const part of chunk(live, LADDER_CHUNK)) {
      const rows = part.map((x) => toDb(auditCodec, { ...x.audit, subjectType: 'task', subjectId: x.taskId }));
      const inserted = (await trx('audit_events')
        .insert(rows)
        .onConflict('event_key')
        .ignore()
        .returning('event_key')) as Array<{ event_key: string } | string>;
      for (const r of inserted) applied.add(typeof r === 'string' ? r : r.event_key);
    }
    const now = live.filter((x) => applied.has(x.audit.eventKey));
    // groups in order of first appearance: a task's steps fall in groups that follow each other
    const groups = new Map<string, { patch: DbRow; ids: string[] }>();
    for (const x of now) {
      const patch = { ...toDb(taskCodec, x.patch), updated_at: x.audit.at };
      const key = `${x.audit.at}|${x.audit.action}|${JSON.stringify(patch)}`;
      const g = groups.get(key);
      if (g) g.ids.push(x.taskId);
      else groups.set(key, { patch, ids: [x.taskId] });
    }
    for (const g of groups.values()) {
      for (const part of chunk(g.ids, SQLITE_MAX_VARIABLES - 10)) {
        await trx('task_instances').whereIn('id', part).whereNotIn('status', ['completed', 'waived']).update(g.patch);
      }
    }
    const notes = now.flatMap((x) =>
      x.notifications.map((n) => ({
        event_key: x.audit.eventKey,
        recipient_user_id: n.recipientUserId,
        channel: n.channel ?? 'inbox',
        kind: n.kind,
        subject_type: 'task',
        subject_id: x.taskId,
        title: n.title,
        body: n.body,
        created_at: x.audit.at,
      })),
    );
    for (const part of chunk(notes, LADDER_CHUNK)) {
      await trx('notifications').insert(part).onConflict(['event_key', 'recipient_user_id', 'channel']).ignore();
    }
    return { applied: now.map((x) => x.audit.eventKey) };
  });
}
