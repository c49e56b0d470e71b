/** bench/care.ts's command line and constants (see care.ts): usage and exit 2 on a bad value. */
import { parseArgs } from 'node:util';
import { DEMO_SCHOOL } from '../db/demo';
import type { SessionUser } from '../server/platform/auth/context';
import { MAX_SCREENING_ROWS } from '../server/features/screening/use-cases';

export const WARMUP = 10;
export const COLLEGE = 'literature';
export const COUNSELLOR = 'literature-counsellor';
export const TEACHER = 'literature-class-teacher';
export const ADMIN: SessionUser = {
  id: 'admin',
  username: 'admin',
  displayName: 'x',
  role: 'school_admin',
  collegeId: null,
  schoolId: DEMO_SCHOOL.id,
};
export const DAY = 86_400_000;

export const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    rows: { type: 'string', default: '1000,20000' },
    entries: { type: 'string', default: '300' },
    requests: { type: 'string', default: '100' },
  },
});
export const rowCounts = args.rows.split(',').map((s) => Number(s.trim()));
export const entries = Number(args.entries);
export const requests = Number(args.requests);
if (
  !['sqlite', 'postgres', 'both'].includes(args.db) ||
  !rowCounts.every((n) => Number.isInteger(n) && n > 0 && n <= MAX_SCREENING_ROWS) ||
  !(Number.isInteger(entries) && entries > 0) ||
  !(requests > 0)
) {
  console.error(
    `usage: npx tsx bench/care.ts [--db sqlite|postgres|both] [--rows N,N (each 1..${MAX_SCREENING_ROWS})] [--entries E] [--requests R]`,
  );
  process.exit(2);
}
