/**
 * npm start: the whole service on one machine.
 *  1. validates the checklist and calendar files (a broken file stops the start, naming file and field);
 *  2. unless TEMPORAL_ADDRESS is set, starts the Temporal dev server (temporal-dev.sh);
 *  3. migrates the database and seeds the demo school with the 2024 autumn checklist and its roster;
 *  4. runs the worker and the web server, starts the demo semester (a no-op when it runs) and gives
 *     the demo student a care history (scripts/demo-records.ts).
 * Ctrl-C stops every child cleanly; a second start reuses data/ (workflows and database).
 * A worker or web process that exits on its own is started again alone, after a backoff (1 s,
 * doubling to at most 30 s; back to 1 s once it has run for a minute); the others keep running.
 * Only the Temporal dev server's exit stops everything (nothing works without it).
 */
import { codecDataConverter, loadCodecKeys } from '../codec/aes-gcm';
import { createStudentKeyring } from '../codec/student-keys';
import { appClient, loadIntegrity } from '../codec/signing';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { createKnex, describeDb, migrateLatest } from '../db/knex';
import { DEMO_PASSWORD, DEMO_STUDENT } from '../db/demo';
import { createStore } from '../db/store';
import { DataFileError, loadCalendarFile, loadTemplateFile } from '../domain/load';
import { dbOptions, loadConfig, ROOT } from '../server/platform/config/config';
import { startSemester } from '../server/features/semesters/use-cases/start';
import { applySchedules } from '../schedules/apply';
import { scheduleDefinitions } from '../schedules/definitions';
import { DEMO_CALENDAR_FILE, DEMO_TEMPLATE_FILE, seedDemo } from './demo';
import { seedDemoCareHistory, seedDemoRoster } from './demo-records';
import { applySecretFiles } from '../server/platform/config/secret-files';

interface Child {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  proc: ChildProcess;
  /** started again on its own after an exit (worker, web) */
  restart: boolean;
  startedAt: number;
  /** exits in a row without a stable run between them (the backoff's exponent) */
  failures: number;
  timer?: NodeJS.Timeout;
}

const children: Child[] = [];
let stopping = false;

/** first restart delay, doubled per exit in a row, at most RESTART_MAX_MS; a run of RESTART_STABLE_MS resets it */
const RESTART_BASE_MS = 1000;
const RESTART_MAX_MS = 30_000;
const RESTART_STABLE_MS = 60_000;

function restartDelayMs(failures: number): number {
  return Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** Math.max(0, failures));
}

function launch(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  opts: { restart?: boolean } = {},
): ChildProcess {
  const child: Child = {
    name,
    command,
    args,
    env,
    proc: undefined as unknown as ChildProcess,
    restart: opts.restart ?? false,
    startedAt: 0,
    failures: 0,
  };
  children.push(child);
  return spawnChild(child);
}

function spawnChild(child: Child): ChildProcess {
  const { name } = child;
  const proc = spawn(child.command, child.args, { cwd: ROOT, env: child.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.proc = proc;
  child.startedAt = Date.now();
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => `[${name}] ${l}\n`)
      .join('');
  proc.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
  proc.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    if (!child.restart) {
      console.error(`start: ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
      void shutdown(1);
      return;
    }
    if (Date.now() - child.startedAt >= RESTART_STABLE_MS) child.failures = 0;
    const delay = restartDelayMs(child.failures++);
    console.error(
      `start: ${name} exited unexpectedly (${signal ?? `code ${code}`}); restarting it in ${delay / 1000} s (exit ${child.failures} in a row); the other processes keep running`,
    );
    child.timer = setTimeout(() => {
      child.timer = undefined;
      if (stopping) return;
      const p = spawnChild(child);
      console.error(`start: ${name} restarted (pid ${p.pid})`);
    }, delay);
  });
  return proc;
}

async function waitForExit(proc: ChildProcess, ms: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve();
    }, ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Stops children in reverse start order: web and worker first, the Temporal server last. */
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const c of children) clearTimeout(c.timer);
    for (const { name, proc } of [...children].reverse()) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await waitForExit(proc, 15_000);
        console.log(`start: ${name} stopped`);
      }
    }
  }
  process.exit(code);
}

async function waitForTemporal(address: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const c = await Connection.connect({ address, connectTimeout: '2s' });
      await c.close();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(
    `Temporal at ${address} did not answer within ${ms / 1000} s: ${last instanceof Error ? last.message : String(last)}`,
  );
}

async function run(): Promise<void> {
  // the children read the same *_FILE variables themselves: they get the environment as given
  const given: NodeJS.ProcessEnv = { ...process.env };
  applySecretFiles(process.env);
  const config = loadConfig();
  const templateFile = process.env.DEMO_TEMPLATE_FILE ?? DEMO_TEMPLATE_FILE;
  const calendarFile = process.env.DEMO_CALENDAR_FILE ?? DEMO_CALENDAR_FILE;
  // 1. data files first: a broken file must stop the start before anything runs
  loadTemplateFile(templateFile);
  loadCalendarFile(calendarFile);

  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  // 2. Temporal
  const ownTemporal = !process.env.TEMPORAL_ADDRESS;
  const env: NodeJS.ProcessEnv = { ...given, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS };
  if (ownTemporal) {
    const [host, port] = config.TEMPORAL_ADDRESS.split(':') as [string, string];
    // the Web UI decodes payloads through the app's authenticated codec endpoint
    const codecEndpoint = `http://${config.HOST}:${config.PORT}/codec`;
    launch('temporal', 'bash', [path.join(ROOT, 'temporal-dev.sh')], {
      ...given,
      TEMPORAL_IP: host,
      TEMPORAL_PORT: port,
      TEMPORAL_UI_PORT: String(config.TEMPORAL_UI_PORT),
      TEMPORAL_CODEC_ENDPOINT: codecEndpoint,
    });
  }
  await waitForTemporal(config.TEMPORAL_ADDRESS, 90_000);

  // 3. database and demo school
  const opts = dbOptions(config);
  const db = createKnex(opts);
  let semesterId: string;
  let accounts: Awaited<ReturnType<typeof seedDemo>>['accounts'];
  try {
    await migrateLatest(db);
    ({ semesterId, accounts } = await seedDemo(createStore(db), { templateFile, calendarFile }));
    accounts.push(...(await seedDemoRoster({ store: createStore(db), knex: db })));
    console.log(`start: database ${describeDb(opts)} migrated; demo school seeded`);

    // 4. worker, web, demo semester
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    launch('worker', tsx, [path.join(ROOT, 'server', 'worker.ts')], env, { restart: true });
    launch('web', tsx, [path.join(ROOT, 'server', 'web.ts')], env, { restart: true });
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    const codecKeys = loadCodecKeys();
    try {
      const client = appClient(
        {
          connection,
          namespace: config.TEMPORAL_NAMESPACE,
          dataConverter: codecDataConverter(codecKeys, createStudentKeyring(db, codecKeys)),
        },
        await loadIntegrity(db),
      );
      const store = createStore(db);
      const { workflowId } = await startSemester(client, store, semesterId, config.TEMPORAL_TASK_QUEUE);
      console.log(`start: semester ${semesterId} runs as workflow ${workflowId}`);
      const school = await store.getSchool(config.SCHOOL_ID);
      if (school) {
        const applied = await applySchedules(
          client,
          scheduleDefinitions({ schoolId: school.id, timezone: school.timezone }, config.TEMPORAL_TASK_QUEUE),
        );
        console.log(`start: schedules ${applied.map((a) => `${a.scheduleId} (${a.outcome})`).join(', ')}`);
      }
      await demoCareHistory(() =>
        seedDemoCareHistory({ store, knex: db, client, taskQueue: config.TEMPORAL_TASK_QUEUE }),
      );
    } finally {
      await connection.close();
    }
  } finally {
    await db.destroy();
  }

  console.log(
    `start: dashboard http://${config.HOST}:${config.PORT}  ·  Temporal Web UI ${config.TEMPORAL_UI_URL}  ·  Ctrl-C stops everything`,
  );
  if (config.NODE_ENV === 'development') {
    console.log(`start: demo accounts (development only), password "${DEMO_PASSWORD}":`);
    for (const a of accounts) console.log(`    ${a.username.padEnd(34)} ${a.role.padEnd(17)} ${a.college ?? '学校'}`);
  }
}

/** The demo student's care history: its interview waits for the worker (at most 90 s); a failure only postpones it to the next start. */
async function demoCareHistory(seed: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the worker did not answer within 90 s')), 90_000);
  });
  try {
    await Promise.race([seed(), late]);
    console.log(`start: demo student ${DEMO_STUDENT.studentNo} ${DEMO_STUDENT.name} has a care history (/archives)`);
  } catch (e) {
    console.log(
      `start: the demo care history is not complete (${e instanceof Error ? e.message : String(e)}); the next start completes it`,
    );
  } finally {
    clearTimeout(timer);
  }
}

run().catch((err) => {
  if (err instanceof DataFileError) console.error(`start: refused: ${err.message}`);
  else console.error('start failed:', err instanceof Error ? err.message : err);
  void shutdown(1);
});
