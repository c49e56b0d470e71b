/** bench/compliance.ts's command line and constants (see compliance.ts): usage and exit 2 on a bad value. */
import { parseArgs } from 'node:util';

export const SEMESTER = 'bench-2024-autumn';
export const SCHOOL = 'bench-school';
/** the bench school's admin, who signs in to the web app */
export const ADMIN = { username: 'admin', password: 'bench-2024' };
/** "now" of the benchmark: Wednesday 4 December 2024, noon in Shanghai, so the plan has past, late, open and future tasks. */
export const NOW = Date.UTC(2024, 11, 4, 4);
export const DAY = 86_400_000;
export const WARMUP = 20;

export const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    colleges: { type: 'string', default: '200' },
    requests: { type: 'string', default: '300' },
  },
});
export const collegeCount = Number(args.colleges);
export const requests = Number(args.requests);
if (!['sqlite', 'postgres', 'both'].includes(args.db) || !(collegeCount > 0) || !(requests > 0)) {
  console.error('usage: npx tsx bench/compliance.ts [--db sqlite|postgres|both] [--colleges N] [--requests R]');
  process.exit(2);
}
