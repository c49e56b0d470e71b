// shim (issue 13): re-export for the other areas until the merge
export { careDeps, createCareRouter } from '../features/care/api';
