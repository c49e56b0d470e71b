/**
 * Dashboard queries: compliance per college and month of a semester.
 */
import type { Knex } from 'knex';
import type { DbRow } from './codec';

export interface ComplianceRow {
  collegeId: string;
  name: string;
  month: string;
  /** every task instance of the college and month; = onTime + late + open + overdue + waived. */
  planned: number;
  onTime: number;
  late: number;
  /** not closed, not marked overdue, and not yet due. */
  open: number;
  /** not closed, and past due (or already marked overdue by its workflow). */
  overdue: number;
  waived: number;
  /** escalation_level >= 1, whatever the status now. */
  escalated: number;
}

/**
 * Compliance per college and month of a semester, as of `nowMs`. Every task falls in exactly one
 * of onTime, late, open, overdue, waived. "Overdue" uses the clock as well as the status, so a
 * task whose workflow has not yet recorded the deadline still counts as overdue once it is due.
 * Colleges without task instances in the semester have no rows.
 */
export async function complianceByCollegeMonth(db: Knex, semesterId: string, nowMs: number): Promise<ComplianceRow[]> {
  const notClosed = "t.status not in ('completed', 'waived')";
  // Aggregate the task rows first (in index order), then join the few grouped rows to colleges
  // and sort those: joining before grouping sorted every task row.
  const grouped = db('task_instances as t')
    .where('t.semester_id', semesterId)
    .groupBy('t.college_id', 't.month')
    .select(
      't.college_id',
      't.month',
      db.raw('count(*) as "planned"'),
      db.raw(`sum(case when t.status = 'completed' and not t.late then 1 else 0 end) as "on_time"`),
      db.raw(`sum(case when t.status = 'completed' and t.late then 1 else 0 end) as "late"`),
      db.raw(`sum(case when ${notClosed} and t.status <> 'overdue' and t.due_at > ? then 1 else 0 end) as "open"`, [
        nowMs,
      ]),
      db.raw(`sum(case when ${notClosed} and (t.status = 'overdue' or t.due_at <= ?) then 1 else 0 end) as "overdue"`, [
        nowMs,
      ]),
      db.raw(`sum(case when t.status = 'waived' then 1 else 0 end) as "waived"`),
      db.raw('sum(case when t.escalation_level >= 1 then 1 else 0 end) as "escalated"'),
    )
    .as('g');
  const rows = (await db
    .from(grouped)
    .join('colleges as c', 'c.id', 'g.college_id')
    .orderBy([{ column: 'c.sort_order' }, { column: 'c.name' }, { column: 'g.month' }])
    .select('g.*', 'c.name')) as DbRow[];
  return rows.map((r) => ({
    collegeId: String(r.college_id),
    name: String(r.name),
    month: String(r.month),
    planned: Number(r.planned),
    onTime: Number(r.on_time),
    late: Number(r.late),
    open: Number(r.open),
    overdue: Number(r.overdue),
    waived: Number(r.waived),
    escalated: Number(r.escalated),
  }));
}

/** Tasks whose status is overdue, per college id (for the metrics). */
export async function countOverdueByCollege(db: Knex): Promise<Array<{ collegeId: string; n: number }>> {
  const rows = (await db('task_instances')
    .where('status', 'overdue')
    .select('college_id')
    .count({ n: '*' })
    .groupBy('college_id')) as Array<{ college_id: string; n: number | string }>;
  return rows.map((r) => ({ collegeId: r.college_id, n: Number(r.n) }));
}
