// shim (issue 13): re-export for the other areas until the merge
// (user administration: server/features/users/; CSV reading: server/platform/csv.ts)
export * from '../features/users/use-cases';
export * from '../platform/csv';
