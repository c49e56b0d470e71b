// shim (issue 13): re-export for the other areas until the merge
export { createScreeningRouter } from '../features/screening/api';
