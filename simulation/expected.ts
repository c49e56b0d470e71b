/** The yardstick a simulation (simulation/run.ts) is checked against: what the plan says each month must show. */
import type { PlannedTask } from '../domain/planner';
import { completionTimes, type Policy } from './policy';
import type { MonthSummary, SimulationResult } from './types';

/** A month with nothing counted yet. */
export const emptyMonth = (month: string): MonthSummary => ({
  month,
  planned: 0,
  onTime: 0,
  late: 0,
  open: 0,
  escalatedL1: 0,
  escalatedL2: 0,
  reminders: 0,
});

/** The months counted, in calendar order. */
export const inMonthOrder = (months: Map<string, MonthSummary>): MonthSummary[] =>
  [...months.values()].sort((a, b) => a.month.localeCompare(b.month));

/**
 * What the plan says each month must show for a college whose tasks complete at `done`
 * (null: never): the yardstick a simulation is checked against.
 */
export function expectedMonths(tasks: readonly PlannedTask[], done: Map<string, number | null>): MonthSummary[] {
  const months = new Map<string, MonthSummary>();
  for (const t of tasks) {
    const m = months.get(t.month) ?? emptyMonth(t.month);
    const at = done.get(t.id) ?? null;
    m.planned += 1;
    if (at === null) m.open += 1;
    else if (at > t.dueAt) m.late += 1;
    else m.onTime += 1;
    if (at === null || at > t.dueAt) m.escalatedL1 += 1;
    if (at === null || at > t.level2At) m.escalatedL2 += 1;
    m.reminders += t.remindAts.filter((r) => at === null || r < at).length;
    months.set(t.month, m);
  }
  return inMonthOrder(months);
}

/** Colleges whose simulated months differ from the plan's expectation (empty: all equal). */
export function differencesFromPlan(result: SimulationResult, policies: Policy[]): string[] {
  const out: string[] = [];
  result.colleges.forEach((c, i) => {
    const tasks = result.plan.filter((t) => t.collegeId === c.college);
    const expected = expectedMonths(tasks, completionTimes(policies[i % policies.length]!, tasks));
    if (JSON.stringify(expected) !== JSON.stringify(c.months))
      out.push(`${c.college}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(c.months)}`);
  });
  return out;
}
