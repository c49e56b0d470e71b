/**
 * The real processes and services that the dev-server tests, the fault suite (test/faults/) and
 * the scale benchmarks (bench/services*.ts) run against: free ports, the Temporal dev server as a
 * child process with its state in a file, the app's worker and web (server/*.ts through tsx, each
 * in its own process group so a SIGKILL reaches tsx's node child), keys of one run only, the app's
 * own client, a PostgreSQL read model with the demo school and its semesters, task workflows and
 * ladders with near instants, what such a task leaves behind, and signing in over HTTP.
 * The benchmarks import it too: no vitest here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { codecDataConverter, loadCodecKeys } from '../../codec/aes-gcm';
import { createStudentKeyring } from '../../codec/student-keys';
import { appClient, loadIntegrity } from '../../codec/signing';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes';
import type { CollegeLadderInput, LadderPlanTask, TaskInput } from '../../contracts';
import { collegeLadderWorkflowId } from '../../contracts/ids';
import { DEMO_SCHOOL, seedDemoSchool } from '../../db/demo';
import { createKnex, migrateLatest } from '../../db/knex';
import { createStore, type Store } from '../../db/store';
import { evidenceSchema, type Template } from '../../domain/schema';
import { createSemester } from '../../server/features/semesters/use-cases/setup';
import { registerAutumn } from './demo-db';

export const ROOT = path.resolve(__dirname, '..', '..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

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

// ---------------------------------------------------------------------------------------------
// Child processes, each in its own process group

export interface Proc {
  name: string;
  proc: ChildProcess;
  /** the last `keep` characters of its stdout and stderr */
  output(): string;
  killed: boolean;
}

const procs: Proc[] = [];

/** Spawns `command` in ROOT, detached (its own process group), keeping the tail of its output. */
export function spawnProc(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, keep = 8000): Proc {
  const proc = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const p: Proc = { name, proc, output: () => out, killed: false };
  procs.push(p);
  const append = (b: Buffer) => void (out = (out + b.toString()).slice(-keep));
  proc.stdout!.on('data', append);
  proc.stderr!.on('data', append);
  proc.once('exit', (code, signal) => {
    if (!p.killed) console.error(`[${name}] exited on its own (${code ?? signal}):\n${out}`);
  });
  return p;
}

export const alive = (p: Proc) => p.proc.exitCode === null && p.proc.signalCode === null;

/** kill -9 of the process group; resolves once it is gone. */
export function killHard(p: Proc): Promise<void> {
  p.killed = true;
  if (!alive(p)) return Promise.resolve();
  return new Promise((resolve) => {
    p.proc.once('exit', () => resolve());
    try {
      process.kill(-p.proc.pid!, 'SIGKILL');
    } catch {
      resolve();
    }
  });
}

/** kill -9 of every process spawnProc started in this process. */
export async function killAll(): Promise<void> {
  await Promise.all(procs.map((p) => killHard(p)));
}

/** A tsx process of server/<script>, ready once its output contains `ready`; fails at once if it exits. */
export async function startApp(
  name: string,
  script: 'worker.ts' | 'web.ts',
  ready: string,
  env: NodeJS.ProcessEnv,
  ms = 180_000,
): Promise<Proc> {
  const p = spawnProc(name, path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'server', script)], env);
  const deadline = Date.now() + ms;
  while (!p.output().includes(ready)) {
    if (!alive(p)) throw new Error(`${name} exited (${p.proc.exitCode ?? p.proc.signalCode}):\n${p.output()}`);
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${name} to start (${ready})\n${p.output()}`);
    await sleep(100);
  }
  return p;
}

/** A web process (server/web.ts) on a free port of 127.0.0.1; its base URL. */
export async function startWeb(name: string, env: NodeJS.ProcessEnv): Promise<{ proc: Proc; base: string }> {
  const port = await freePort();
  const proc = await startApp(name, 'web.ts', 'web: dashboard at', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  return { proc, base: `http://127.0.0.1:${port}` };
}

/**
 * The environment of the app's worker or web process: this process's, the run's keys, the read
 * model (DATABASE_URL or SQLITE_FILE; the other one is removed), the Temporal server and queue, and
 * evidence under `dir`; `unset` names more variables to remove.
 */
export function appEnv(o: {
  keys: Record<string, string>;
  database: { DATABASE_URL: string } | { SQLITE_FILE: string };
  address: string;
  queue: string;
  dir: string;
  extra?: Record<string, string>;
  unset?: string[];
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.keys,
    ...o.database,
    ...o.extra,
    TEMPORAL_ADDRESS: o.address,
    TEMPORAL_TASK_QUEUE: o.queue,
    EVIDENCE_DIR: path.join(o.dir, 'evidence'),
  };
  for (const k of ['DATABASE_URL' in o.database ? 'SQLITE_FILE' : 'DATABASE_URL', ...(o.unset ?? [])]) delete env[k];
  return env;
}

// ---------------------------------------------------------------------------------------------
// The Temporal dev server

/** The CLI's name of a search attribute type, e.g. KEYWORD_LIST → KeywordList. */
const cliType = (type: string) => type.toLowerCase().replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The server's timer precision, as temporal-dev.sh sets it: by default the history service fires a
 * timer up to its "max time shift" (1 s) late, a tolerance for clock skew between history hosts.
 * One dev server has one clock; 100 ms keeps an instant's escalations within a second (ADR 0005,
 * docs/operations.md says what to set on a cluster).
 */
export const TIMER_SHIFT_DYNAMIC_CONFIG = 'history.timerProcessorMaxTimeShift="100ms"';

/** `temporal server start-dev` on 127.0.0.1:`port`, headless, its state in `dbFile`, with the app's search attributes. */
export function devServerArgs(port: number, dbFile: string): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless'];
  args.push('--db-filename', dbFile, '--log-level', 'error', '--dynamic-config-value', TIMER_SHIFT_DYNAMIC_CONFIG);
  for (const k of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${k.name}=${cliType(k.type)}`);
  return args;
}

/** Resolves once the server at `address` answers; throws when `exited()` says why it stopped, or after `ms`. */
export async function waitForTemporal(
  address: string,
  o: { ms: number; everyMs: number; exited: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + o.ms;
  for (;;) {
    const gone = o.exited();
    if (gone !== undefined) throw new Error(`the Temporal dev server exited: ${gone}`);
    try {
      const c = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        await c.workflowService.getSystemInfo({});
      } finally {
        await c.close();
      }
      return;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`the Temporal dev server did not answer within ${o.ms / 1000} s: ${message(e)}`, { cause: e });
      await sleep(o.everyMs);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Keys, the read model and the app's own client

/** Keys of this run only (payload encryption, start signatures), also set in this process for its own client. */
export function runKeys(label: string): Record<string, string> {
  const keys = {
    PAYLOAD_KEYS: `${label}:${crypto.randomBytes(32).toString('base64')}`,
    PAYLOAD_KEY_CURRENT: label,
    WORKFLOW_SIGNING_KEY: crypto.randomBytes(32).toString('base64'),
  };
  Object.assign(process.env, keys);
  return keys;
}

/** The read model at `databaseUrl`, migrated, with the demo school and the 2024 autumn template and calendar. */
export async function demoReadModel(databaseUrl: string): Promise<{ db: Knex; store: Store; template: Template }> {
  const db = createKnex({ databaseUrl });
  await migrateLatest(db);
  const store = createStore(db);
  await seedDemoSchool(store);
  const { template } = await registerAutumn(store);
  return { db, store, template };
}

export interface AppStack {
  db: Knex;
  store: Store;
  template: Template;
  /** the app's own client */
  client: Client;
  /** the environment of the app's worker and web processes */
  env: NodeJS.ProcessEnv;
  /** closes the client's connection and the read model */
  close(): Promise<void>;
}

/**
 * The app side of a test of several app processes on one PostgreSQL read model: keys of this run,
 * the read model at `databaseUrl` (demoReadModel), the environment of its worker and web processes
 * (appEnv, NODE_ENV test, the demo school), and the app's own client on the server at `address`.
 */
export async function appStack(o: {
  label: string;
  databaseUrl: string;
  address: string;
  queue: string;
  dir: string;
  extra?: Record<string, string>;
  unset?: string[];
}): Promise<AppStack> {
  const keys = runKeys(o.label);
  const { db, store, template } = await demoReadModel(o.databaseUrl);
  const env = appEnv({
    keys,
    database: { DATABASE_URL: o.databaseUrl },
    address: o.address,
    queue: o.queue,
    dir: o.dir,
    extra: { NODE_ENV: 'test', SCHOOL_ID: DEMO_SCHOOL.id, ...o.extra },
    unset: o.unset,
  });
  const { connection, client } = await connectApp(o.address, db);
  return {
    db,
    store,
    template,
    client,
    env,
    async close() {
      try {
        await connection.close();
      } finally {
        await db.destroy();
      }
    },
  };
}

/** Creates the demo school's semester `id` on the 2024 autumn template and calendar; with `status`, sets it so (started now). */
export async function demoSemester(
  store: Store,
  template: { id: string; version: number },
  id: string,
  o: { taskModel?: 'per-task' | 'ladder'; status?: 'running' | 'closed'; startedAt?: number } = {},
): Promise<string> {
  await createSemester(store, {
    id,
    schoolId: DEMO_SCHOOL.id,
    templateId: template.id,
    templateVersion: template.version,
    calendarId: '2024-autumn',
    taskModel: o.taskModel,
  });
  if (o.status) await store.setSemesterStatus(id, o.status, { startedAt: o.startedAt ?? Date.now() });
  return id;
}

type Instants = { openAt: number; remindAts: number[]; dueAt: number; level2At: number };

/** A task workflow's input: a one-off counsellor's task of `templateTaskId` in October that a note completes. */
export const noteTaskInput = (o: {
  semesterId: string;
  collegeId: string;
  templateTaskId: string;
  title: { zh: string; en: string };
  instants: Instants;
}): TaskInput => ({
  taskId: `task.${o.semesterId}.${o.collegeId}.${o.templateTaskId}`,
  semesterId: o.semesterId,
  collegeId: o.collegeId,
  templateTaskId: o.templateTaskId,
  occurrence: null,
  month: '2024-10',
  kind: 'once',
  ownerRole: 'counsellor',
  titleZh: o.title.zh,
  titleEn: o.title.en,
  evidence: evidenceSchema.parse({ note: 'required' }),
  ...o.instants,
});

/**
 * One college's ladder (the 'ladder' task model) over occurrences n0, n1, … of one monthly
 * counsellor's task that a note completes, at the given instants: their planned rows written,
 * then the ladder started with that plan.
 */
export async function startLadderOver(o: {
  client: Client;
  store: Store;
  queue: string;
  semesterId: string;
  collegeId: string;
  templateTaskId: string;
  title: { zh: string; en: string };
  instants: Instants[];
  endsAt: number;
}): Promise<LadderPlanTask[]> {
  const { semesterId, collegeId, templateTaskId } = o;
  const tasks = o.instants.map((at, i) => ({
    taskId: `task.${semesterId}.${collegeId}.${templateTaskId}.n${i}`,
    templateTaskId,
    ownerRole: 'counsellor' as const,
    ...at,
  }));
  await o.store.upsertPlannedTasks(
    tasks.map((t, i) => ({
      id: t.taskId,
      semesterId,
      collegeId,
      templateTaskId,
      occurrence: `n${i}`,
      month: '2024-10',
      kind: 'monthly' as const,
      ownerRole: t.ownerRole,
      titleZh: o.title.zh,
      titleEn: o.title.en,
      openAt: t.openAt,
      dueAt: t.dueAt,
    })),
  );
  const evidence = { [templateTaskId]: evidenceSchema.parse({ note: 'required' }) };
  const input: CollegeLadderInput = { semesterId, collegeId, plan: { endsAt: o.endsAt, evidence, tasks } };
  await o.client.workflow.start('collegeLadderWorkflow', {
    args: [input],
    taskQueue: o.queue,
    workflowId: collegeLadderWorkflowId(semesterId, collegeId),
  });
  return tasks;
}

/** The app's own client (signed starts and Updates, encrypted payloads) on the server at `address`. */
export async function connectApp(address: string, knex: Knex): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect({ address });
  // as the web and the worker: a student's care workflows in the student's own key (codec/student-keys.ts)
  const keys = loadCodecKeys();
  const client = appClient(
    { connection, namespace: 'default', dataConverter: codecDataConverter(keys, createStudentKeyring(knex, keys)) },
    await loadIntegrity(knex),
  );
  return { connection, client };
}

/** Signs in over HTTP; the cookie and CSRF token for state-changing calls. */
export async function signIn(
  base: string,
  username: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${username}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (!cookie) throw new Error(`sign-in as ${username} set no session cookie`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

// ---------------------------------------------------------------------------------------------
// What a task leaves behind once it ran its whole ladder (two reminders), its worker killed or not

/** Its audit steps and their instants, in order. */
export const wholeLadderSteps = (t: Instants) => [
  ['opened', t.openAt],
  ['reminded', t.remindAts[0]],
  ['reminded', t.remindAts[1]],
  ['overdue', t.dueAt],
  ['escalated', t.level2At],
];

/** The kinds of its notices in each inbox, by the counsellor's, the college leader's and the school admin's. */
export const WHOLE_LADDER_INBOXES = {
  counsellor: ['escalation_l1', 'opened', 'reminder', 'reminder'],
  'college-leader': ['escalation_l1'],
  admin: ['escalation_l2'],
};

/** The kinds of the task's notices (sorted) in the inboxes of `users`: 'admin', or a role of the task's college ('class-teacher'). */
export async function inboxKinds(
  store: Store,
  t: { taskId: string; collegeId: string },
  users: string[],
): Promise<Record<string, string[]>> {
  const kinds = async (user: string) =>
    (await store.listNotifications(user === 'admin' ? user : `${t.collegeId}-${user}`))
      .filter((n) => n.subjectId === t.taskId)
      .map((n) => n.kind)
      .sort();
  return Object.fromEntries(await Promise.all(users.map(async (u) => [u, await kinds(u)] as const)));
}
