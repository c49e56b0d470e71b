/** The services a scale benchmark runs against (see services.ts): Temporal dev server, read model, worker, client. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createKnex, describeDb, migrateLatest, type DbOptions } from '../db/knex';
import { loadConfig } from '../server/platform/config/config';
import { temporalBinaries } from '../server/temporal-binaries';
import { describeWorkerTuning } from '../server/worker-tuning';
import { appEnv, connectApp, devServerArgs, freePort, runKeys, waitForTemporal } from '../test/helpers/processes';
import { pgUnreachable, throwawayDatabase } from './lib';
import { onCleanup, tempDir } from './services-machine';

const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------
// Temporal dev server

export interface TemporalServer {
  address: string;
  pid: number;
  dbFile: string;
  /** bytes of the state file and its WAL */
  stateBytes(): number;
}

export async function startTemporal(dir: string): Promise<TemporalServer> {
  const port = await freePort();
  const dbFile = path.join(dir, 'temporal.sqlite');
  const proc = spawn(temporalBinaries().temporal, devServerArgs(port, dbFile), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => void (stderr = (stderr + b.toString()).slice(-4000)));
  onCleanup(() => stop(proc, 'temporal'));
  const address = `127.0.0.1:${port}`;
  await waitForTemporal(address, {
    ms: 60_000,
    everyMs: 500,
    exited: () => (proc.exitCode === null ? undefined : `(${proc.exitCode}): ${stderr}`),
  });
  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  return { address, pid: proc.pid!, dbFile, stateBytes: () => size(dbFile) + size(`${dbFile}-wal`) };
}

/** SIGTERM, then SIGKILL after 15 s; resolves when the process has exited. */
async function stop(proc: ChildProcess, name: string): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => {
    console.error(`${name}: no exit 15 s after SIGTERM, killing it`);
    proc.kill('SIGKILL');
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Read model

export interface ReadModel {
  knex: Knex;
  kind: 'postgres' | 'sqlite';
  opts: DbOptions;
  /** for the worker process */
  env: { DATABASE_URL: string } | { SQLITE_FILE: string };
  description: string;
}

/** A throw-away PostgreSQL database when TEST_PG_URL answers (unless `want` is sqlite), else SQLite in `dir`; migrated. */
export async function readModel(dir: string, want: 'auto' | 'postgres' | 'sqlite' = 'auto'): Promise<ReadModel> {
  const unreachable = want === 'sqlite' ? undefined : await pgUnreachable();
  if (unreachable && want === 'postgres') throw new Error(unreachable);
  const kind = want === 'sqlite' || unreachable ? 'sqlite' : 'postgres';
  const why = unreachable ? ` (PostgreSQL: ${unreachable})` : '';
  let opts: DbOptions;
  let env: ReadModel['env'];
  if (kind === 'postgres') {
    const database = await throwawayDatabase('rx_bench');
    onCleanup(() => database.drop());
    opts = { databaseUrl: database.url };
    env = { DATABASE_URL: database.url };
  } else {
    const file = path.join(dir, 'app.sqlite');
    opts = { sqliteFile: file };
    env = { SQLITE_FILE: file };
  }
  const knex = createKnex(opts);
  onCleanup(() => knex.destroy());
  await migrateLatest(knex);
  return { knex, kind, opts, env, description: `${describeDb(opts)}${why}` };
}

// ---------------------------------------------------------------------------------------------
// Worker process and the bench's own client

export interface WorkerProcess {
  pid: number;
  /** the WORKER_* tuning it runs with (server/worker-tuning.ts), as one line */
  tuning: string;
  /** SDK warnings by code so far, e.g. "TMPRL1104x87 task_not_foundx12" (1104: a workflow task took over 5 s; task_not_found: one timed out after 10 s and was retried) */
  warnings(): string;
}

/**
 * `node <args>` from the repository root, stopped at the end (SIGTERM, then SIGKILL): resolves once
 * its standard output says `ready`, rejects when it exits first or after 120 s, with what it said.
 */
export async function spawnNodeUntil(
  name: string,
  args: string[],
  o: { ready: string; env?: NodeJS.ProcessEnv },
): Promise<{ proc: ChildProcess }> {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: o.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(() => stop(proc, name));
  let out = '';
  const keep = (b: Buffer) => void (out = (out + b.toString()).slice(-8000));
  proc.stderr!.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: did not start polling within 120 s:\n${out}`)), 120_000);
    proc.stdout!.on('data', (b: Buffer) => {
      keep(b);
      if (out.includes(o.ready)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${out}`));
    });
  });
  return { proc };
}

/**
 * The real worker (server/worker.ts) as a child process: node with tsx's loader directly, so its
 * pid is the one whose memory is sampled. Inherits this environment (WORKER_* tuning included).
 */
export async function startWorker(o: {
  address: string;
  taskQueue: string;
  db: ReadModel;
  dir: string;
  keysEnv: Record<string, string>;
}): Promise<WorkerProcess> {
  const env = appEnv({ keys: o.keysEnv, database: o.db.env, address: o.address, queue: o.taskQueue, dir: o.dir });
  const tuning = describeWorkerTuning(loadConfig(env));
  // BENCH_WORKER_NODE_ARGS: extra node flags for the worker, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { proc } = await spawnNodeUntil(
    'worker',
    [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'server', 'worker.ts')],
    {
      env,
      ready: 'worker: polling',
    },
  );
  // from now on, pass on what the worker says, prefixed; repeated SDK warnings are counted by code
  const warnings = new Map<string, number>();
  const relay = (b: Buffer) => {
    for (const raw of b.toString().split('\n')) {
      // eslint-disable-next-line no-control-regex -- the SDK's log colours
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
      if (!line) continue;
      const code = / WARN /.test(line)
        ? (/\[(TMPRL\d+)\]/.exec(line)?.[1] ??
          (/Task not found when completing/.test(line) ? 'task_not_found' : 'other_warning'))
        : undefined;
      const n = code ? (warnings.get(code) ?? 0) + 1 : 0;
      if (code) warnings.set(code, n);
      if (!code || n <= 2) process.stderr.write(`[worker] ${line.length > 400 ? `${line.slice(0, 400)}…` : line}\n`);
      else if (n === 3) process.stderr.write(`[worker] (further ${code} warnings are counted, not shown)\n`);
    }
  };
  proc.stdout!.removeAllListeners('data');
  proc.stderr!.removeAllListeners('data');
  proc.stdout!.on('data', relay);
  proc.stderr!.on('data', relay);
  proc.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`[worker] exited: ${code ?? signal}`);
  });
  return {
    pid: proc.pid!,
    tuning,
    warnings: () => (warnings.size ? [...warnings].map(([c, n]) => `${c}x${n}`).join(' ') : 'none'),
  };
}

/** The app's own client (signed starts and Updates, encrypted payloads) on the bench's server. */
export async function benchClient(address: string, db: ReadModel): Promise<Client> {
  const { connection, client } = await connectApp(address, db.knex);
  onCleanup(() => connection.close());
  return client;
}

// ---------------------------------------------------------------------------------------------
// A scale benchmark's set-up

export interface Services {
  keysEnv: Record<string, string>;
  dir: string;
  temporal: TemporalServer;
  db: ReadModel;
}

/** Keys of this run, a temp dir rx-bench-<name>-…, the Temporal dev server and the read model (--db: auto, postgres or sqlite). */
export async function startServices(name: string, want: string): Promise<Services> {
  const keysEnv = runKeys('bench');
  const dir = tempDir(`rx-bench-${name}-`);
  const temporal = await startTemporal(dir);
  const db = await readModel(dir, want as 'auto');
  return { keysEnv, dir, temporal, db };
}

/** Once the school is seeded: the worker process on `queue` (its pid and tuning printed) and the bench's own client. */
export async function startWorkerAndClient(
  s: Services,
  queue: string,
): Promise<{ worker: WorkerProcess; client: Client }> {
  const worker = await startWorker({
    address: s.temporal.address,
    taskQueue: queue,
    db: s.db,
    dir: s.dir,
    keysEnv: s.keysEnv,
  });
  const client = await benchClient(s.temporal.address, s.db);
  return { worker, client };
}
