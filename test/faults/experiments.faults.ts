/**
 * The fault suite (issue 15, part 4): `npm run test:faults`. Real receivers (an SMTP server and
 * an HTTP webhook in this process), real processes (a Temporal dev server, the app's worker and
 * two web servers as child processes, as scripts/start.ts and the replicas test start them), and
 * a throw-away PostgreSQL cluster as the read model (so it may be stopped).
 *
 * Each delivery experiment starts a burst in both task models: FAULTS_TASKS (12 unless set)
 * per-task workflows and as many tasks on one college's ladder (the default model; 4 per
 * instant), each opening, reminding twice, going overdue and escalating within ~10 s (about 11
 * messages per task on the two channels), and injects its fault mid-burst:
 * - worker-kill: of three worker replicas, two `kill -9` during the burst, 2 s apart, each while a
 *   send is in flight; each is restarted, the third carries on;
 * - temporal-kill: the Temporal dev server `kill -9`, restarted on the same state file;
 * - pg-outage: PostgreSQL stopped for FAULTS_PG_OUTAGE_MS (30 s);
 * - smtp-outage: the SMTP receiver down for FAULTS_SMTP_OUTAGE_MS (60 s; a shorter value is
 *   printed as such on the RESULT line's NOTE);
 * - web-kill: a web server `kill -9` while completions of both models' tasks are in flight; every
 *   client retries on the other web server with the same Idempotency-Key.
 *
 * Each prints `RESULT fault=… lost=… duplicated=… in_flight_at_fault=… recovery_ms=…` and fails on
 * any loss, on more duplicates than sends in flight at a kill (rows `sending` in the outbox at
 * the moment of the kill), on any duplicate after an outage, and on a recovery of 30 s or more.
 * Recovery: until the last message (or completion answer) that was missing arrives, counted after
 * a kill (worker, Temporal server, web server) from the (last) kill itself, so the replacement's
 * start counts; after an outage from the moment the database or receiver accepts again.
 * FAULTS_ONLY=worker-kill,pg-outage runs a subset.
 */
import { noteAlone } from '../helpers/tasks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_COLLEGES, DEMO_PASSWORD } from '../../db/demo';
import { createKnex } from '../../db/knex';
import { loadTemplateFile } from '../../domain/load';
import { messageIdFor } from '../../notifications/email';
import { deliveryKey } from '../../notifications/outbox';
import { taskWorkflow } from '../../workflows';
import { type TaskInput } from '../../contracts';
import {
  appStack,
  demoSemester,
  noteTaskInput,
  startLadderOver,
  startWeb as startWebProc,
  type AppStack,
} from '../helpers/processes';
import {
  countByKey,
  firstAt,
  killAll,
  killHard,
  msFromEnv,
  ROOT,
  sleep,
  startApp,
  startPgCluster,
  startReceivers,
  startTemporal,
  until,
  type PgCluster,
  type Proc,
  type Receivers,
  type TemporalServer,
} from './harness';

const TEMPLATE_FILE = path.join(ROOT, 'checklists', 'runxin-2024-autumn.json');
const FROM = '心理健康工作督办 <noreply@faults.example.cn>';
const TITLE = { zh: '故障测试任务', en: 'Fault suite task' };
const QUEUE = 'faults';
const RECOVERY_LIMIT_MS = 30_000;
const TASKS = msFromEnv('FAULTS_TASKS', 12);
const PG_OUTAGE_MS = msFromEnv('FAULTS_PG_OUTAGE_MS', 30_000);
const SMTP_OUTAGE_MS = msFromEnv('FAULTS_SMTP_OUTAGE_MS', 60_000);
/** how long the SMTP receiver takes to accept a message: a kill can land while sends are in flight */
const SMTP_DELAY_MS = 150;
const FAULTS = ['worker-kill', 'temporal-kill', 'pg-outage', 'smtp-outage', 'web-kill'] as const;
type Fault = (typeof FAULTS)[number];
const ONLY = (process.env.FAULTS_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const f of ONLY)
  if (!(FAULTS as readonly string[]).includes(f))
    throw new Error(`FAULTS_ONLY: unknown fault "${f}" (one of ${FAULTS.join(', ')})`);
const runs = (f: Fault) => ONLY.length === 0 || ONLY.includes(f);

let pg: PgCluster;
let temporal: TemporalServer;
let receivers: Receivers;
let app: AppStack;
let dir = '';
/** three worker replicas, as a deployment may run them (the replicas test runs two) */
const workers: Proc[] = [];
const webs: Record<'a' | 'b', { proc: Proc; base: string }> = {} as never;
const results: string[] = [];
const started = Date.now();

const startWorker = (name: string) => startApp(name, 'worker.ts', 'worker: polling', app.env);
const startWeb = (name: string) => startWebProc(name, app.env);

beforeAll(async () => {
  const t = Date.now();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-faults-'));
  [pg, temporal, receivers] = await Promise.all([
    startPgCluster(),
    startTemporal(),
    startReceivers({ smtpDelayMs: SMTP_DELAY_MS }),
  ]);
  const admin = createKnex({ databaseUrl: pg.url });
  await admin.raw('create database faults');
  await admin.destroy();
  const databaseUrl = pg.url.replace(/\/postgres$/, '/faults');

  app = await appStack({
    label: 'faults',
    databaseUrl,
    address: temporal.address,
    queue: QUEUE,
    dir,
    extra: {
      SMTP_URL: receivers.smtpUrl,
      SMTP_FROM: FROM,
      WEBHOOK_URL: receivers.webhookUrl,
      WEBHOOK_KIND: 'wecom',
    },
    unset: ['TASK_MODEL', 'WEBHOOK_SECRET', 'WORKER_HEALTH_PORT'],
  });
  const needWeb = runs('web-kill');
  const [w1, w2, w3, a, b] = await Promise.all([
    startWorker('worker-1'),
    startWorker('worker-2'),
    startWorker('worker-3'),
    needWeb ? startWeb('web-a') : undefined,
    needWeb ? startWeb('web-b') : undefined,
  ]);
  workers.push(w1, w2, w3);
  if (a && b) Object.assign(webs, { a, b });
  console.log(
    `faults: set up in ${Date.now() - t} ms (PostgreSQL cluster on port ${pg.port}, Temporal at ${temporal.address}, ${TASKS} tasks per burst)`,
  );
}, 300_000);

afterAll(async () => {
  await killAll();
  await app?.close().catch(() => undefined);
  await receivers?.close().catch(() => undefined);
  await temporal?.destroy().catch(() => undefined);
  await pg?.destroy().catch(() => undefined);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    `faults: ${results.length} experiment(s) in ${Math.round((Date.now() - started) / 1000)} s\n${results.join('\n')}`,
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------
// The burst

/** Template tasks a note alone completes, so the same tasks serve the completion experiment. */
const noteOnly = loadTemplateFile(TEMPLATE_FILE)
  .data.tasks.filter((t) => noteAlone(t.evidence))
  .map((t) => t.id);

const semester = (fault: Fault, taskModel: 'per-task' | 'ladder' = 'per-task') =>
  demoSemester(app.store, app.template, taskModel === 'ladder' ? `faults-${fault}-ladder` : `faults-${fault}`, {
    taskModel,
    status: 'running',
  });

/** `n` tasks of the semester over the demo colleges; instants relative to t0 (ms), 150 ms apart. */
function burst(
  semesterId: string,
  n: number,
  at: (i: number) => Pick<TaskInput, 'openAt' | 'remindAts' | 'dueAt' | 'level2At'>,
): TaskInput[] {
  const colleges = DEMO_COLLEGES.map((c) => c.id);
  if (n > colleges.length * noteOnly.length)
    throw new Error(`FAULTS_TASKS: at most ${colleges.length * noteOnly.length} tasks`);
  return Array.from({ length: n }, (_, i) => {
    const collegeId = colleges[i % colleges.length]!;
    const templateTaskId = noteOnly[Math.floor(i / colleges.length)]!;
    return noteTaskInput({ semesterId, collegeId, templateTaskId, title: TITLE, instants: at(i) });
  });
}

async function startTasks(tasks: TaskInput[]): Promise<void> {
  for (const t of tasks)
    await app.client.workflow.start(taskWorkflow, { args: [t], taskQueue: QUEUE, workflowId: t.taskId });
}

/** the tasks of an experiment: its per-task semester `faults-<fault>` and its ladder semester `faults-<fault>-ladder` */
const prefix = (family: string) => `task.${family}%`;

/**
 * One college's ladder (the 'ladder' task model) over `n` tasks of the semester, 4 tasks per
 * instant, so each wake delivers several events in one activity.
 */
async function startLadder(
  semesterId: string,
  n: number,
  at: (i: number) => Pick<TaskInput, 'openAt' | 'remindAts' | 'dueAt' | 'level2At'>,
): Promise<Array<{ taskId: string; collegeId: string }>> {
  const collegeId = DEMO_COLLEGES[0]!.id;
  const instants = Array.from({ length: n }, (_, i) => at(i));
  const tasks = await startLadderOver({
    client: app.client,
    store: app.store,
    queue: QUEUE,
    semesterId,
    collegeId,
    templateTaskId: noteOnly[0]!,
    title: TITLE,
    instants,
    endsAt: Math.min(...instants.map((t) => t.openAt)) + 3_600_000,
  });
  return tasks.map((t) => ({ taskId: t.taskId, collegeId }));
}

/** Outbox rows being sent right now (claimed, not yet marked): id@claimed_at. */
async function sendingNow(semesterId: string): Promise<string[]> {
  const rows = (await app
    .db('notification_deliveries')
    .where('status', 'sending')
    .where('event_key', 'like', prefix(semesterId))
    .select('id', 'claimed_at')) as Array<{ id: number; claimed_at: string | number }>;
  return rows.map((r) => `${r.id}@${r.claimed_at}`);
}

/** What the receivers must hold for the semester's recorded events, by idempotency key. */
async function expectedKeys(semesterId: string): Promise<{ mails: Set<string>; posts: Set<string> }> {
  const notes = (await app
    .db('notifications as n')
    .join('users as u', 'u.id', 'n.recipient_user_id')
    .where('n.channel', 'inbox')
    .where('n.event_key', 'like', prefix(semesterId))
    .select('n.id', 'n.event_key', 'u.email', 'u.active')) as Array<{
    id: number;
    event_key: string;
    email: string | null;
    active: unknown;
  }>;
  const mails = new Set<string>();
  const posts = new Set<string>();
  for (const n of notes) {
    posts.add(deliveryKey(`webhook:${n.event_key}`));
    const active = n.active === true || n.active === 1 || n.active === '1';
    if (n.email?.trim() && active) mails.add(messageIdFor(n.event_key, Number(n.id), FROM));
  }
  return { mails, posts };
}

/** The idempotency keys (Message-ID, robot key) of outbox rows. */
async function keysOfRows(ids: number[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = (await app
    .db('notification_deliveries')
    .whereIn('id', ids)
    .select('channel', 'dedupe_key', 'event_key', 'notification_id')) as Array<{
    channel: string;
    dedupe_key: string;
    event_key: string;
    notification_id: number;
  }>;
  return new Set(
    rows.map((r) =>
      r.channel === 'email' ? messageIdFor(r.event_key, Number(r.notification_id), FROM) : deliveryKey(r.dedupe_key),
    ),
  );
}

const mailsOf = (semesterId: string) => receivers.mails.filter((m) => m.key.includes(semesterId)).length;

interface FaultOutcome {
  /** when the failed part was back */
  backAt: number;
  /** when the (last) fault struck */
  faultAt: number;
  /** every kill, when there were several: recovery counts from the last one before the last missing message */
  kills?: number[];
  /** sends in flight at the fault (outbox rows `sending`, each claim once) */
  inFlight: number;
  /** the outbox rows (id@claimed_at) in flight at a kill: the only ones that may arrive twice */
  inFlightRows?: string[];
  note?: string;
}

function report(
  fault: Fault,
  r: { lost: number; duplicated: number; inFlight: number; recoveryMs: number },
  note?: string,
): string {
  const line = `RESULT fault=${fault} lost=${r.lost} duplicated=${r.duplicated} in_flight_at_fault=${r.inFlight} recovery_ms=${r.recoveryMs}`;
  results.push(note ? `${line}\nNOTE fault=${fault} ${note}` : line);
  console.log(note ? `${line}\nNOTE fault=${fault} ${note}` : line);
  return line;
}

/**
 * Runs a burst with `inject` working against it, waits until every planned step is recorded and
 * every message arrived (or 120 s), gives duplicates a few seconds to show, and counts.
 */
/**
 * kind 'kill' (a worker): duplicates only of sends in flight at a kill; 'outage' (Temporal, the
 * database, SMTP): none at all. recoveryFrom: the fault itself (kills) or the end of the outage.
 */
async function deliveryExperiment(
  fault: Fault,
  inject: (semesterId: string) => Promise<FaultOutcome>,
  kind: 'kill' | 'outage',
  recoveryFrom: 'fault' | 'back' = kind === 'kill' ? 'fault' : 'back',
) {
  const semesterId = await semester(fault);
  const ladderSemesterId = await semester(fault, 'ladder');
  const t0 = Date.now() + 2000;
  const tasks = burst(semesterId, TASKS, (i) => {
    const d = t0 + i * 150;
    return { openAt: d, remindAts: [d + 2000, d + 4000], dueAt: d + 6000, level2At: d + 8000 };
  });
  const steps = tasks.length * 5 * 2; // opened, reminded ×2, overdue, escalated; in both models
  await startTasks(tasks);
  await startLadder(ladderSemesterId, TASKS, (i) => {
    const d = t0 + Math.floor(i / 4) * 150;
    return { openAt: d, remindAts: [d + 2000, d + 4000], dueAt: d + 6000, level2At: d + 8000 };
  });
  const outcome = await inject(semesterId);

  const recorded = async () =>
    Number(
      (
        (await app
          .db('audit_events')
          .where({ subject_type: 'task' })
          .where('subject_id', 'like', prefix(semesterId))
          .count({ n: '*' })
          .first()) as { n: string | number }
      ).n,
    );
  const unsent = async () =>
    Number(
      (
        (await app
          .db('notification_deliveries')
          .whereNot('status', 'sent')
          .where('event_key', 'like', prefix(semesterId))
          .count({ n: '*' })
          .first()) as { n: string | number }
      ).n,
    );
  const complete = async () => {
    if ((await recorded()) < steps) return false;
    const exp = await expectedKeys(semesterId);
    const mails = countByKey(receivers.mails);
    const posts = countByKey(receivers.posts);
    return (
      [...exp.mails].every((k) => mails.has(k)) && [...exp.posts].every((k) => posts.has(k)) && (await unsent()) === 0
    );
  };
  const timedOut = await until(`every step and message of ${fault}`, complete, 120_000, 250).then(
    () => '',
    (e: Error) => e.message,
  );
  await sleep(3000); // room for a late duplicate (a stale claim taken over, a retried activity)

  const exp = await expectedKeys(semesterId);
  const mails = countByKey(receivers.mails);
  const posts = countByKey(receivers.posts);
  const missingSteps = Math.max(0, steps - (await recorded()));
  const missingMails = [...exp.mails].filter((k) => !mails.has(k));
  const missingPosts = [...exp.posts].filter((k) => !posts.has(k));
  const dup = (expected: Set<string>, counts: Map<string, number>) =>
    [...expected].reduce((s, k) => s + Math.max(0, (counts.get(k) ?? 0) - 1), 0);
  const duplicated = dup(exp.mails, mails) + dup(exp.posts, posts);
  const lost = missingSteps + missingMails.length + missingPosts.length;
  const firstMail = firstAt(receivers.mails);
  const firstPost = firstAt(receivers.posts);
  const last = Math.max(
    ...[...exp.mails].map((k) => firstMail.get(k) ?? 0),
    ...[...exp.posts].map((k) => firstPost.get(k) ?? 0),
  );
  // after a kill from the kill itself (the issue's measure: the replacement's start counts); after an outage from its end
  const from =
    recoveryFrom === 'back'
      ? outcome.backAt
      : Math.max(
          ...(outcome.kills ?? [outcome.faultAt]).filter((k) => k <= last),
          Math.min(...(outcome.kills ?? [outcome.faultAt])),
        );
  const recoveryMs = Math.max(0, last - from);
  const messages = exp.mails.size + exp.posts.size;
  const line = report(
    fault,
    { lost, duplicated, inFlight: outcome.inFlight, recoveryMs },
    `${tasks.length} per-task + ${TASKS} ladder tasks, ${steps} steps, ${exp.mails.size} e-mails + ${exp.posts.size} robot messages; last missing message ${last - outcome.faultAt} ms after the (last) fault struck, ${last - outcome.backAt} ms after the failed part was back${outcome.note ? `; ${outcome.note}` : ''}`,
  );

  if (process.env.FAULTS_DEBUG) {
    const rows = (await app
      .db('notification_deliveries')
      .where('event_key', 'like', prefix(semesterId))
      .select(
        'id',
        'channel',
        'event_key',
        'notification_id',
        'dedupe_key',
        'attempts',
        'created_at',
        'sent_at',
      )) as Array<Record<string, string | number>>;
    const at = (r: Record<string, string | number>) =>
      (r.channel === 'email'
        ? firstMail.get(messageIdFor(String(r.event_key), Number(r.notification_id), FROM))
        : firstPost.get(deliveryKey(String(r.dedupe_key)))) ?? 0;
    const base = outcome.faultAt;
    for (const r of rows.sort((x, y) => at(y) - at(x)).slice(0, 8))
      console.log(
        `DEBUG ${r.channel} ${r.event_key} attempts=${r.attempts} created=+${Number(r.created_at) - base} received=+${at(r) - base}`,
      );
    const audit = (await app
      .db('audit_events')
      .where('subject_id', 'like', prefix(semesterId))
      .orderBy('id', 'desc')
      .limit(5)
      .select('event_key', 'at', 'id')) as Array<{ event_key: string; at: number }>;
    console.log(`DEBUG back=+${outcome.backAt - base} last audit rows ${audit.map((x) => x.event_key).join(' ')}`);
  }
  // each duplicate must be a send in flight at a kill: its row was `sending` then
  const dupKeys = [
    ...[...exp.mails].filter((k) => (mails.get(k) ?? 0) > 1),
    ...[...exp.posts].filter((k) => (posts.get(k) ?? 0) > 1),
  ];
  const inFlightKeys = await keysOfRows((outcome.inFlightRows ?? []).map((r) => Number(r.split('@')[0])));
  const strayDuplicates = dupKeys.filter((k) => !inFlightKeys.has(k));
  const detail = `${line}\n${timedOut}\nmissing steps ${missingSteps}, e-mails ${missingMails.slice(0, 3).join(' ')}, robot ${missingPosts.slice(0, 3).join(' ')}; unsent rows ${await unsent()}\n${workers.map((w) => `[${w.name}] ${w.output().slice(-1000)}`).join('\n')}`;
  expect(messages, 'the burst sent messages').toBeGreaterThan(0);
  expect(receivers.badPosts, 'robot messages carry their key in the header and the body').toEqual([]);
  expect(lost, detail).toBe(0);
  if (kind === 'kill') {
    expect(
      duplicated,
      `${detail}\nduplicates beyond the ${outcome.inFlight} sends in flight at the kills`,
    ).toBeLessThanOrEqual(outcome.inFlight);
    expect(strayDuplicates, `${detail}\nduplicates of messages that were not in flight at a kill`).toEqual([]);
  } else expect(duplicated, `${detail}\nany duplicate after an outage`).toBe(0);
  expect(recoveryMs, detail).toBeLessThan(RECOVERY_LIMIT_MS);
}

/** Waits (at most `ms`) until the outbox is sending something of the semester: the moment to strike. */
async function midSend(semesterId: string, ms: number): Promise<void> {
  await until('a send in flight', async () => (await sendingNow(semesterId)).length > 0, ms, 20).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------

describe('fault experiments: real receivers, real processes, PostgreSQL read model', () => {
  test.runIf(runs('worker-kill'))(
    'worker-kill: two of three worker replicas are killed with SIGKILL mid-burst; nothing is lost and only sends in flight at a kill may arrive twice',
    async () => {
      const replacements: Array<Promise<void>> = [];
      await deliveryExperiment(
        'worker-kill',
        async (semesterId) => {
          const inFlight = new Set<string>();
          // two of the three replicas die during the burst, 2 s apart, each while a send is in flight;
          // the third carries on while their replacements start
          await until('messages arriving', () => mailsOf(semesterId) >= 6, 30_000, 20);
          const kills: number[] = [];
          for (const n of [1, 2]) {
            if (n === 2) await sleep(2000);
            await midSend(semesterId, 5000);
            const killAt = Date.now();
            kills.push(killAt);
            await killHard(workers.shift()!);
            for (const s of await sendingNow(semesterId)) inFlight.add(s);
            replacements.push(
              startWorker(`worker-${n + 3}`).then((w) => {
                workers.push(w);
                console.log(`NOTE fault=worker-kill kill ${n}: replacement polling after ${Date.now() - killAt} ms`);
              }),
            );
          }
          return {
            backAt: kills[1]!,
            faultAt: kills[1]!,
            kills,
            inFlight: inFlight.size,
            inFlightRows: [...inFlight],
            note: `2 of 3 worker replicas killed ${kills[1]! - kills[0]!} ms apart; in flight: outbox rows sending at the kills, the surviving worker's included`,
          };
        },
        'kill',
      );
      await Promise.all(replacements);
    },
    300_000,
  );

  test.runIf(runs('temporal-kill'))(
    'temporal-kill: the Temporal server is killed with SIGKILL and restarted on its state file; nothing is lost or sent twice',
    async () => {
      await deliveryExperiment(
        'temporal-kill',
        async (semesterId) => {
          await until('messages arriving', () => mailsOf(semesterId) >= 6, 30_000, 20);
          await midSend(semesterId, 8000);
          const killAt = Date.now();
          await temporal.kill();
          const inFlight = (await sendingNow(semesterId)).length;
          await temporal.start();
          const backAt = Date.now();
          return {
            backAt,
            faultAt: killAt,
            inFlight,
            note: `server answering again ${backAt - killAt} ms after the kill`,
          };
        },
        'outage',
        'fault',
      );
    },
    300_000,
  );

  test.runIf(runs('pg-outage'))(
    `pg-outage: PostgreSQL is stopped for ${PG_OUTAGE_MS / 1000} s mid-burst; nothing is lost or sent twice`,
    async () => {
      await deliveryExperiment(
        'pg-outage',
        async (semesterId) => {
          await until('messages arriving', () => mailsOf(semesterId) >= 6, 30_000, 20);
          await midSend(semesterId, 8000);
          const inFlight = (await sendingNow(semesterId)).length;
          const faultAt = Date.now();
          await pg.stop();
          await sleep(PG_OUTAGE_MS);
          await pg.start();
          return {
            backAt: Date.now(),
            faultAt,
            inFlight,
            note: `database down ${PG_OUTAGE_MS} ms${PG_OUTAGE_MS < 30_000 ? ' (SHORTENED by FAULTS_PG_OUTAGE_MS; the issue asks for 30 s)' : ''}`,
          };
        },
        'outage',
      );
    },
    300_000,
  );

  test.runIf(runs('smtp-outage'))(
    `smtp-outage: the SMTP receiver is down for ${SMTP_OUTAGE_MS / 1000} s mid-burst; nothing is lost or sent twice`,
    async () => {
      await deliveryExperiment(
        'smtp-outage',
        async (semesterId) => {
          await until('messages arriving', () => mailsOf(semesterId) >= 6, 30_000, 20);
          const inFlight = (await sendingNow(semesterId)).length;
          const faultAt = Date.now();
          await receivers.smtpDown();
          await sleep(SMTP_OUTAGE_MS);
          const failed = Number(
            (
              (await app
                .db('notification_deliveries')
                .where({ status: 'failed', channel: 'email' })
                .where('event_key', 'like', prefix(semesterId))
                .count({ n: '*' })
                .first()) as { n: string | number }
            ).n,
          );
          await receivers.smtpUp();
          return {
            backAt: Date.now(),
            faultAt,
            inFlight,
            note: `SMTP down ${SMTP_OUTAGE_MS} ms${SMTP_OUTAGE_MS < 60_000 ? ' (SHORTENED by FAULTS_SMTP_OUTAGE_MS; the issue asks for 60 s)' : ''}, ${failed} e-mail rows failed when it came back`,
          };
        },
        'outage',
      );
    },
    300_000,
  );

  test.runIf(runs('web-kill'))(
    'web-kill: a web server is killed with SIGKILL during completions; every client retries with its Idempotency-Key and gets the first result, each completion recorded once',
    async () => {
      const semesterId = await semester('web-kill');
      const ladderSemesterId = await semester('web-kill', 'ladder');
      const t0 = Date.now() + 1000;
      const open = () => ({ openAt: t0, remindAts: [], dueAt: t0 + 3_600_000, level2At: t0 + 7_200_000 });
      const workflows = burst(semesterId, TASKS, open);
      await startTasks(workflows);
      // completions in both task models: task workflows' Updates and the ladder's
      const tasks: Array<{ taskId: string; collegeId: string }> = [
        ...workflows,
        ...(await startLadder(ladderSemesterId, TASKS, open)),
      ];
      const rowsOfBoth = async () => [
        ...(await app.store.listTaskInstances({ semesterId })),
        ...(await app.store.listTaskInstances({ semesterId: ladderSemesterId })),
      ];
      await until(
        'every task open',
        async () => (await rowsOfBoth()).filter((r) => r.status === 'open').length === tasks.length,
        60_000,
        200,
      );

      // one sign-in per college leader, on web A; sessions live in the database, so web B knows them
      const sessions = new Map<string, { cookie: string; csrf: string }>();
      for (const c of new Set(tasks.map((t) => t.collegeId))) {
        const res = await fetch(`${webs.a.base}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: `${c}-college-leader`, password: DEMO_PASSWORD }),
        });
        expect(res.status, await res.clone().text()).toBe(200);
        sessions.set(c, {
          cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!,
          csrf: ((await res.json()) as { csrfToken: string }).csrfToken,
        });
      }
      const complete = async (
        base: string,
        t: { taskId: string; collegeId: string },
      ): Promise<{ status: number; body: string; at: number }> => {
        const s = sessions.get(t.collegeId)!;
        const res = await fetch(`${base}/api/tasks/${encodeURIComponent(t.taskId)}/complete`, {
          method: 'POST',
          headers: {
            cookie: s.cookie,
            'x-csrf-token': s.csrf,
            'content-type': 'application/json',
            'Idempotency-Key': `faults-${t.taskId}`,
          },
          body: JSON.stringify({ note: '故障测试：已完成' }),
        });
        return { status: res.status, body: await res.text(), at: Date.now() };
      };

      // every completion to web A at once; A dies once the first has answered
      const first = tasks.map((t) => complete(webs.a.base, t));
      await Promise.race(first.map((p) => p.catch(() => undefined)));
      const killAt = Date.now();
      await killHard(webs.a.proc);
      const settled = await Promise.allSettled(first);
      const inFlight = settled.filter((s) => s.status === 'rejected').length;

      // every client retries on web B with the same key (an answered one too: it must get the same answer)
      let conflicts = 0;
      let differing = 0;
      let lastAnswer = 0;
      const problems: string[] = [];
      await Promise.all(
        tasks.map(async (t, i) => {
          const before = settled[i]!;
          for (let attempt = 1; ; attempt++) {
            const r = await complete(webs.b.base, t).catch((e: Error) => ({
              status: 0,
              body: e.message,
              at: Date.now(),
            }));
            if (r.status === 200) {
              if (before.status === 'fulfilled') {
                lastAnswer = Math.max(lastAnswer, before.value.at);
                if (before.value.status !== 200 || before.value.body !== r.body) {
                  differing++;
                  problems.push(
                    `${t.taskId}: web A answered ${before.value.status} ${before.value.body.slice(0, 120)}, web B ${r.body.slice(0, 120)}`,
                  );
                }
              } else lastAnswer = Math.max(lastAnswer, r.at);
              return;
            }
            if (r.status === 409) conflicts++;
            if (r.status !== 503 && r.status !== 0) {
              problems.push(`${t.taskId}: retry answered ${r.status} ${r.body.slice(0, 200)}`);
              return;
            }
            if (attempt >= 60) {
              problems.push(`${t.taskId}: still ${r.status} after ${attempt} retries`);
              return;
            }
            await sleep(500);
          }
        }),
      );

      await until(
        'every completion in the read model',
        async () => (await rowsOfBoth()).every((r) => r.status === 'completed'),
        30_000,
        200,
      ).catch(() => undefined);
      await sleep(1000);
      const rows = await rowsOfBoth();
      const completions = (await app
        .db('audit_events')
        .where({ subject_type: 'task' })
        .where('subject_id', 'like', prefix(semesterId))
        .where('action', 'like', 'completed%')
        .select('subject_id')) as Array<{ subject_id: string }>;
      const perTask = countByKey(completions.map((c) => ({ key: c.subject_id, at: 0 })));
      const lost = tasks.filter(
        (t) => rows.find((r) => r.id === t.taskId)?.status !== 'completed' || !perTask.has(t.taskId),
      ).length;
      const duplicated = [...perTask.values()].reduce((s, n) => s + n - 1, 0);
      const recoveryMs = Math.max(0, lastAnswer - killAt);
      const line = report(
        'web-kill',
        { lost, duplicated, inFlight, recoveryMs },
        `${tasks.length} completions (${workflows.length} per-task, ${tasks.length - workflows.length} on a ladder), ${tasks.length - inFlight} answered by web A before the kill, ${inFlight} retried on web B; ${conflicts} answered 409, ${differing} got another answer than the first`,
      );
      expect(problems, line).toEqual([]);
      expect(conflicts, line).toBe(0);
      expect(lost, line).toBe(0);
      // a completion is an Update with the key as its update id: never recorded twice, not even one in flight
      expect(duplicated, line).toBe(0);
      expect(recoveryMs, line).toBeLessThan(RECOVERY_LIMIT_MS);
    },
    300_000,
  );
});
