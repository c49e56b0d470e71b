// shim (issue 13): re-export for the other areas until the merge
export { createScreeningPagesRouter } from '../features/screening/pages';
export { problemInWords } from '../features/screening/views/words';
