/**
 * Read-model queries and the idempotent inbox insert behind the scheduled notices (schedules/):
 * the daily digest of overdue work and the weekly review kick-off (周周研判). Same conventions as
 * the other repositories (snake_case columns, epoch milliseconds).
 * Only tasks of the school's running semesters count.
 */
import type { Knex } from 'knex';
import type { TaskStatus } from './tasks';
import type { Notification } from './inbox';

const CLOSED = ['completed', 'waived'];
/** 9 columns a row: 720 variables, below SQLite's bound-variable limit (999 on old builds). */
const ROWS_PER_INSERT = 80;

export interface OverdueTaskRow {
  id: string;
  semesterId: string;
  collegeId: string;
  titleZh: string;
  dueAt: number;
  status: TaskStatus;
  escalationLevel: number;
}

/**
 * Tasks not closed that are overdue at `nowMs` (marked overdue by their workflow, or past due by
 * the clock) or escalated (escalation_level >= 1), oldest due first.
 */
export async function listOverdueTasks(db: Knex, schoolId: string, nowMs: number): Promise<OverdueTaskRow[]> {
  const rows = (await db('task_instances as t')
    .join('semesters as s', 's.id', 't.semester_id')
    .where({ 's.school_id': schoolId, 's.status': 'running' })
    .whereNotIn('t.status', CLOSED)
    .where((q) =>
      q.where('t.status', 'overdue').orWhere('t.due_at', '<=', nowMs).orWhere('t.escalation_level', '>=', 1),
    )
    .orderBy([{ column: 't.due_at' }, { column: 't.id' }])
    .select(
      't.id',
      't.semester_id',
      't.college_id',
      't.title_zh',
      't.due_at',
      't.status',
      't.escalation_level',
    )) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: String(r.id),
    semesterId: String(r.semester_id),
    collegeId: String(r.college_id),
    titleZh: String(r.title_zh),
    dueAt: Number(r.due_at),
    status: String(r.status) as TaskStatus,
    escalationLevel: Number(r.escalation_level),
  }));
}

/** A college's overdue care work (no student data: counts only). */
export interface CareOverdue {
  /** screening interviews past their deadline, not yet held */
  interviews: number;
  /** active pairings whose talk clock has escalated */
  talks: number;
  /** pairings proposed (after a high-risk interview or a crisis) still without a teacher */
  unpaired: number;
  /** crisis cases not closed, and of them those with a missed step */
  crises: number;
  crisesEscalated: number;
}

/** Per college: the care work the daily digest lists until it is done. */
export async function careOverdueCounts(db: Knex, schoolId: string, nowMs: number): Promise<Map<string, CareOverdue>> {
  const out = new Map<string, CareOverdue>();
  const of = (collegeId: string) => {
    let c = out.get(collegeId);
    if (!c) out.set(collegeId, (c = { interviews: 0, talks: 0, unpaired: 0, crises: 0, crisesEscalated: 0 }));
    return c;
  };
  const colleges = db('colleges').where({ school_id: schoolId }).select('id');
  const interviews = (await db('screening_warnings')
    .whereIn('college_id', colleges.clone())
    .where({ status: 'open' })
    .where('interview_due_at', '<=', nowMs)
    .groupBy('college_id')
    .select('college_id')
    .count({ n: '*' })) as Array<{ college_id: string; n: number | string }>;
  for (const r of interviews) of(r.college_id).interviews = Number(r.n);
  const talks = (await db('pairings')
    .whereIn('college_id', colleges.clone())
    .where({ status: 'active' })
    .where('escalation_level', '>=', 1)
    .groupBy('college_id')
    .select('college_id')
    .count({ n: '*' })) as Array<{ college_id: string; n: number | string }>;
  for (const r of talks) of(r.college_id).talks = Number(r.n);
  const unpaired = (await db('pairings')
    .whereIn('college_id', colleges.clone())
    .where({ status: 'proposed' })
    .groupBy('college_id')
    .select('college_id')
    .count({ n: '*' })) as Array<{ college_id: string; n: number | string }>;
  for (const r of unpaired) of(r.college_id).unpaired = Number(r.n);
  const crises = (await db('crisis_cases')
    .whereIn('college_id', colleges.clone())
    .whereNot({ status: 'closed' })
    .select('college_id', 'escalation_level')) as Array<{ college_id: string; escalation_level: number | string }>;
  for (const r of crises) {
    const c = of(r.college_id);
    c.crises += 1;
    if (Number(r.escalation_level) >= 1) c.crisesEscalated += 1;
  }
  return out;
}

export interface WeeklyReviewCount {
  collegeId: string;
  /** weekly-review task instances of the college in running semesters, whatever their status */
  planned: number;
  /** opened (by plan or by workflow) and not closed; includes the overdue ones */
  pending: number;
  /** not closed and past due (or marked overdue) */
  overdue: number;
}

/** Per college with weekly-review tasks (kind 'weekly', 周周研判): how many are pending and overdue at `nowMs`. */
export async function weeklyReviewCounts(db: Knex, schoolId: string, nowMs: number): Promise<WeeklyReviewCount[]> {
  const notClosed = "t.status not in ('completed', 'waived')";
  const rows = (await db('task_instances as t')
    .join('semesters as s', 's.id', 't.semester_id')
    .where({ 's.school_id': schoolId, 's.status': 'running', 't.kind': 'weekly' })
    .groupBy('t.college_id')
    .orderBy('t.college_id')
    .select(
      't.college_id',
      db.raw('count(*) as "planned"'),
      db.raw(
        `sum(case when ${notClosed} and (t.open_at <= ? or t.status in ('open', 'overdue')) then 1 else 0 end) as "pending"`,
        [nowMs],
      ),
      db.raw(`sum(case when ${notClosed} and (t.status = 'overdue' or t.due_at <= ?) then 1 else 0 end) as "overdue"`, [
        nowMs,
      ]),
    )) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    collegeId: String(r.college_id),
    planned: Number(r.planned),
    pending: Number(r.pending),
    overdue: Number(r.overdue),
  }));
}

/** A notice for the in-app inbox: a notification (./inbox.ts) before it is stored, on the inbox channel, unread. */
export type InboxNotice = Omit<Notification, 'id' | 'channel' | 'readAt'>;

/**
 * Writes notices to the in-app inbox, each at most once: a notice whose (event key, recipient,
 * channel) is already there is skipped, so a retried or re-run activity adds nothing.
 * Returns how many were new.
 */
export async function insertInboxNoticesOnce(db: Knex, notices: InboxNotice[]): Promise<number> {
  const rows = notices.map((n) => ({
    event_key: n.eventKey,
    recipient_user_id: n.recipientUserId,
    channel: 'inbox',
    kind: n.kind,
    subject_type: n.subjectType,
    subject_id: n.subjectId,
    title: n.title,
    body: n.body,
    created_at: n.createdAt,
  }));
  return db.transaction(async (trx) => {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const added = (await trx('notifications')
        .insert(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflict(['event_key', 'recipient_user_id', 'channel'])
        .ignore()
        .returning('id')) as unknown[];
      inserted += added.length;
    }
    return inserted;
  });
}

/**
 * Tasks of the school's running semesters whose read-model status is behind `limit`: still planned
 * though their opening is at or before it, or still open though their deadline is (activities/digest.ts countBehind).
 */
export async function countTasksBehind(knex: Knex, schoolId: string, limit: number): Promise<number> {
  const rows = (await knex('task_instances as t')
    .join('semesters as s', 's.id', 't.semester_id')
    .where({ 's.school_id': schoolId, 's.status': 'running' })
    .where((q) =>
      q
        .where((w) => w.where('t.status', 'planned').where('t.open_at', '<=', limit))
        .orWhere((w) => w.where('t.status', 'open').where('t.due_at', '<=', limit)),
    )
    .count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(rows[0]?.n ?? 0);
}
