/**
 * The tasks feature's use cases (its public face for routes, the CLI, scripts and tests): complete,
 * waive, return, move a due date, restart a stopped workflow. The rules live in use-cases/*.ts.
 */
export { endedEventKey, TaskRejectedError, WORKFLOW_ENDED_MESSAGE, WorkflowEndedError } from './use-cases/errors';
export type { UpdateOptions } from './use-cases/update';
export {
  completeTask,
  ledgerDutyProblem,
  moveDue,
  RETURN_NEEDS_LADDER_MESSAGE,
  returnTask,
  waiveTask,
} from './use-cases/updates';
export { restartTask } from './use-cases/restart';
export { trainingDutyProblem } from './use-cases/training-duty';
export * from './use-cases/evidence';
export {
  completeWithEvidence,
  type CompletionWithEvidence,
  type EvidenceDeps,
} from './use-cases/complete-with-evidence';
export { filterTasks, myTasks, type TaskFilters, type TaskOwner } from './use-cases/list';
