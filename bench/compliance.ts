/**
 * Latency of store.complianceByCollegeMonth over a full-size read model, by itself and through the
 * web app (the compliance API and page):
 *
 *   npx tsx bench/compliance.ts [--db sqlite|postgres|both] [--colleges 200] [--requests 300]
 *
 * Builds N colleges × the real 2024 autumn plan (54 tasks per college) with a seeded, realistic
 * status mix, inserts it in batches, then times R sequential queries after a warm-up and prints
 * p50/p95/p99/max per database. Then starts the real web app (createApp) over the same database on
 * 127.0.0.1:0, signs in once as the bench school's admin (POST /api/session), and times R sequential
 * requests (after the same warm-up) of GET /api/compliance?semester=ID and GET /?semester=ID (the
 * compliance page) with the session cookie, each response read in full and checked for status 200;
 * the app's clock is the bench's NOW, so it runs the very query timed above. The sizes printed are
 * of the last response. SQLite uses a temp file; PostgreSQL a fresh rx_bench_<random> database on
 * TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test), dropped afterwards,
 * or is skipped with the reason when it cannot be reached. Prints numbers only, asserts nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { createKnex, describeDb, migrateLatest, type DbOptions } from '../db/knex';
import { hashPassword } from '../db/passwords';
import { createStore } from '../db/store';
import { planSemester, type PlannedTask } from '../domain/planner';
import { createApp } from '../server/app';
import { createSemester, registerDataFiles } from '../server/features/semesters/use-cases/setup';
import { pct, PG_ADMIN_URL, pgAdmin, seeded, timed as timedRuns } from './lib';

const ROOT = path.resolve(__dirname, '..');
const SEMESTER = 'bench-2024-autumn';
const SCHOOL = 'bench-school';
/** the bench school's admin, who signs in to the web app */
const ADMIN = { username: 'admin', password: 'bench-2024' };
/** "now" of the benchmark: Wednesday 4 December 2024, noon in Shanghai, so the plan has past, late, open and future tasks. */
const NOW = Date.UTC(2024, 11, 4, 4);
const DAY = 86_400_000;
const WARMUP = 20;

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    colleges: { type: 'string', default: '200' },
    requests: { type: 'string', default: '300' },
  },
});
const collegeCount = Number(args.colleges);
const requests = Number(args.requests);
if (!['sqlite', 'postgres', 'both'].includes(args.db) || !(collegeCount > 0) || !(requests > 0)) {
  console.error('usage: npx tsx bench/compliance.ts [--db sqlite|postgres|both] [--colleges N] [--requests R]');
  process.exit(2);
}

/** The row of a task as its workflows would have left it by NOW. */
function withProgress(t: PlannedTask, random: () => number): Record<string, unknown> {
  const r = random();
  const row: Record<string, unknown> = {
    id: t.id,
    semester_id: t.semesterId,
    college_id: t.collegeId,
    template_task_id: t.templateTaskId,
    occurrence: t.occurrence,
    month: t.month,
    kind: t.kind,
    owner_role: t.ownerRole,
    title_zh: t.titleZh,
    title_en: t.titleEn,
    open_at: t.openAt,
    due_at: t.dueAt,
    status: t.openAt > NOW ? 'planned' : 'open',
    escalation_level: 0,
    reminders_sent: 0,
    completed_at: null,
    completed_by: null,
    late: false,
    waived_reason: null,
    updated_at: NOW,
  };
  const complete = (at: number, late: boolean) =>
    Object.assign(row, {
      status: 'completed',
      completed_at: Math.round(at),
      completed_by: `${t.collegeId}-staff`,
      late,
    });
  if (t.dueAt > NOW) {
    if (t.openAt <= NOW && r < 0.3) complete(t.openAt + (NOW - t.openAt) * random(), false);
    return row;
  }
  row.reminders_sent = 2;
  if (r < 0.6)
    complete(t.dueAt - DAY * random(), false); // on time
  else if (r < 0.75)
    Object.assign(complete(t.dueAt + 3 * DAY * random(), true), { escalation_level: 1 }); // late
  else if (r < 0.8) Object.assign(row, { status: 'waived', waived_reason: '调休' });
  else Object.assign(row, { status: 'overdue', escalation_level: t.level2At <= NOW ? 2 : 1 }); // still open
  return row;
}

/** e.g. "completed 4321 (late 800), overdue 900 (level 2: 850), waived 300, open 2000, planned 3279" */
function statusMix(rows: Array<Record<string, unknown>>): string {
  const n = (f: (r: Record<string, unknown>) => boolean) => rows.filter(f).length;
  const is = (s: string) => (r: Record<string, unknown>) => r.status === s;
  return (
    `completed ${n(is('completed'))} (late ${n((r) => r.late === true)}), overdue ${n(is('overdue'))} ` +
    `(level 2: ${n((r) => r.escalation_level === 2)}), waived ${n(is('waived'))}, open ${n(is('open'))}, planned ${n(is('planned'))}`
  );
}

async function build(db: Knex): Promise<{ rows: number; mix: string }> {
  await migrateLatest(db);
  const store = createStore(db);
  await store.upsertSchool({
    id: SCHOOL,
    name: '基准测试大学',
    nameEn: 'Benchmark University',
    timezone: 'Asia/Shanghai',
  });
  await store.upsertUser({
    id: ADMIN.username,
    schoolId: SCHOOL,
    collegeId: null,
    username: ADMIN.username,
    displayName: '基准测试管理员',
    role: 'school_admin',
    email: null,
    passwordHash: await hashPassword(ADMIN.password),
    active: true,
  });
  const colleges = Array.from({ length: collegeCount }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return {
      id: `college-${n}`,
      school_id: SCHOOL,
      name: `第${n}学院`,
      name_en: `College ${n}`,
      sort_order: i + 1,
      active: true,
      created_at: NOW,
    };
  });
  await db.batchInsert('colleges', colleges, 100);
  const { template, calendar } = await registerDataFiles(store, {
    templateFile: path.join(ROOT, 'checklists/runxin-2024-autumn.json'),
    calendarFile: path.join(ROOT, 'calendars/2024-autumn.json'),
  });
  await createSemester(store, {
    id: SEMESTER,
    schoolId: SCHOOL,
    templateId: template.id,
    templateVersion: template.version,
    calendarId: calendar.id,
  });
  const plan = planSemester({ semesterId: SEMESTER, template, calendar, colleges });
  const random = seeded(20241101);
  const rows = plan.tasks.map((t) => withProgress(t, random));
  await db.batchInsert('task_instances', rows, 40); // 40 rows × 22 columns stays under SQLite's variable limit
  if (db.client.config.client === 'pg') await db.raw('analyze task_instances');
  else await db.raw('analyze');
  return { rows: rows.length, mix: statusMix(rows) };
}

/** Runs `once` WARMUP times, then `requests` times timed; the durations in ms, sorted. */
const timed = (once: () => Promise<void>) => timedRuns(once, { warmup: WARMUP, requests });

function measure(db: Knex): Promise<number[]> {
  const store = createStore(db);
  return timed(async () => {
    await store.complianceByCollegeMonth(SEMESTER, NOW);
  });
}

interface HttpResult {
  route: string;
  bytes: number;
  type: string;
  times: number[];
}

/** The real web app over `db` on 127.0.0.1:0: one sign-in, then each route timed with the session cookie. */
async function measureHttp(db: Knex): Promise<HttpResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-bench-web-'));
  const app = createApp({
    store: createStore(db),
    knex: db,
    schoolId: SCHOOL,
    temporalUiUrl: 'http://127.0.0.1:8233',
    publicUrl: 'http://127.0.0.1:3000',
    namespace: 'default',
    taskQueue: 'bench',
    checkTemporal: async () => {},
    evidenceDir: path.join(dir, 'evidence'),
    secureCookies: false,
    sessionIdleMs: 30 * 60_000,
    loginMaxAttempts: 1000,
    loginWindowMs: 60_000,
    now: () => NOW,
  });
  const server = http.createServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const login = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    if (login.status !== 200) throw new Error(`sign-in as ${ADMIN.username}: ${login.status} ${await login.text()}`);
    await login.arrayBuffer();
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (!cookie) throw new Error('sign-in set no session cookie');

    // Not timed: both routes show every college, so the timings below are of the full matrix.
    const last = `college-${String(collegeCount).padStart(3, '0')}`;
    const api = (await (
      await fetch(`${base}/api/compliance?semester=${SEMESTER}`, { headers: { cookie } })
    ).json()) as {
      colleges?: unknown[];
    };
    if (api.colleges?.length !== collegeCount)
      throw new Error(`GET /api/compliance: ${api.colleges?.length} colleges, expected ${collegeCount}`);
    const pageHtml = await (await fetch(`${base}/?semester=${SEMESTER}`, { headers: { cookie } })).text();
    if (!pageHtml.includes(`data-college="${last}"`)) throw new Error(`GET /: the page has no row for ${last}`);

    const routes = [`/api/compliance?semester=${SEMESTER}`, `/?semester=${SEMESTER}`];
    const out: HttpResult[] = [];
    for (const route of routes) {
      let bytes = 0;
      let type = '';
      const times = await timed(async () => {
        const res = await fetch(`${base}${route}`, { headers: { cookie }, redirect: 'manual' });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`GET ${route}: ${res.status} ${body.slice(0, 200)}`);
        bytes = Buffer.byteLength(body);
        type = (res.headers.get('content-type') ?? '').split(';')[0]!;
      });
      out.push({ route, bytes, type, times });
    }
    return out;
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run(name: string, opts: DbOptions, cleanup: () => Promise<void>): Promise<void> {
  const db = createKnex(opts);
  try {
    const t0 = performance.now();
    const { rows, mix } = await build(db);
    const built = performance.now() - t0;
    const result = (await createStore(db).complianceByCollegeMonth(SEMESTER, NOW)).length;
    const t = await measure(db);
    const f = (ms: number) => ms.toFixed(2);
    const stats = (t: number[]) =>
      `${requests} requests: p50 ${f(pct(t, 50))} ms  p95 ${f(pct(t, 95))} ms  p99 ${f(pct(t, 99))} ms  max ${f(t[t.length - 1]!)} ms`;
    console.log(
      `${name.padEnd(8)} ${collegeCount} colleges, ${rows} task rows (built in ${(built / 1000).toFixed(1)} s), ${result} result rows; ${stats(t)}`,
    );
    console.log(`${''.padEnd(8)} status mix: ${mix}`);
    for (const h of await measureHttp(db)) {
      console.log(
        `${''.padEnd(8)} HTTP GET ${h.route} (${(h.bytes / 1024).toFixed(1)} KiB ${h.type}); ${stats(h.times)}`,
      );
    }
  } finally {
    await db.destroy();
    await cleanup();
  }
}

async function main(): Promise<void> {
  if (args.db !== 'postgres') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-bench-'));
    await run('sqlite', { sqliteFile: path.join(dir, 'bench.sqlite') }, async () =>
      fs.rmSync(dir, { recursive: true, force: true }),
    );
  }
  if (args.db !== 'sqlite') {
    try {
      await pgAdmin('select 1');
    } catch (err) {
      console.log(
        `postgres skipped: ${describeDb({ databaseUrl: PG_ADMIN_URL })} is not reachable: ${(err as Error).message}`,
      );
      return;
    }
    const name = `rx_bench_${crypto.randomBytes(6).toString('hex')}`;
    await pgAdmin(`create database "${name}"`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    await run('postgres', { databaseUrl: url.toString() }, () => pgAdmin(`drop database if exists "${name}"`));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
