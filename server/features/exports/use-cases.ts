/** The exports feature's use cases: the compliance and task-ledger tables, and the private calendar feed. */
export * from './use-cases/tables';
export * from './use-cases/feed';
