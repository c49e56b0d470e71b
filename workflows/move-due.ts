/** A moved due date applied to a task's state: the per-task workflow's moveDue and the ladder's (workflows/ladder/task-updates.ts). */
import type { MoveDueRequest, TaskState } from '../contracts/task';

/**
 * Sets the task's new due date, its reminders before it and its level-2 instant; an overdue task
 * whose new due date is ahead of `now` is open again (`reopened`: its caller resets its escalation).
 * Returns the due date it had.
 */
export function moveDueOf(
  t: Pick<TaskState, 'dueAt' | 'remindAts' | 'level2At' | 'status'>,
  req: MoveDueRequest,
  now: number,
): { from: number; reopened: boolean } {
  const from = t.dueAt;
  t.dueAt = req.dueAt;
  t.remindAts = req.remindAts.filter((x) => x < req.dueAt);
  t.level2At = req.level2At;
  const reopened = req.dueAt > now && t.status === 'overdue';
  if (reopened) t.status = 'open';
  return { from, reopened };
}
