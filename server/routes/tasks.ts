// shim (issue 13): re-export for the other areas until the merge
export { createTaskRouter } from '../features/tasks/router';
export { raw } from '../html';
