/** bench/care.ts's command line and constants (see care.ts): usage and exit 2 on a bad value. */
import { DEMO_SCHOOL } from '../db/demo';
import type { SessionUser } from '../server/platform/auth/context';
import { MAX_SCREENING_ROWS } from '../server/features/screening/use-cases';
import { benchArgs } from './lib';

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

export const args = benchArgs(
  `npx tsx bench/care.ts [--db sqlite|postgres|both] [--rows N,N (each 1..${MAX_SCREENING_ROWS})] [--entries E] [--requests R]`,
  { db: 'both', rows: '1000,20000', entries: '300', requests: '100' },
  (a) =>
    ['sqlite', 'postgres', 'both'].includes(a.db) &&
    a.rows.split(',').every((s) => {
      const n = Number(s.trim());
      return Number.isInteger(n) && n > 0 && n <= MAX_SCREENING_ROWS;
    }) &&
    Number.isInteger(Number(a.entries)) &&
    Number(a.entries) > 0 &&
    Number(a.requests) > 0,
);
export const rowCounts = args.rows.split(',').map((s) => Number(s.trim()));
export const entries = Number(args.entries);
export const requests = Number(args.requests);
