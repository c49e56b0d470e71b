/**
 * The floor under bench:completion's ratio (issue 11): how the two primitives a completion could be
 * built on behave at 1 and at 20 concurrent on this machine, with nothing of the service around them.
 *
 *   npm run bench:floor -- [--concurrency 1,20] [--requests 500] [--warmup 50] [--workflows 20]
 *                          [--db auto|postgres|sqlite] [--cases sql,update,refuse]
 *
 * - `sql`: the baseline the issue names ("a plain SQL update"): one UPDATE of one row by its key,
 *   `status` open → completed, on a throw-away read model (PostgreSQL on TEST_PG_URL when it
 *   answers, else SQLite), from a knex pool in this process.
 * - `update`: a Workflow Update that does nothing (floor-workflows.ts echoes its argument), sent by
 *   a plain client (no codec, no proof) in this process to a worker process on SDK defaults
 *   (floor-worker.ts), through a Temporal dev server of its own; the Updates go round-robin over
 *   `--workflows` workflows (20: one per college of a 20-college school; 1: one college's ladder).
 *
 * For each case and concurrency C: `warmup` operations untimed, then `requests` timed, C in flight
 * at a time; a timing runs from the call until its answer. Prints p50/p95/p99, operations a second
 * and how busy the cores were, and one RESULT line with `<case>_p95_ms_c<C>` and
 * `<case>_p95_ratio_c<C>` (p95 at C over p95 at the first level). Asserts nothing.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { benchArgs, DB_CHOICES, pct, printResult } from './lib';
import {
  loadLine,
  machineCpuMs,
  onCleanup,
  pool,
  readModel,
  runBench,
  spawnNodeUntil,
  startTemporal,
  stats,
  tempDir,
} from './services';
import {
  FLOOR_REFUSAL,
  floorEchoUpdate,
  floorRefuseUpdate,
  floorStopSignal,
  type floorWorkflow,
} from './floor-workflows';

const CASES = ['sql', 'update', 'refuse'] as const;
type Case = (typeof CASES)[number];

const args = benchArgs(
  'npm run bench:floor -- [--concurrency 1,20] [--requests R] [--warmup W] [--workflows N] [--db auto|postgres|sqlite] [--cases sql,update,refuse]',
  { concurrency: '1,20', requests: '500', warmup: '50', workflows: '20', db: 'auto', cases: 'sql,update' },
  (a) => {
    const levels = a.concurrency.split(',').map((s) => Number(s.trim()));
    const cases = a.cases.split(',').map((s) => s.trim());
    return (
      levels.length > 0 &&
      levels.every((c) => Number.isInteger(c) && c >= 1 && c <= 200) &&
      [a.requests, a.workflows].every((x) => Number.isInteger(Number(x)) && Number(x) > 0) &&
      Number.isInteger(Number(a.warmup)) &&
      Number(a.warmup) >= 0 &&
      DB_CHOICES.includes(a.db) &&
      cases.length > 0 &&
      cases.every((c) => (CASES as readonly string[]).includes(c))
    );
  },
);
const LEVELS = args.concurrency.split(',').map((s) => Number(s.trim()));
const REQUESTS = Number(args.requests);
const WARMUP = Number(args.warmup);
const WORKFLOWS = Number(args.workflows);
const RUN = new Set(args.cases.split(',').map((s) => s.trim() as Case));
const QUEUE = 'bench-floor';

interface Level {
  c: number;
  times: number[];
  perS: number;
  busyPct: number;
}

/** `op` at each concurrency: warm-up, then the timed operations with the machine's busy share. */
async function measure(name: Case, op: (i: number) => Promise<void>): Promise<Level[]> {
  const out: Level[] = [];
  let next = 0;
  for (const c of LEVELS) {
    const warm = Array.from({ length: WARMUP }, () => next++);
    await pool(warm, c, (i) => op(i));
    const timed = Array.from({ length: REQUESTS }, () => next++);
    const times: number[] = [];
    const cpu0 = machineCpuMs();
    const w0 = performance.now();
    await pool(timed, c, async (i) => {
      const t0 = performance.now();
      await op(i);
      times.push(performance.now() - t0);
    });
    const wallMs = performance.now() - w0;
    const cpu1 = machineCpuMs();
    times.sort((a, b) => a - b);
    const level = {
      c,
      times,
      perS: REQUESTS / (wallMs / 1000),
      busyPct: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total),
    };
    out.push(level);
    console.log(
      `${name.padEnd(6)} concurrency ${String(c).padStart(3)}: ${stats(times)}; ${level.perS.toFixed(0)}/s; cores busy ${level.busyPct.toFixed(0)}%; ${loadLine()}`,
    );
  }
  return out;
}

async function sqlCase(dir: string): Promise<{ levels: Level[]; db: string }> {
  const db = await readModel(dir, args.db as 'auto');
  const n = LEVELS.length * (WARMUP + REQUESTS);
  await db.knex.schema.createTable('bench_floor_tasks', (t) => {
    t.integer('id').primary();
    t.string('status').notNullable();
    t.bigInteger('completed_at');
  });
  for (let i = 0; i < n; i += 500)
    await db
      .knex('bench_floor_tasks')
      .insert(
        Array.from({ length: Math.min(500, n - i) }, (_, k) => ({ id: i + k, status: 'open', completed_at: null })),
      );
  const levels = await measure('sql', async (i) => {
    const changed = await db
      .knex('bench_floor_tasks')
      .where({ id: i, status: 'open' })
      .update({ status: 'completed', completed_at: Date.now() });
    if (changed !== 1) throw new Error(`sql: row ${i} was not open`);
  });
  return { levels, db: db.kind };
}

/** The Temporal cases asked for (`update`, `refuse`), one after the other on one dev server, worker and set of workflows. */
async function temporalCases(dir: string, cases: Case[]): Promise<Map<Case, Level[]>> {
  const temporal = await startTemporal(dir);
  const { proc } = await spawnNodeUntil(
    'floor worker',
    ['--import', 'tsx', path.join(__dirname, 'floor-worker.ts'), temporal.address, QUEUE],
    { ready: 'floor worker: polling' },
  );
  const connection = await Connection.connect({ address: temporal.address });
  onCleanup(() => connection.close());
  const client = new Client({ connection });
  const handles: Array<WorkflowHandle<typeof floorWorkflow>> = [];
  for (let w = 0; w < WORKFLOWS; w++)
    handles.push(
      await client.workflow.start<typeof floorWorkflow>('floorWorkflow', {
        taskQueue: QUEUE,
        workflowId: `bench-floor-${w}`,
      }),
    );
  console.log(
    `temporal dev server ${temporal.address}; worker pid ${proc.pid} on SDK defaults; ${WORKFLOWS} workflow(s)`,
  );
  const out = new Map<Case, Level[]>();
  if (cases.includes('update'))
    out.set(
      'update',
      await measure('update', async (i) => {
        const got = await handles[i % WORKFLOWS]!.executeUpdate(floorEchoUpdate, { args: [i] });
        if (got !== i) throw new Error(`update: answered ${got} to ${i}`);
      }),
    );
  if (cases.includes('refuse'))
    out.set(
      'refuse',
      await measure('refuse', async (i) => {
        const refusal = await handles[i % WORKFLOWS]!.executeUpdate(floorRefuseUpdate, { args: [i] }).then(
          (got) => new Error(`refuse: answered ${got} to ${i} instead of refusing`),
          (e: unknown) => e,
        );
        const message = refusal instanceof WorkflowUpdateFailedError ? (refusal.cause?.message ?? '') : '';
        if (message !== FLOOR_REFUSAL) throw refusal instanceof Error ? refusal : new Error(String(refusal));
      }),
    );
  for (const h of handles) await h.signal(floorStopSignal);
  return out;
}

async function main(): Promise<void> {
  console.log(
    `floor: ${[...RUN].join(', ')}; concurrency ${LEVELS.join(', ')}; ${REQUESTS} timed (+${WARMUP} warm-up) each; ${loadLine()}`,
  );
  const dir = tempDir('rx-bench-floor-');
  const keys: string[] = [];
  const f = (x: number) => String(Math.round(x * 10) / 10);
  const keysOf = (name: Case, levels: Level[]) => {
    const first = levels[0]!;
    for (const l of levels) {
      keys.push(
        `${name}_p50_ms_c${l.c}=${f(pct(l.times, 50))}`,
        `${name}_p95_ms_c${l.c}=${f(pct(l.times, 95))}`,
        `${name}_p99_ms_c${l.c}=${f(pct(l.times, 99))}`,
        `${name}_per_s_c${l.c}=${Math.round(l.perS)}`,
        `${name}_cores_busy_pct_c${l.c}=${Math.round(l.busyPct)}`,
      );
      if (l !== first) keys.push(`${name}_p95_ratio_c${l.c}=${(pct(l.times, 95) / pct(first.times, 95)).toFixed(2)}`);
    }
  };
  if (RUN.has('sql')) {
    const { levels, db } = await sqlCase(dir);
    keys.push(`db=${db}`);
    keysOf('sql', levels);
  }
  const temporal = (['update', 'refuse'] as const).filter((c) => RUN.has(c));
  if (temporal.length) {
    keys.push(`workflows=${WORKFLOWS}`);
    for (const [name, levels] of await temporalCases(dir, temporal)) keysOf(name, levels);
  }
  printResult([`requests=${REQUESTS}`, ...keys]);
}

runBench(main);
