/** Who may do what to a task, as the pages and the API ask before the task's workflow decides. */
import type { TaskInstanceRow } from '../../../db/store';
import type { SessionUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { isOfCollege, mayCompleteTask, mayReturnTask } from '../../../domain/permissions';

export const actorOf = (u: SessionUser) => ({ userId: u.id, role: u.role, collegeId: u.collegeId });

/** May this user complete this task? (owner role of the college, or its leader) */
export const canComplete = (u: SessionUser, row: TaskInstanceRow) =>
  isOfCollege(actorOf(u), row.collegeId) && mayCompleteTask(actorOf(u), row.ownerRole);

/** May this user return (退回) this task's completion? (the college's leader, or the school admin) */
export const mayReturn = (u: SessionUser, row: TaskInstanceRow) => mayReturnTask(actorOf(u), row.collegeId);

export function requireClient(deps: AppDeps) {
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  return deps.client;
}
