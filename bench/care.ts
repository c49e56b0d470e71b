/**
 * Screening imports and the care workspace, by themselves and through the web app:
 *
 *   npx tsx bench/care.ts [--db sqlite|postgres|both] [--rows 1000,20000] [--entries 300] [--requests 100]
 *
 * Per database:
 *  1. Screening import: for each N in --rows (at most MAX_SCREENING_ROWS), a CSV of N distinct
 *     students over the demo school's 8 colleges (red/orange mixed), encoded as UTF-8 with BOM and
 *     as GBK, is imported with importWarnings (no Temporal client: rows only, no workflows) as the
 *     school admin into a fresh, migrated and seeded database, then the same file again (the
 *     sha256 duplicate path). Prints ms, rows/s and the rss/heapUsed deltas, with the peak heap
 *     sampled every 10 ms (the samples only land while the import awaits the database: parsing and
 *     validation are synchronous). Garbage is collected before each import when the bench can
 *     reach gc (it turns on --expose-gc itself).
 *  2. Care workspace: in a fresh database, E students of 'literature' each with a key-care entry,
 *     a ledger entry (seq 1..E) with 3 follow-ups and an active pairing with
 *     literature-class-teacher (inserted directly, past the teacher limit). Starts the real web
 *     app (createApp, no Temporal client) on 127.0.0.1:0, signs in as literature-counsellor
 *     (POST /api/session) and times R sequential GETs (after a warm-up of 10) of the ledger,
 *     key-care and pairings APIs, the /care page and the ledger .xlsx export, each read in full
 *     and checked for status 200. Each of those reads audits every student it shows (one
 *     audit_events row per student), so the audit table grows while it runs: the counts are printed.
 * SQLite uses temp files; PostgreSQL fresh rx_bench_<random> databases on TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test), dropped afterwards, or is skipped with the reason when
 * it cannot be reached. Prints numbers only, asserts nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import iconv from 'iconv-lite';
import type { Knex } from 'knex';
import { DEMO_COLLEGES, DEMO_PASSWORD, DEMO_SCHOOL, seedDemoSchool } from '../db/demo';
import { createKnex, describeDb, migrateLatest, type DbOptions } from '../db/knex';
import { createStore } from '../db/store';
import { createApp } from '../server/app';
import type { SessionUser } from '../server/platform/auth/context';
import { importWarnings, MAX_SCREENING_ROWS } from '../server/features/screening/use-cases';
import { pct, PG_ADMIN_URL, pgAdmin, seeded, timed as timedRuns } from './lib';

const WARMUP = 10;
const COLLEGE = 'literature';
const COUNSELLOR = 'literature-counsellor';
const TEACHER = 'literature-class-teacher';
const ADMIN: SessionUser = {
  id: 'admin',
  username: 'admin',
  displayName: 'x',
  role: 'school_admin',
  collegeId: null,
  schoolId: DEMO_SCHOOL.id,
};
const DAY = 86_400_000;

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    rows: { type: 'string', default: '1000,20000' },
    entries: { type: 'string', default: '300' },
    requests: { type: 'string', default: '100' },
  },
});
const rowCounts = args.rows.split(',').map((s) => Number(s.trim()));
const entries = Number(args.entries);
const requests = Number(args.requests);
if (
  !['sqlite', 'postgres', 'both'].includes(args.db) ||
  !rowCounts.every((n) => Number.isInteger(n) && n > 0 && n <= MAX_SCREENING_ROWS) ||
  !(Number.isInteger(entries) && entries > 0) ||
  !(requests > 0)
) {
  console.error(
    `usage: npx tsx bench/care.ts [--db sqlite|postgres|both] [--rows N,N (each 1..${MAX_SCREENING_ROWS})] [--entries E] [--requests R]`,
  );
  process.exit(2);
}

/** gc(), when V8 lets us turn it on at run time; otherwise a no-op (deltas then include old garbage). */
const exposedGc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();
const gc = () => exposedGc?.();

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红鹏华飞丹玲宇浩凯俊辉婷雪梅琳晨欣怡思雨佳子涵轩博文睿泽嘉';
const pick = (s: string, random: () => number) => s[Math.floor(random() * s.length)]!;

/** A screening file of n distinct students over the 8 demo colleges, about a quarter red. */
function screeningCsv(n: number): { text: string; red: number } {
  const random = seeded(20240901 + n);
  const lines = ['学号,姓名,学院,班级,预警等级'];
  let red = 0;
  for (let i = 0; i < n; i++) {
    const college = DEMO_COLLEGES[i % DEMO_COLLEGES.length]!;
    const name = pick(SURNAMES, random) + pick(GIVEN, random) + (random() < 0.6 ? pick(GIVEN, random) : '');
    const isRed = random() < 0.25;
    if (isRed) red++;
    const level = isRed ? (random() < 0.5 ? '红色' : '红色预警') : random() < 0.5 ? '橙色' : '橙色预警';
    lines.push(
      `2024${String(i + 1).padStart(6, '0')},${name},${college.name},${college.name.replace(/学院$/, '')}2024级${(i % 12) + 1}班,${level}`,
    );
  }
  return { text: lines.join('\r\n') + '\r\n', red };
}

function encodings(text: string): Array<{ name: string; bytes: Buffer }> {
  return [
    { name: 'utf8-bom', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]) },
    { name: 'gbk', bytes: iconv.encode(text, 'gbk') },
  ];
}

// ---------------------------------------------------------------------------------------------
// Databases

type Backend = 'sqlite' | 'postgres';

/** A fresh, migrated database with the demo school seeded; dropped (or deleted) after `fn`. */
async function withFreshDb<T>(backend: Backend, fn: (db: Knex, opts: DbOptions) => Promise<T>): Promise<T> {
  let opts: DbOptions;
  let cleanup: () => Promise<void>;
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-bench-care-'));
    opts = { sqliteFile: path.join(dir, 'bench.sqlite') };
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `rx_bench_${crypto.randomBytes(6).toString('hex')}`;
    await pgAdmin(`create database "${name}"`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    opts = { databaseUrl: url.toString() };
    cleanup = () => pgAdmin(`drop database if exists "${name}"`);
  }
  const db = createKnex(opts);
  try {
    await migrateLatest(db);
    await seedDemoSchool(createStore(db));
    return await fn(db, opts);
  } finally {
    await db.destroy();
    await cleanup();
  }
}

const count = async (db: Knex, table: string) =>
  Number(((await db(table).count({ n: '*' })) as [{ n: number | string }])[0].n);

// ---------------------------------------------------------------------------------------------
// 1. Screening import

const mib = (bytes: number) => `${bytes >= 0 ? '+' : ''}${(bytes / 1048576).toFixed(1)} MiB`;

interface Measured<T> {
  result: T;
  ms: number;
  rssDelta: number;
  heapDelta: number;
  heapPeakDelta: number;
  rssPeakDelta: number;
}

/** Runs `fn` once, timing it and sampling rss/heapUsed every 10 ms (after a gc, when available). */
async function measured<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  gc();
  const before = process.memoryUsage();
  let heapPeak = before.heapUsed;
  let rssPeak = before.rss;
  const sample = () => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    rssPeak = Math.max(rssPeak, m.rss);
  };
  const timer = setInterval(sample, 10);
  const t0 = performance.now();
  try {
    const result = await fn();
    const ms = performance.now() - t0;
    sample();
    const after = process.memoryUsage();
    return {
      result,
      ms,
      rssDelta: after.rss - before.rss,
      heapDelta: after.heapUsed - before.heapUsed,
      heapPeakDelta: heapPeak - before.heapUsed,
      rssPeakDelta: rssPeak - before.rss,
    };
  } finally {
    clearInterval(timer);
  }
}

async function benchScreening(backend: Backend): Promise<void> {
  for (const n of rowCounts) {
    const { text, red } = screeningCsv(n);
    for (const { name, bytes } of encodings(text)) {
      await withFreshDb(backend, async (db) => {
        const deps = { knex: db, store: createStore(db), taskQueue: 'bench', now: Date.now() };
        const fileName = `screening-${n}-${name}.csv`;
        const first = await measured(() => importWarnings(deps, ADMIN, bytes, fileName));
        if (first.result.duplicate || first.result.warnings !== n)
          throw new Error(`first import of ${fileName}: ${JSON.stringify(first.result)}`);
        const again = await measured(() => importWarnings(deps, ADMIN, bytes, fileName));
        if (!again.result.duplicate || again.result.warnings !== n)
          throw new Error(`second import of ${fileName}: ${JSON.stringify(again.result)}`);
        const [students, warnings] = [await count(db, 'students'), await count(db, 'screening_warnings')];
        const line = (label: string, m: Measured<unknown>) =>
          `  ${String(n).padStart(6)} rows ${name.padEnd(8)} ${label.padEnd(9)} ${m.ms.toFixed(0).padStart(7)} ms ${Math.round(
            n / (m.ms / 1000),
          )
            .toLocaleString('en-US')
            .padStart(10)} rows/s` +
          `   rss ${mib(m.rssDelta).padStart(10)} (peak ${mib(m.rssPeakDelta)})   heapUsed ${mib(m.heapDelta).padStart(10)} (peak ${mib(m.heapPeakDelta)})`;
        console.log(line('first', first));
        console.log(line('duplicate', again));
        console.log(
          `  ${''.padStart(6)}      ${''.padEnd(8)} file ${(bytes.length / 1024).toFixed(0)} KiB, ${red} red / ${n - red} orange; wrote ${students} students, ${warnings} warnings`,
        );
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Care workspace

async function buildCare(db: Knex, now: number): Promise<void> {
  const random = seeded(20241101);
  const students = [];
  const keyCare = [];
  const ledger = [];
  const followUps = [];
  const pairings = [];
  const categories = ['emotional', 'interpersonal', 'adjustment', 'academic', 'disorder', 'employment'];
  for (let i = 0; i < entries; i++) {
    const studentId = crypto.randomUUID();
    const added = now - Math.floor((30 + random() * 60) * DAY);
    students.push({
      id: studentId,
      school_id: DEMO_SCHOOL.id,
      college_id: COLLEGE,
      student_no: `2023${String(i + 1).padStart(6, '0')}`,
      name: pick(SURNAMES, random) + pick(GIVEN, random) + pick(GIVEN, random),
      class_name: `汉语言文学2023级${(i % 8) + 1}班`,
      created_at: added,
    });
    keyCare.push({
      id: crypto.randomUUID(),
      student_id: studentId,
      college_id: COLLEGE,
      reasons: JSON.stringify([
        { kind: 'group', month: '2024-10', index: i % 4, zh: '家庭经济困难学生' },
        { kind: 'other', zh: '学业压力较大，近期睡眠不好' },
      ]),
      plan: '每两周约谈一次；与家长保持联系；关注宿舍人际关系；必要时转介学校心理中心。'.repeat(2),
      source: 'manual',
      source_id: null,
      status: 'active',
      added_by: 'literature-psych-counsellor',
      added_at: added,
      updated_at: added,
    });
    const entryId = crypto.randomUUID();
    ledger.push({
      id: entryId,
      student_id: studentId,
      college_id: COLLEGE,
      seq: i + 1,
      gender: random() < 0.6 ? '女' : '男',
      major_class: `汉语言文学2023级${(i % 8) + 1}班`,
      contact: `138${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
      interview_at: added + DAY,
      categories: JSON.stringify([categories[i % categories.length], categories[(i + 2) % categories.length]]),
      life_safety: i % 10 === 0,
      description: '入学以来情绪低落，与室友关系紧张，学业成绩下滑，曾向辅导员表示压力很大。',
      liaison_user_id: COUNSELLOR,
      plan: '辅导员每周谈心一次，心理辅导员每月评估一次，班主任关注日常表现并及时反馈。',
      source: 'manual',
      source_id: null,
      status: 'active',
      created_at: added,
      updated_at: added,
    });
    for (let k = 0; k < 3; k++) {
      followUps.push({
        id: crypto.randomUUID(),
        entry_id: entryId,
        at: added + (k + 1) * 10 * DAY,
        by: COUNSELLOR,
        text: `第${k + 1}次跟踪：情绪较前稳定，已按计划约谈，继续关注。`,
        counselling: k === 1,
        hospital: false,
      });
    }
    pairings.push({
      id: crypto.randomUUID(),
      college_id: COLLEGE,
      student_id: studentId,
      teacher_user_id: TEACHER,
      status: 'active',
      source: 'manual',
      source_id: null,
      override_reason: null,
      created_by: 'literature-college-leader',
      created_at: added,
      started_at: added,
      last_talk_at: now - Math.floor(random() * 20 * DAY),
      escalation_level: 0,
      ended_at: null,
      ended_reason: null,
    });
  }
  // chunks keep rows × columns under SQLite's bound-variable limit
  await db.batchInsert('students', students, 100);
  await db.batchInsert('key_care_entries', keyCare, 50);
  await db.batchInsert('ledger_entries', ledger, 40);
  await db.batchInsert('ledger_follow_ups', followUps, 100);
  await db.batchInsert('pairings', pairings, 50);
  await db.raw('analyze');
}

interface HttpResult {
  route: string;
  bytes: number;
  type: string;
  times: number[];
  auditRows: number;
}

/** Runs `once` WARMUP times, then `requests` times timed; the durations in ms, sorted. */
const timed = (once: () => Promise<void>) => timedRuns(once, { warmup: WARMUP, requests });

async function measureCare(db: Knex): Promise<{ results: HttpResult[]; auditBefore: number; auditAfter: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-bench-care-web-'));
  const app = createApp({
    store: createStore(db),
    knex: db,
    schoolId: DEMO_SCHOOL.id,
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
      body: JSON.stringify({ username: COUNSELLOR, password: DEMO_PASSWORD }),
    });
    if (login.status !== 200) throw new Error(`sign-in as ${COUNSELLOR}: ${login.status} ${await login.text()}`);
    await login.arrayBuffer();
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (!cookie) throw new Error('sign-in set no session cookie');

    // Not timed: each list holds every entry, so the timings below are of the full workspace.
    const sizes: Array<[string, string]> = [
      ['ledger', 'entries'],
      ['key-care', 'entries'],
      ['pairings', 'pairings'],
    ];
    for (const [list, key] of sizes) {
      const body = (await (
        await fetch(`${base}/api/colleges/${COLLEGE}/${list}`, { headers: { cookie } })
      ).json()) as Record<string, unknown[] | undefined>;
      if (body[key]?.length !== entries)
        throw new Error(`GET /api/colleges/${COLLEGE}/${list}: ${body[key]?.length} ${key}, expected ${entries}`);
    }

    const auditBefore = await count(db, 'audit_events');
    const routes = [
      `/api/colleges/${COLLEGE}/ledger`,
      `/api/colleges/${COLLEGE}/key-care`,
      `/api/colleges/${COLLEGE}/pairings`,
      `/care?college=${COLLEGE}`,
      `/exports/ledger.xlsx?college=${COLLEGE}`,
    ];
    const results: HttpResult[] = [];
    for (const route of routes) {
      let bytes = 0;
      let type = '';
      const a0 = await count(db, 'audit_events');
      const times = await timed(async () => {
        const res = await fetch(`${base}${route}`, { headers: { cookie }, redirect: 'manual' });
        const body = await res.arrayBuffer();
        if (res.status !== 200)
          throw new Error(`GET ${route}: ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 200)}`);
        bytes = body.byteLength;
        type = (res.headers.get('content-type') ?? '').split(';')[0]!;
      });
      results.push({ route, bytes, type, times, auditRows: (await count(db, 'audit_events')) - a0 });
    }
    return { results, auditBefore, auditAfter: await count(db, 'audit_events') };
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const f = (ms: number) => ms.toFixed(2);
const stats = (t: number[]) =>
  `p50 ${f(pct(t, 50)).padStart(7)} ms  p95 ${f(pct(t, 95)).padStart(7)} ms  p99 ${f(pct(t, 99)).padStart(7)} ms  max ${f(t[t.length - 1]!).padStart(7)} ms`;

async function benchCare(backend: Backend): Promise<void> {
  await withFreshDb(backend, async (db) => {
    const t0 = performance.now();
    await buildCare(db, Date.now());
    const built = performance.now() - t0;
    console.log(
      `  ${entries} students in ${COLLEGE}: ${entries} key-care, ${entries} ledger entries with ${await count(db, 'ledger_follow_ups')} follow-ups, ${entries} active pairings (built in ${(built / 1000).toFixed(1)} s); ` +
        `signed in as ${COUNSELLOR}; ${requests} requests per route after ${WARMUP} warm-up`,
    );
    const { results, auditBefore, auditAfter } = await measureCare(db);
    for (const h of results) {
      const size = h.bytes >= 1024 ? `${(h.bytes / 1024).toFixed(1)} KiB` : `${h.bytes} B`;
      console.log(
        `  GET ${h.route.padEnd(42)} ${stats(h.times)}   ${size} ${h.type}; +${h.auditRows} audit rows (${(h.auditRows / (requests + WARMUP)).toFixed(0)}/request)`,
      );
    }
    console.log(
      `  audit_events: ${auditBefore} rows before the timed routes (from the untimed checks of the three lists), ${auditAfter} after (+${auditAfter - auditBefore})`,
    );
  });
}

// ---------------------------------------------------------------------------------------------

async function run(backend: Backend, description: string): Promise<void> {
  console.log(`\n== ${backend}: ${description}`);
  const t0 = performance.now();
  console.log(`screening import (importWarnings as the school admin, no Temporal client; a fresh database per file):`);
  await benchScreening(backend);
  console.log(`care workspace (HTTP, a fresh database):`);
  await benchCare(backend);
  console.log(`  (${backend} done in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    `bench/care.ts: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 1073741824).toFixed(1)} GiB RAM, node ${process.version}, ${os.platform()} ${os.release()}; ` +
      `--rows ${rowCounts.join(',')} --entries ${entries} --requests ${requests}; gc before each import: ${exposedGc ? 'yes' : 'no (deltas include earlier garbage)'}`,
  );
  if (args.db !== 'postgres')
    await run(
      'sqlite',
      `${describeDb({ sqliteFile: path.join(os.tmpdir(), 'rx-bench-care-*', 'bench.sqlite') })} (a temp file per run, WAL)`,
    );
  if (args.db !== 'sqlite') {
    try {
      await pgAdmin('select 1');
    } catch (err) {
      console.log(
        `\npostgres skipped: ${describeDb({ databaseUrl: PG_ADMIN_URL })} is not reachable: ${(err as Error).message}`,
      );
      return;
    }
    const admin = createKnex({ databaseUrl: PG_ADMIN_URL });
    let version: string;
    try {
      version =
        ((await admin.raw('show server_version')) as { rows: Array<{ server_version: string }> }).rows[0]
          ?.server_version ?? '?';
    } finally {
      await admin.destroy();
    }
    await run(
      'postgres',
      `${describeDb({ databaseUrl: PG_ADMIN_URL })} → fresh rx_bench_<random> databases (server ${version}; one per run, dropped afterwards)`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
