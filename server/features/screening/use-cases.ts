/**
 * Screening use cases (docs/architecture.md; seed 003 §3, appendices 1 and 2), the public face of
 * the screening feature (routes, pages, the CLI and tests call these): import a file of screening
 * warnings (all rows or none; one follow-up workflow per warning), list the warnings, and record
 * a warned student's interview through the follow-up workflow's Update.
 */
export { screeningWorkflowId } from './use-cases/ids';
export { MAX_SCREENING_ROWS, type WarningRow } from './use-cases/rows';
export { importWarnings, previewWarnings, type ScreeningDeps, type ScreeningImportResult } from './use-cases/import';
export { pendingImports, type PendingImports } from './use-cases/pending';
export { listWarnings } from './use-cases/warnings';
export { recordInterview, type InterviewDeps } from './use-cases/interview';
export {
  readWarningForInterview,
  submitInterview,
  warningToInterview,
  type WarningForInterview,
} from './use-cases/interview-page';
