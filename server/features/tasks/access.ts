/** Who may do what to a task, as the pages and the API ask before the task's workflow decides. */
import type { TaskInstanceRow } from '../../../db/store';
import type { SessionUser } from '../../platform/auth/context';
import type { AppDeps } from '../../deps';

export const actorOf = (u: SessionUser) => ({ userId: u.id, role: u.role, collegeId: u.collegeId });

/** May this user complete this task? (owner role of the college, or its leader) */
export const canComplete = (u: SessionUser, row: TaskInstanceRow) =>
  u.collegeId === row.collegeId && (u.role === row.ownerRole || u.role === 'college_leader');

/** May this user return (退回) this task's completion? (the college's leader, or the school admin) */
export const mayReturn = (u: SessionUser, row: TaskInstanceRow) =>
  u.role === 'school_admin' || (u.role === 'college_leader' && u.collegeId === row.collegeId);

export function requireClient(deps: AppDeps) {
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  return deps.client;
}
