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
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKnex, describeDb } from '../db/knex';
import { PG_ADMIN_URL, pgUnreachable } from './lib';
import { args, entries, requests, rowCounts } from './care-args';
import type { Backend } from './care-data';
import { benchScreening, exposedGc } from './care-screening';
import { benchCare } from './care-workspace';

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
    const unreachable = await pgUnreachable();
    if (unreachable) {
      console.log(`\npostgres skipped: ${unreachable}`);
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
