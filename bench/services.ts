/**
 * What the scale benchmarks (escalation, completion, province) run against: a Temporal dev
 * server of their own (the project's binary, free ports, state in a temp SQLite file), a
 * throw-away read model (PostgreSQL on TEST_PG_URL when it answers, else SQLite), and the real
 * worker process (server/worker.ts, run with its WORKER_* tuning from this environment). Every
 * service is stopped and every temp dir or database removed on exit, also on Ctrl-C.
 */
export * from './services-machine';
export * from './services-processes';
export * from './services-school';
