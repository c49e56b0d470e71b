/** bench:escalation's command line (see escalation.ts) and constants: usage and exit 2 on a bad value. */
import { benchArgs, DB_CHOICES, MODEL_CHOICES, modelsOf, type Model } from './lib';

export type { Model };
export const args = benchArgs(
  'npm run bench:escalation -- [--tasks N] [--lead-seconds S≥5] [--spread-minutes M] [--instants K] [--max-wait-minutes W] [--db auto|postgres|sqlite] [--model both|per-task|ladder]',
  {
    tasks: '1000',
    'lead-seconds': '60',
    'spread-minutes': '10',
    instants: '100',
    'max-wait-minutes': '10',
    db: 'auto',
    model: 'both',
  },
  (a) => {
    const n = Number(a.tasks);
    const instants = Number(a.instants);
    return (
      Number.isInteger(n) &&
      n > 0 &&
      n <= 100_000 &&
      Number(a['lead-seconds']) * 1000 >= 5000 &&
      Number(a['spread-minutes']) > 0 &&
      Number.isInteger(instants) &&
      instants > 0 &&
      Number(a['max-wait-minutes']) > 0 &&
      DB_CHOICES.includes(a.db) &&
      MODEL_CHOICES.includes(a.model)
    );
  },
);
export const N = Number(args.tasks);
export const LEAD_MS = Number(args['lead-seconds']) * 1000;
export const SPREAD_MS = Number(args['spread-minutes']) * 60_000;
export const INSTANTS = Number(args.instants);
export const MAX_WAIT_MS = Number(args['max-wait-minutes']) * 60_000;
export const TASKS_PER_COLLEGE = 54;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const START_CONCURRENCY = 20;
export const QUEUE = 'bench-escalation';
export const MODELS = modelsOf(args.model, ['per-task', 'ladder']);
