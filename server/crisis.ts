// shim (issue 13): re-export for the other areas until the merge
export {
  actOnCase,
  crisisWorkflowId,
  readCase,
  readTimeline,
  reportCase,
  supervisionWorkflowId,
  type CaseReport,
  type CaseStep,
} from './features/crisis/use-cases';
