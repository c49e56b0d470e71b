// shim (issue 13): re-export for the other areas until the merge
export * from './features/semesters/use-cases/setup';
export * from './features/semesters/use-cases/start';
export * from './features/semesters/use-cases/replan';
