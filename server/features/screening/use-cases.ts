/**
 * Screening use cases (docs/architecture.md; seed 003 §3, appendices 1 and 2), the public face of
 * the screening feature: import a file of screening warnings and record a warned student's
 * interview through the follow-up workflow's Update.
 */
export { screeningWorkflowId } from './use-cases/ids';
export { recordInterview, type InterviewDeps } from './use-cases/interview';
export {
  readWarningForInterview,
  submitInterview,
  warningToInterview,
  type WarningForInterview,
} from './use-cases/interview-page';
