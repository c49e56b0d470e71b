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
