/**
 * The dashboard's use cases: the compliance matrix (college × month) a leader may see, its sums,
 * the colleges ranked worst first, the month chart's points, and the weekly report's task lists.
 * Every number comes from the read model; the completion rate is domain/compliance.ts.
 */
import type { ComplianceRow, Store, TaskInstanceRow } from '../../../db/store';
import { completionRate } from '../../../domain/compliance';
import { ForbiddenError, isLeader, type SessionUser } from '../../platform/auth/context';

/** One college's month: the read model's counts (db/repositories/compliance.ts). */
export type MonthCell = Omit<ComplianceRow, 'collegeId' | 'name'>;

export interface CollegeCompliance {
  collegeId: string;
  name: string;
  months: MonthCell[];
}

/** 完成率 in whole percent (domain/compliance.ts); null when nothing is done or due yet */
export const pct = (c: { onTime: number; late: number; overdue: number }) => {
  const r = completionRate(c);
  return r === null ? null : Math.round(r * 100);
};
/** the same as text: '–' when nothing is done or due yet */
export const pctText = (c: { onTime: number; late: number; overdue: number }) => {
  const p = pct(c);
  return p === null ? '–' : `${p}%`;
};

/** The matrix for a user: every college for the school admin, their own for a college leader. */
export async function complianceFor(
  store: Store,
  user: SessionUser,
  semesterId: string,
  now: number,
  month?: string,
): Promise<CollegeCompliance[]> {
  if (!isLeader(user)) throw new ForbiddenError('compliance is for leaders');
  const rows: ComplianceRow[] = await store.complianceByCollegeMonth(semesterId, now);
  const out = new Map<string, CollegeCompliance>();
  for (const r of rows) {
    if (user.role !== 'school_admin' && r.collegeId !== user.collegeId) continue;
    if (month && r.month !== month) continue;
    const c = out.get(r.collegeId) ?? { collegeId: r.collegeId, name: r.name, months: [] };
    c.months.push({
      month: r.month,
      planned: r.planned,
      onTime: r.onTime,
      late: r.late,
      open: r.open,
      overdue: r.overdue,
      escalated: r.escalated,
      waived: r.waived,
    });
    out.set(r.collegeId, c);
  }
  return [...out.values()];
}

export function sum(cells: MonthCell[]): MonthCell {
  return cells.reduce(
    (a, c) => ({
      month: '',
      planned: a.planned + c.planned,
      onTime: a.onTime + c.onTime,
      late: a.late + c.late,
      open: a.open + c.open,
      overdue: a.overdue + c.overdue,
      escalated: a.escalated + c.escalated,
      waived: a.waived + c.waived,
    }),
    { month: '', planned: 0, onTime: 0, late: 0, open: 0, overdue: 0, escalated: 0, waived: 0 },
  );
}

export type RankedCollege = CollegeCompliance & { all: MonthCell; rate: number | null };

/** The overview's ranking, worst first: the lowest completion first; nothing due yet last; then the most overdue, then by name. */
export function rankColleges(colleges: CollegeCompliance[]): RankedCollege[] {
  return colleges
    .map((c) => ({ ...c, all: sum(c.months), name: c.name }))
    .map((c) => ({ ...c, rate: pct(c.all) }))
    .sort(
      (a, b) =>
        (a.rate ?? 101) - (b.rate ?? 101) || b.all.overdue - a.all.overdue || a.name.localeCompare(b.name, 'zh-CN'),
    );
}

/** The month chart's points over the whole semester: each month's rate and the running rate. */
export function monthPoints(all: CollegeCompliance[], months: string[], label: (month: string) => string) {
  let running = sum([]);
  return months.map((x) => {
    const cell = sum(all.flatMap((c) => c.months.filter((y) => y.month === x)));
    running = sum([running, cell]);
    return { label: label(x), rate: pct(cell), cumulative: pct(running) };
  });
}

/** The weekly report's figures: the ranking (worst first), the tasks due this week, the tasks overdue now. */
export async function weeklyReport(store: Store, user: SessionUser, semesterId: string, nowMs: number) {
  const from = nowMs - 7 * 86_400_000;
  const colleges = await complianceFor(store, user, semesterId, nowMs);
  const ranked = colleges
    .map((c) => ({ collegeId: c.collegeId, name: c.name, all: sum(c.months) }))
    .map((c) => ({ ...c, rate: pct(c.all) }))
    .sort((a, b) => (a.rate ?? 101) - (b.rate ?? 101) || b.all.overdue - a.all.overdue);
  const inView = new Set(colleges.map((c) => c.collegeId));
  const tasks = (await store.listTaskInstances({ semesterId })).filter((x) => inView.has(x.collegeId));
  const week = tasks.filter((x) => x.dueAt > from && x.dueAt <= nowMs);
  const overdueNow = tasks
    .filter((x) => !closed(x) && (x.status === 'overdue' || x.dueAt <= nowMs))
    .sort((a, b) => b.escalationLevel - a.escalationLevel || a.dueAt - b.dueAt);
  const totals = sum(colleges.flatMap((c) => c.months));
  return { from, ranked, week, overdueNow, totals, names: new Map(ranked.map((c) => [c.collegeId, c.name])) };
}

export const closed = (x: TaskInstanceRow) => x.status === 'completed' || x.status === 'waived';
