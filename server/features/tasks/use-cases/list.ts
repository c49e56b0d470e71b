/** The task lists of the staff workspace and the college pages: my tasks, and a college's tasks by filter. */
import type { Store, TaskInstanceRow, TaskStatus } from '../../../../db/store';

const STATUSES: TaskStatus[] = ['planned', 'open', 'overdue', 'completed', 'waived'];

const isClosed = (r: TaskInstanceRow) => r.status === 'completed' || r.status === 'waived';

/** Who asks for "my tasks". */
export interface TaskOwner {
  role: string;
  collegeId: string | null;
}

/** Tasks assigned to this user: their college's tasks of their role (leaders: the leader's), open first, due soonest first. */
export async function myTasks(
  store: Store,
  user: TaskOwner,
  semesterId: string,
  now: number,
): Promise<TaskInstanceRow[]> {
  if (!user.collegeId) return [];
  const rows = await store.listTaskInstances({
    semesterId,
    collegeId: user.collegeId,
    status: ['open', 'overdue', 'planned', 'completed', 'waived'],
  });
  return rows
    .filter((r) => r.ownerRole === user.role)
    .sort(
      (a, b) =>
        Number(isClosed(a)) - Number(isClosed(b)) ||
        Number(a.openAt > now) - Number(b.openAt > now) ||
        a.dueAt - b.dueAt,
    );
}

/** The filters of a task listing, as the query string gives them (unknown values are ignored). */
export interface TaskFilters {
  status?: string;
  level?: string;
  month?: string;
}

/**
 * A semester's tasks (of one college, or all) by status, month and escalation level. 'overdue' is
 * counted as the overview counts it: not closed and past due, whether or not its workflow has
 * marked it yet; level 'escalated' is any level from 1.
 */
export async function filterTasks(
  store: Store,
  semesterId: string,
  collegeId: string | undefined,
  f: TaskFilters,
  nowMs: number,
): Promise<TaskInstanceRow[]> {
  const { status, level } = f;
  const overdue = status === 'overdue';
  const listed = await store.listTaskInstances({
    semesterId,
    ...(collegeId ? { collegeId } : {}),
    ...(f.month ? { month: f.month } : {}),
    ...(overdue
      ? { status: ['planned', 'open', 'overdue'] as TaskStatus[] }
      : status && (STATUSES as string[]).includes(status)
        ? { status: [status as TaskStatus] }
        : {}),
  });
  const rows = overdue ? listed.filter((x) => x.status === 'overdue' || x.dueAt <= nowMs) : listed;
  if (level === undefined) return rows;
  return rows.filter((x) => (level === 'escalated' ? x.escalationLevel >= 1 : String(x.escalationLevel) === level));
}
