/** bench:escalation's command line (see escalation.ts) and constants: usage and exit 2 on a bad value. */
import { parseArgs } from 'node:util';

export const { values: args } = parseArgs({
  options: {
    tasks: { type: 'string', default: '1000' },
    'lead-seconds': { type: 'string', default: '60' },
    'spread-minutes': { type: 'string', default: '10' },
    instants: { type: 'string', default: '100' },
    'max-wait-minutes': { type: 'string', default: '10' },
    db: { type: 'string', default: 'auto' },
    model: { type: 'string', default: 'both' },
  },
  strict: true,
});
export const N = Number(args.tasks);
export const LEAD_MS = Number(args['lead-seconds']) * 1000;
export const SPREAD_MS = Number(args['spread-minutes']) * 60_000;
export const INSTANTS = Number(args.instants);
export const MAX_WAIT_MS = Number(args['max-wait-minutes']) * 60_000;
if (
  !(Number.isInteger(N) && N > 0 && N <= 100_000) ||
  !(LEAD_MS >= 5000) ||
  !(SPREAD_MS > 0) ||
  !(Number.isInteger(INSTANTS) && INSTANTS > 0) ||
  !(MAX_WAIT_MS > 0) ||
  !['auto', 'postgres', 'sqlite'].includes(args.db) ||
  !['both', 'per-task', 'ladder'].includes(args.model)
) {
  console.error(
    'usage: npm run bench:escalation -- [--tasks N] [--lead-seconds S≥5] [--spread-minutes M] [--instants K] [--max-wait-minutes W] [--db auto|postgres|sqlite] [--model both|per-task|ladder]',
  );
  process.exit(2);
}
export const TASKS_PER_COLLEGE = 54;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const START_CONCURRENCY = 20;
export const QUEUE = 'bench-escalation';
export type Model = 'per-task' | 'ladder';
export const MODELS: Model[] = args.model === 'both' ? ['per-task', 'ladder'] : [args.model as Model];
