/**
 * What the benchmark scripts share: the PostgreSQL admin connection (throw-away databases), a
 * timing loop with warm-up, and percentiles. The seeded PRNG is simulation/policy.ts's `prng`.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { adminStatement } from '../db/connections';
import { describeDb } from '../db/knex';

export { prng as seeded } from '../simulation/policy';

/** Where throw-away benchmark databases are created: TEST_PG_URL, else the local test server. */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One statement on the admin connection (create/drop database, a probe), given up after 5 s. */
export const pgAdmin = (sql: string): Promise<void> => adminStatement(PG_ADMIN_URL, sql);

/** Why PostgreSQL on PG_ADMIN_URL cannot be used (e.g. "postgres://… is not reachable: …"), or undefined when it answers. */
export async function pgUnreachable(): Promise<string | undefined> {
  try {
    await pgAdmin('select 1');
    return undefined;
  } catch (err) {
    return `${describeDb({ databaseUrl: PG_ADMIN_URL })} is not reachable: ${(err as Error).message}`;
  }
}

/** A new, empty database `<prefix>_<random>` on PG_ADMIN_URL's server; `drop()` removes it (closing its sessions). */
export async function throwawayDatabase(prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  await pgAdmin(`create database "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => pgAdmin(`drop database if exists "${name}" with (force)`) };
}

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

// ---------------------------------------------------------------------------------------------
// The command line and the RESULT line

/**
 * A benchmark's command line: string options with their defaults, checked by `valid`. An unknown
 * option or a value `valid` refuses prints `usage` and exits 2; --help prints it and exits 0.
 */
export function benchArgs<K extends string>(
  usage: string,
  defaults: Record<K, string>,
  valid: (args: Record<K, string>) => boolean,
): Record<K, string> {
  const options = Object.fromEntries(
    Object.entries<string>(defaults).map(([k, v]) => [k, { type: 'string' as const, default: v }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean' } }, strict: true }));
  } catch (e) {
    console.error(`${(e as Error).message}\nusage: ${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  const args = values as Record<K, string>;
  if (!valid(args)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return args;
}

/** The read model a scale benchmark asks for (--db). */
export const DB_CHOICES = ['auto', 'postgres', 'sqlite'];
/** The task models a benchmark runs (--model): both, or one of them (ADR 0005). */
export const MODEL_CHOICES = ['both', 'per-task', 'ladder'];
export type Model = 'per-task' | 'ladder';
/** The models --model names, in the order they run ('both': `both`'s order). */
export const modelsOf = (arg: string, both: Model[]): Model[] => (arg === 'both' ? both : [arg as Model]);

/** The load of the last minute, e.g. "3.21". */
export const load1 = () => os.loadavg()[0]!.toFixed(2);

/**
 * Prints the benchmark's one `RESULT key=value …` line: `keys`, then the worker's tuning and SDK
 * warnings (when it ran one) and the load of the last minute.
 */
export function printResult(keys: string[], worker?: { tuning: string; warnings(): string }): void {
  const tail = worker ? [worker.tuning, `worker_warnings=${worker.warnings()}`] : [];
  console.log(`RESULT ${[...keys, ...tail, `load1=${load1()}`].join(' ')}`);
}
