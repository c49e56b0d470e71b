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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { createKnex, type DbOptions } from '../db/knex';
import { createStore } from '../db/store';
import { signIn } from '../test/helpers/processes';
import { pct, pgUnreachable, throwawayDatabase, timed as timedRuns } from './lib';
import { ADMIN, args, collegeCount, NOW, requests, SCHOOL, SEMESTER, WARMUP } from './compliance-args';
import { build } from './compliance-build';
import { startBenchWeb, timeGet, type HttpResult } from './web';

/** Runs `once` WARMUP times, then `requests` times timed; the durations in ms, sorted. */
const timed = (once: () => Promise<void>) => timedRuns(once, { warmup: WARMUP, requests });

function measure(db: Knex): Promise<number[]> {
  const store = createStore(db);
  return timed(async () => {
    await store.complianceByCollegeMonth(SEMESTER, NOW);
  });
}

/** The real web app over `db` on 127.0.0.1:0: one sign-in, then each route timed with the session cookie. */
async function measureHttp(db: Knex): Promise<HttpResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-bench-web-'));
  const web = await startBenchWeb({
    knex: db,
    schoolId: SCHOOL,
    evidenceDir: path.join(dir, 'evidence'),
    now: () => NOW,
  });
  try {
    const { base } = web;
    const { cookie } = await signIn(base, ADMIN.username, ADMIN.password);

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

    const out: HttpResult[] = [];
    for (const route of [`/api/compliance?semester=${SEMESTER}`, `/?semester=${SEMESTER}`])
      out.push(await timeGet(base, route, cookie, timed));
    return out;
  } finally {
    await web.close();
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
    const unreachable = await pgUnreachable();
    if (unreachable) {
      console.log(`postgres skipped: ${unreachable}`);
      return;
    }
    const database = await throwawayDatabase('rx_bench');
    await run('postgres', { databaseUrl: database.url }, () => database.drop());
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
