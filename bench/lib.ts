/**
 * What the benchmark scripts share: the PostgreSQL admin connection (throw-away databases), a
 * timing loop with warm-up, and percentiles. The seeded PRNG is simulation/policy.ts's `prng`.
 */
import { performance } from 'node:perf_hooks';
import { adminStatement } from '../db/connections';

export { prng as seeded } from '../simulation/policy';

/** Where throw-away benchmark databases are created: TEST_PG_URL, else the local test server. */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One statement on the admin connection (create/drop database, a probe), given up after 5 s. */
export const pgAdmin = (sql: string): Promise<void> => adminStatement(PG_ADMIN_URL, sql);

/** Runs `once` `warmup` times, then `requests` times timed; the durations in ms, sorted. */
export async function timed(once: () => Promise<void>, opts: { warmup: number; requests: number }): Promise<number[]> {
  for (let i = 0; i < opts.warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < opts.requests; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/** The p-th percentile of sorted durations (nearest rank). */
export const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
