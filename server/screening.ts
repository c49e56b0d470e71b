// shim (issue 13): re-export for the other areas until the merge
export {
  importWarnings,
  MAX_SCREENING_ROWS,
  previewWarnings,
  recordInterview,
  screeningWorkflowId,
  type ScreeningDeps,
  type ScreeningImportResult,
  type WarningRow,
} from './features/screening/use-cases';
