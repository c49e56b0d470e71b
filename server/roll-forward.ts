// shim (issue 13): re-export for the other areas until the merge
export * from './features/semesters/use-cases/roll-forward-rows';
export * from './features/semesters/use-cases/roll-forward';
