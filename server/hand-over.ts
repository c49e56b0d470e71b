// shim (issue 13): re-export for the other areas until the merge
export * from './features/hand-over/use-cases';
