/** bench:completion's command line and constants (see completion.ts): usage and exit 2 on a bad value. */
import { benchArgs, DB_CHOICES, MODEL_CHOICES, modelsOf, type Model } from './lib';

export type { Model };
export const args = benchArgs(
  'npm run bench:completion -- [--concurrency 1,20] [--requests R] [--warmup W] [--db auto|postgres|sqlite] [--model both|per-task|ladder] [--duplicates D]',
  { concurrency: '1,20', requests: '100', warmup: '10', db: 'auto', model: 'both', duplicates: '0' },
  (a) => {
    const levels = a.concurrency.split(',').map((s) => Number(s.trim()));
    return (
      levels.length > 0 &&
      levels.every((c) => Number.isInteger(c) && c >= 1 && c <= 200) &&
      Number.isInteger(Number(a.requests)) &&
      Number(a.requests) > 0 &&
      Number.isInteger(Number(a.warmup)) &&
      Number(a.warmup) >= 0 &&
      Number.isInteger(Number(a.duplicates)) &&
      Number(a.duplicates) >= 0 &&
      Number(a.duplicates) <= 5 &&
      DB_CHOICES.includes(a.db) &&
      MODEL_CHOICES.includes(a.model)
    );
  },
);
export const LEVELS = args.concurrency.split(',').map((s) => Number(s.trim()));
export const REQUESTS = Number(args.requests);
export const WARMUP = Number(args.warmup);
/** copies of each completion sent at the same moment, without an Idempotency-Key (a double tap of a client that sends none, or two staff) */
export const DUPLICATES = Number(args.duplicates);
export const QUEUE = 'bench-completion';
export const MODELS = modelsOf(args.model, ['per-task', 'ladder']);
export const semesterOf = (model: Model) => (model === 'ladder' ? 'bench-completion-ladder' : 'bench-completion');
export const START_CONCURRENCY = 20;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
