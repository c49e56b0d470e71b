/**
 * Restore from a `npm run backup` directory (docs/operations.md: Backup and restore).
 *
 *   npm run restore -- --from <dir> [--temporal-sqlite <file>] [--temporal-database-url <url>]…
 *
 * - the app database into the usual configuration: SQLite (SQLITE_FILE, which must not exist
 *   yet) or PostgreSQL (DATABASE_URL: an existing, empty database, e.g. `createdb`), then every
 *   table's row count is compared with the manifest: any difference fails the restore;
 * - the Temporal dev server's SQLite file to --temporal-sqlite (must not exist: stop the dev
 *   server, move the old file away); a cluster's databases with pg_restore into the empty
 *   databases given by --temporal-database-url, matched by database name.
 * Each file's SHA-256 is checked before anything is written. Stop the worker, the web and
 * Temporal before a restore; start them afterwards.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createKnex } from '../db/knex';
import { countPublicTables } from '../db/backup';
import { dbOptions, loadConfig } from '../server/platform/config/config';
import { applySecretFiles } from '../server/platform/config/secret-files';
import {
  BackupError,
  databaseName,
  parseArgs,
  pgEnv,
  rowCounts,
  sha256,
  type BackupFile,
  type Manifest,
} from './backup';

function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new BackupError(`${dir} has no manifest.json: not a backup directory`);
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  if (m.format !== 'runxin-backup/1') throw new BackupError(`${file}: unknown format ${JSON.stringify(m.format)}`);
  for (const f of m.files) {
    const p = path.join(dir, f.file);
    if (!fs.existsSync(p)) throw new BackupError(`${p} is missing`);
    if (sha256(p) !== f.sha256) throw new BackupError(`${p}: SHA-256 differs from the manifest; the backup is damaged`);
  }
  return m;
}

async function pgIsEmpty(url: string): Promise<void> {
  const db = createKnex({ databaseUrl: url });
  try {
    const tables = await countPublicTables(db);
    if (tables > 0)
      throw new BackupError(
        `database ${databaseName(url)} is not empty (${tables} tables); restore into a new database (createdb) and point the service at it`,
      );
  } finally {
    await db.destroy();
  }
}

function pgRestore(file: string, url: string, what: string): void {
  const r = spawnSync(
    'pg_restore',
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--dbname', databaseName(url), file],
    { env: pgEnv(url), encoding: 'utf8' },
  );
  if (r.error)
    throw new BackupError(
      `${what}: cannot run pg_restore (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`,
    );
  if (r.status !== 0)
    throw new BackupError(
      `${what}: pg_restore failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`,
    );
}

function copyNew(source: string, target: string, what: string): void {
  for (const f of [target, `${target}-wal`, `${target}-shm`])
    if (fs.existsSync(f))
      throw new BackupError(`${what}: ${f} exists; stop the process that uses it and move it away first`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
}

export async function restore(opts: {
  from: string;
  app: { sqliteFile?: string; databaseUrl?: string };
  temporalSqlite?: string;
  temporalDatabaseUrls?: string[];
}): Promise<{ appRowCounts: Record<string, number>; restored: string[] }> {
  const m = readManifest(opts.from);
  const app = m.files.find((f) => f.role === 'app');
  if (!app) throw new BackupError('the manifest lists no app database');
  const temporalFiles = m.files.filter((f) => f.role === 'temporal');
  const pgTargets = new Map((opts.temporalDatabaseUrls ?? []).map((u) => [databaseName(u), u]));
  // check every target before writing any
  if (app.kind === 'pg_dump' && !opts.app.databaseUrl)
    throw new BackupError('the backup holds a PostgreSQL app database: set DATABASE_URL to an empty database');
  if (app.kind === 'sqlite' && !opts.app.sqliteFile)
    throw new BackupError('the backup holds a SQLite app database: set SQLITE_FILE (and unset DATABASE_URL)');
  if (app.kind === 'pg_dump') await pgIsEmpty(opts.app.databaseUrl!);
  const temporalPlan: Array<{ f: BackupFile; target: string }> = [];
  for (const f of temporalFiles) {
    if (f.kind === 'sqlite') {
      if (!opts.temporalSqlite)
        throw new BackupError(
          "the backup holds the Temporal dev server's SQLite file: give --temporal-sqlite <file> (or leave Temporal out by restoring from a copy without it)",
        );
      temporalPlan.push({ f, target: opts.temporalSqlite });
    } else {
      const url = pgTargets.get(f.database!);
      if (!url)
        throw new BackupError(
          `the backup holds Temporal database ${f.database}: give --temporal-database-url for an empty database of that name`,
        );
      await pgIsEmpty(url);
      temporalPlan.push({ f, target: url });
    }
  }

  const restored: string[] = [];
  if (app.kind === 'pg_dump') pgRestore(path.join(opts.from, app.file), opts.app.databaseUrl!, 'app database');
  else copyNew(path.join(opts.from, app.file), opts.app.sqliteFile!, 'app database');
  restored.push(`app ${app.kind}`);
  for (const { f, target } of temporalPlan) {
    if (f.kind === 'sqlite') copyNew(path.join(opts.from, f.file), target, 'Temporal');
    else pgRestore(path.join(opts.from, f.file), target, `Temporal database ${f.database}`);
    restored.push(`temporal ${f.kind}${f.database ? ` ${f.database}` : ''}`);
  }

  const db = createKnex(opts.app);
  let counts: Record<string, number>;
  try {
    counts = await rowCounts(db);
  } finally {
    await db.destroy();
  }
  const diffs = [...new Set([...Object.keys(m.appRowCounts), ...Object.keys(counts)])]
    .filter((t) => m.appRowCounts[t] !== counts[t])
    .map((t) => `${t}: ${counts[t] ?? 'missing'} rows, the backup had ${m.appRowCounts[t] ?? 'none'}`);
  if (diffs.length)
    throw new BackupError(`the restored app database differs from the backup:\n  ${diffs.join('\n  ')}`);
  return { appRowCounts: counts, restored };
}

if (require.main === module) {
  (async () => {
    applySecretFiles(process.env);
    const args = parseArgs(process.argv.slice(2), {
      from: 'one',
      'temporal-sqlite': 'one',
      'temporal-database-url': 'many',
    });
    if (!args.from) throw new BackupError('--from <backup directory> is required');
    const r = await restore({
      from: path.resolve(args.from[0]!),
      app: dbOptions(loadConfig()),
      temporalSqlite: args['temporal-sqlite']?.[0],
      temporalDatabaseUrls: args['temporal-database-url'],
    });
    console.log(
      `restore: ${r.restored.join(', ')}; every table's row count matches the backup (tasks ${r.appRowCounts.task_instances ?? 0}, crisis cases ${r.appRowCounts.crisis_cases ?? 0})`,
    );
  })().catch((err) => {
    console.error(`restore failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
