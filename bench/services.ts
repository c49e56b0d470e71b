/**
 * What the scale benchmarks (escalation, completion, province) run against: a Temporal dev
 * server of their own (the project's binary, free ports, state in a temp SQLite file), a
 * throw-away read model (PostgreSQL on TEST_PG_URL when it answers, else SQLite), and the real
 * worker process (server/worker.ts, run with its WORKER_* tuning from this environment). Every
 * service is stopped and every temp dir or database removed on exit, also on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { codecDataConverter, loadCodecKeys } from '../codec/aes-gcm';
import { appClient, loadIntegrity } from '../codec/signing';
import { createKnex, describeDb, migrateLatest, type DbOptions } from '../db/knex';
import { hashPassword } from '../db/passwords';
import { createStore } from '../db/store';
import { COLLEGE_ROLES, type Calendar, type Template } from '../domain/schema';
import { createSemester, registerDataFiles } from '../server/features/semesters/use-cases/setup';
import { loadConfig } from '../server/platform/config/config';
import { temporalBinaries } from '../server/temporal-binaries';
import { describeWorkerTuning } from '../server/worker-tuning';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { PG_ADMIN_URL, pgAdmin } from './lib';

const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------
// Cleanup: run in reverse order at the end, on an error, or on SIGINT/SIGTERM

const cleanups: Array<() => Promise<void> | void> = [];
export const onCleanup = (f: () => Promise<void> | void) => void cleanups.push(f);
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (e) {
      console.error(`cleanup: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the services`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

/** Runs a benchmark's main, cleans up, and sets the exit code. */
export function runBench(main: () => Promise<void>): void {
  main()
    .then(cleanupAll, async (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exitCode = 1;
      await cleanupAll();
    })
    .finally(() => process.exit());
}

// ---------------------------------------------------------------------------------------------
// Machine

/** e.g. "load 3.21 2.80 1.95 (1/5/15 min) on 2 cores" */
export const loadLine = () =>
  `load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (1/5/15 min) on ${os.cpus().length} cores`;
export const load1 = () => os.loadavg()[0]!.toFixed(2);

const CLK_TCK = 100; // Linux USER_HZ (getconf CLK_TCK)

/** CPU time (user + system) a process has used, in ms (/proc/<pid>/stat), or 0 when it is gone. */
export function cpuMsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // the fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU time of every process whose command is `comm` (e.g. all PostgreSQL backends), in ms. */
export function cpuMsOfCommand(comm: string): number {
  let total = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) total += cpuMsOf(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy and total CPU time of the whole machine, in ms (/proc/stat): busy / total is how loaded it was. */
export function machineCpuMs(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: ((total - idle) * 1000) / CLK_TCK, total: (total * 1000) / CLK_TCK };
}

/** Resident memory of a process in MiB (/proc/<pid>/status VmRSS), or null when it is gone. */
export function rssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Random keys for this run only (payload encryption and start signatures), for the bench and its worker. */
export function benchKeysEnv(): Record<string, string> {
  const env = {
    PAYLOAD_KEYS: `bench:${crypto.randomBytes(32).toString('base64')}`,
    PAYLOAD_KEY_CURRENT: 'bench',
    WORKFLOW_SIGNING_KEY: crypto.randomBytes(32).toString('base64'),
  };
  Object.assign(process.env, env); // this process's clients use the same keys (never data/'s dev keys)
  return env;
}

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
  const bin = temporalBinaries().temporal;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--db-filename',
    dbFile,
    '--log-level',
    'error',
  ];
  for (const k of ALL_SEARCH_ATTRIBUTES)
    args.push('--search-attribute', `${k.name}=${k.type === 'INT' ? 'Int' : 'Keyword'}`);
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => void (stderr = (stderr + b.toString()).slice(-4000)));
  onCleanup(() => stop(proc, 'temporal'));
  const address = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`the Temporal dev server exited (${proc.exitCode}): ${stderr}`);
    try {
      const c = await Connection.connect({ address, connectTimeout: '1s' });
      await c.workflowService.getSystemInfo({});
      await c.close();
      break;
    } catch (e) {
      if (i >= 120)
        throw new Error(
          `the Temporal dev server did not answer within 60 s: ${e instanceof Error ? e.message : String(e)}`,
          { cause: e },
        );
      await sleep(500);
    }
  }
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
  env: Record<string, string>;
  description: string;
}

/** A throw-away PostgreSQL database when TEST_PG_URL answers (unless `want` is sqlite), else SQLite in `dir`; migrated. */
export async function readModel(dir: string, want: 'auto' | 'postgres' | 'sqlite' = 'auto'): Promise<ReadModel> {
  let kind: 'postgres' | 'sqlite' = 'sqlite';
  let why = '';
  if (want !== 'sqlite') {
    try {
      await pgAdmin('select 1');
      kind = 'postgres';
    } catch (err) {
      if (want === 'postgres')
        throw new Error(`${describeDb({ databaseUrl: PG_ADMIN_URL })} is not reachable: ${(err as Error).message}`, {
          cause: err,
        });
      why = ` (PostgreSQL at ${describeDb({ databaseUrl: PG_ADMIN_URL })} not reachable: ${(err as Error).message})`;
    }
  }
  let opts: DbOptions;
  let env: Record<string, string>;
  if (kind === 'postgres') {
    const name = `rx_bench_${crypto.randomBytes(6).toString('hex')}`;
    await pgAdmin(`create database "${name}"`);
    onCleanup(() => pgAdmin(`drop database if exists "${name}" with (force)`));
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    opts = { databaseUrl: url.toString() };
    env = { DATABASE_URL: url.toString() };
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
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.keysEnv,
    ...o.db.env,
    TEMPORAL_ADDRESS: o.address,
    TEMPORAL_TASK_QUEUE: o.taskQueue,
    EVIDENCE_DIR: path.join(o.dir, 'evidence'),
  };
  if (o.db.kind === 'postgres') delete env.SQLITE_FILE;
  else delete env.DATABASE_URL;
  const tuning = describeWorkerTuning(loadConfig(env));
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'worker.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(() => stop(proc, 'worker'));
  let out = '';
  const keep = (b: Buffer) => void (out = (out + b.toString()).slice(-8000));
  proc.stderr!.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the worker did not start polling within 120 s:\n${out}`)),
      120_000,
    );
    proc.stdout!.on('data', (b: Buffer) => {
      keep(b);
      if (out.includes('worker: polling')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${code}):\n${out}`));
    });
  });
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
  const connection = await Connection.connect({ address });
  onCleanup(() => connection.close());
  return appClient(
    { connection, namespace: 'default', dataConverter: codecDataConverter(loadCodecKeys()) },
    await loadIntegrity(db.knex),
  );
}

/** A temp dir removed at the end. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `f` over `items` with at most `n` at once. */
export async function pool<T>(items: T[], n: number, f: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await f(items[i]!, i);
      }
    }),
  );
}

/** p50/p95/p99/max of sorted ms, as text. */
export function stats(sorted: number[]): string {
  if (!sorted.length) return 'no samples';
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil((q / 100) * sorted.length) - 1)]!;
  const f = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
  return `p50 ${f(p(50))}  p95 ${f(p(95))}  p99 ${f(p(99))}  max ${f(sorted[sorted.length - 1]!)}  (n=${sorted.length})`;
}

// ---------------------------------------------------------------------------------------------
// The bench school

export const BENCH_SCHOOL = 'bench-school';
export const BENCH_PASSWORD = 'bench-2024';
const TEMPLATE_FILE = path.join(ROOT, 'checklists', 'runxin-2024-autumn.json');
const CALENDAR_FILE = path.join(ROOT, 'calendars', '2024-autumn.json');

/**
 * The bench school with `colleges` colleges (college-001 …), one user per college role in each
 * (`college-001-counsellor`, … all with BENCH_PASSWORD) and a school admin, the 2024 autumn
 * template and calendar, and the given semesters created (not started), each on the task model
 * `taskModels` names (default per-task, whatever TASK_MODEL says).
 */
export async function seedSchool(
  knex: Knex,
  o: {
    colleges: number;
    semesters: string[];
    /** by semester id; absent: the per-task model */ taskModels?: Record<string, 'per-task' | 'ladder'>;
  },
): Promise<{ template: Template; calendar: Calendar; collegeIds: string[] }> {
  const store = createStore(knex);
  await store.upsertSchool({
    id: BENCH_SCHOOL,
    name: '基准测试大学',
    nameEn: 'Benchmark University',
    timezone: 'Asia/Shanghai',
  });
  const hash = await hashPassword(BENCH_PASSWORD);
  const users: Array<Parameters<typeof store.upsertUser>[0]> = [
    {
      id: 'bench-admin',
      schoolId: BENCH_SCHOOL,
      collegeId: null,
      username: 'bench-admin',
      displayName: '基准测试管理员',
      role: 'school_admin',
      email: null,
      passwordHash: hash,
      active: true,
    },
  ];
  const collegeIds: string[] = [];
  for (let i = 1; i <= o.colleges; i++) {
    const n = String(i).padStart(3, '0');
    const id = `college-${n}`;
    collegeIds.push(id);
    await store.upsertCollege({ id, schoolId: BENCH_SCHOOL, name: `第${n}学院`, nameEn: `College ${n}`, sortOrder: i });
    for (const role of COLLEGE_ROLES) {
      const username = `${id}-${role.replace('_', '-')}`;
      users.push({
        id: username,
        schoolId: BENCH_SCHOOL,
        collegeId: id,
        username,
        displayName: `${id} ${role}`,
        role,
        email: null,
        passwordHash: hash,
        active: true,
      });
    }
  }
  for (const u of users) await store.upsertUser(u);
  const { template, calendar } = await registerDataFiles(store, {
    templateFile: TEMPLATE_FILE,
    calendarFile: CALENDAR_FILE,
  });
  for (const id of o.semesters) {
    await createSemester(store, {
      id,
      schoolId: BENCH_SCHOOL,
      templateId: template.id,
      templateVersion: template.version,
      calendarId: calendar.id,
      taskModel: o.taskModels?.[id] ?? 'per-task',
    });
  }
  return { template, calendar, collegeIds };
}

/** Signs in over HTTP; the cookie and CSRF token for state-changing calls. */
export async function signIn(base: string, username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${username}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}
