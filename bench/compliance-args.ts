/** bench/compliance.ts's command line and constants (see compliance.ts): usage and exit 2 on a bad value. */
import { benchArgs } from './lib';
import { BENCH_PASSWORD, BENCH_SCHOOL } from './services-school';

export const SEMESTER = 'bench-2024-autumn';
export const SCHOOL = BENCH_SCHOOL;
/** the bench school's admin, who signs in to the web app */
export const ADMIN = { username: 'admin', password: BENCH_PASSWORD };
/** "now" of the benchmark: Wednesday 4 December 2024, noon in Shanghai, so the plan has past, late, open and future tasks. */
export const NOW = Date.UTC(2024, 11, 4, 4);
export const DAY = 86_400_000;
export const WARMUP = 20;

export const args = benchArgs(
  'npx tsx bench/compliance.ts [--db sqlite|postgres|both] [--colleges N] [--requests R]',
  { db: 'both', colleges: '200', requests: '300' },
  (a) => ['sqlite', 'postgres', 'both'].includes(a.db) && Number(a.colleges) > 0 && Number(a.requests) > 0,
);
export const collegeCount = Number(args.colleges);
export const requests = Number(args.requests);
