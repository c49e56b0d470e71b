// shim (issue 13): re-export for the other areas until the merge
export { createExportsRouter } from './features/exports/router';
export { formulaSafe, sendTable, type Table } from './features/exports/views/table-files';
