/**
 * The operations feature's use cases (its public face for routes, the CLI and tests): failed
 * notification deliveries and their re-send, and workflows stopped outside the app (scan, list, restart).
 */
export {
  DeliveryStateError,
  listFailed,
  resend,
  resendAll,
  type DeliveryDeps,
  type FailedDelivery,
} from './deliveries';
export {
  countStopped,
  ENDED_QUERY,
  ENDED_STATUSES,
  endedEventKey,
  listStopped,
  recordStopped,
  scanEndedWorkflows,
  type ScanResult,
  type StoppedListing,
  type StoppedWorkflow,
} from '../../../db/ended-workflows';
export { resumeFromTimeline } from './resume';
export { RESTARTABLE, restartCase, restartFollowUp, restartPairing, restartStopped } from './restart';
