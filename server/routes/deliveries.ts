// shim (issue 13): re-export for the other areas until the merge
export { createDeliveriesRouter } from '../features/operations/routes';
export { DeliveryStateError, type FailedDelivery } from '../features/operations/use-cases';
