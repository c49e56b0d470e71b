/** bench:completion's command line and constants (see completion.ts): usage and exit 2 on a bad value. */
import { parseArgs } from 'node:util';

export const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '1,20' },
    requests: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    db: { type: 'string', default: 'auto' },
    model: { type: 'string', default: 'both' },
  },
  strict: true,
});
export const LEVELS = args.concurrency.split(',').map((s) => Number(s.trim()));
export const REQUESTS = Number(args.requests);
export const WARMUP = Number(args.warmup);
if (
  !LEVELS.length ||
  LEVELS.some((c) => !(Number.isInteger(c) && c >= 1 && c <= 200)) ||
  !(Number.isInteger(REQUESTS) && REQUESTS > 0) ||
  !(Number.isInteger(WARMUP) && WARMUP >= 0) ||
  !['auto', 'postgres', 'sqlite'].includes(args.db) ||
  !['both', 'per-task', 'ladder'].includes(args.model)
) {
  console.error(
    'usage: npm run bench:completion -- [--concurrency 1,20] [--requests R] [--warmup W] [--db auto|postgres|sqlite] [--model both|per-task|ladder]',
  );
  process.exit(2);
}
export const QUEUE = 'bench-completion';
export type Model = 'per-task' | 'ladder';
export const MODELS: Model[] = args.model === 'both' ? ['per-task', 'ladder'] : [args.model as Model];
export const semesterOf = (model: Model) => (model === 'ladder' ? 'bench-completion-ladder' : 'bench-completion');
export const START_CONCURRENCY = 20;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
