// shim (issue 13): re-export for the other areas until the merge
export { createDashboardRouter } from '../features/dashboard/router';
export type { CollegeCompliance, MonthCell } from '../features/dashboard/use-cases';
export { taskTable } from '../views/task-table';
