/**
 * Completion rate (完成率) shown in the dashboard and the exports: of the tasks that are done or
 * already due, the share that is done. Tasks not yet due do not pull it down; waived ones do not
 * count. Null when nothing is done or due yet.
 */
export function completionRate(c: { onTime: number; late: number; overdue: number }): number | null {
  const done = c.onTime + c.late;
  return done + c.overdue > 0 ? done / (done + c.overdue) : null;
}
