// shim (issue 13): re-export for the other areas until the merge
import type { Request } from 'express';
import type { AppDeps } from '../deps';
import { filterTasks } from '../features/tasks/use-cases';
import { queryString } from './common';

export { createDashboardRouter } from '../features/dashboard/router';
export type { CollegeCompliance, MonthCell } from '../features/dashboard/use-cases';
export { taskTable } from '../views/task-table';

/** A semester's tasks by the listing's query string (status, month, level): see filterTasks. */
export async function filteredTasks(deps: AppDeps, req: Request, semesterId: string, collegeId?: string) {
  const f = { status: queryString(req, 'status'), level: queryString(req, 'level'), month: queryString(req, 'month') };
  return filterTasks(deps.store, semesterId, collegeId, f, (deps.now ?? Date.now)());
}
