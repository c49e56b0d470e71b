/**
 * Crisis use cases (docs/architecture.md; seed 003 §5), the public face of the crisis feature:
 * report a case (the student is stored under an opaque id; the workflow gets ids only), act on it
 * through the crisis-case and supervision workflows' Updates, and read it and its timeline.
 * Student identity is visible to the care staff of the student's college and the counselling
 * centre (school admin); every read of it is written to the audit log.
 */
export { crisisWorkflowId, supervisionWorkflowId } from './use-cases/ids';
export { reportCase, reportFromBody, SITUATIONS, type CaseReport, type ReportDeps } from './use-cases/report';
export {
  reportCollege,
  reportProblems,
  reportValues,
  type ReportProblems,
  type ReportValues,
} from './use-cases/report-form';
export { readCase, readLive, readTimeline } from './use-cases/read';
export { actOnCase, isCaseStep, STEPS, type CaseStep } from './use-cases/act';
export { ACTIONS, progressOf, type TimelineEvent } from './use-cases/progress';
export { readCasePage, userNames, type CasePageData } from './use-cases/page-data';
