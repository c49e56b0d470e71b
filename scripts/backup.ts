/**
 * Backup of the app database and of the Temporal persistence (docs/operations.md: Backup and restore).
 *
 *   npm run backup -- --out <dir> [--temporal-sqlite <file>] [--temporal-database-url <url>]…
 *
 * - the app database from the usual configuration: SQLite (SQLITE_FILE) as a consistent copy
 *   made with `VACUUM INTO` while the service runs; PostgreSQL (DATABASE_URL) with
 *   `pg_dump --format=custom`;
 * - the Temporal dev server's SQLite file (`data/temporal.sqlite`) with `VACUUM INTO` as well
 *   (a consistent snapshot while the dev server runs), or a Temporal cluster's PostgreSQL
 *   databases (temporal, temporal_visibility) with pg_dump, one --temporal-database-url each;
 * - a manifest.json: what was saved, each file's SHA-256 and size, and the app database's row
 *   count per table, which `npm run restore` checks after a restore.
 *
 * The directory must not exist yet (a backup never overwrites another). Passwords are passed to
 * pg_dump in its environment (PGPASSWORD), not on the command line.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createKnex } from '../db/knex';
import { inExportedSnapshot, rowCounts, vacuumInto } from '../db/backup';
import { dbOptions, loadConfig } from '../server/platform/config/config';
import { applySecretFiles } from '../server/platform/config/secret-files';

export { rowCounts };

export interface BackupFile {
  /** what it holds: 'app' or 'temporal' */
  role: 'app' | 'temporal';
  kind: 'sqlite' | 'pg_dump';
  /** file name inside the backup directory */
  file: string;
  sha256: string;
  bytes: number;
  /** for PostgreSQL: the database name it came from (no credentials) */
  database?: string;
}

export interface Manifest {
  format: 'runxin-backup/1';
  createdAt: string;
  files: BackupFile[];
  /** rows per table of the app database at backup time */
  appRowCounts: Record<string, number>;
}

export class BackupError extends Error {
  override name = 'BackupError';
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** libpq environment for a postgres:// URL: the password never reaches argv (visible in ps). */
export function pgEnv(url: string): NodeJS.ProcessEnv {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new BackupError('the PostgreSQL URL is not a URL (must be postgres://user:password@host:port/database)');
  }
  if (!/^postgres(ql)?:$/.test(u.protocol))
    throw new BackupError(`the PostgreSQL URL must start with postgres:// (got ${u.protocol}//…)`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new BackupError('the PostgreSQL URL names no database (…/<database>)');
  return {
    ...process.env,
    PGHOST: u.hostname || '127.0.0.1',
    PGPORT: u.port || '5432',
    PGDATABASE: database,
    ...(u.username ? { PGUSER: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}),
    ...(u.searchParams.get('sslmode') ? { PGSSLMODE: u.searchParams.get('sslmode')! } : {}),
  };
}

export function databaseName(url: string): string {
  return pgEnv(url).PGDATABASE!;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, what: string): void {
  const r = spawnSync(command, args, { env, encoding: 'utf8' });
  if (r.error)
    throw new BackupError(
      `${what}: cannot run ${command} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); install the PostgreSQL client tools (same major version as the server or newer)`,
    );
  if (r.status !== 0)
    throw new BackupError(
      `${what}: ${command} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`,
    );
}

/** A consistent copy of a SQLite database (also while another process writes it). */
export async function sqliteSnapshot(source: string, target: string): Promise<void> {
  if (!fs.existsSync(source)) throw new BackupError(`no SQLite database at ${source}`);
  if (fs.existsSync(target)) throw new BackupError(`${target} exists already`);
  const db = createKnex({ sqliteFile: source });
  try {
    await vacuumInto(db, target);
  } finally {
    await db.destroy();
  }
}

export async function backup(opts: {
  out: string;
  app: { sqliteFile?: string; databaseUrl?: string };
  temporalSqlite?: string;
  temporalDatabaseUrls?: string[];
}): Promise<Manifest> {
  if (fs.existsSync(opts.out))
    throw new BackupError(`--out ${opts.out} exists already; a backup goes into a new directory`);
  fs.mkdirSync(opts.out, { recursive: true, mode: 0o700 });
  const files: BackupFile[] = [];
  const add = (role: BackupFile['role'], kind: BackupFile['kind'], file: string, database?: string) => {
    const p = path.join(opts.out, file);
    files.push({ role, kind, file, sha256: sha256(p), bytes: fs.statSync(p).size, ...(database ? { database } : {}) });
  };
  // the row counts are those of the copy itself: PostgreSQL counts in the snapshot pg_dump dumps
  // (an exported snapshot), SQLite counts the copied file
  let appRowCounts: Record<string, number>;
  if (opts.app.databaseUrl) {
    const url = opts.app.databaseUrl;
    const db = createKnex({ databaseUrl: url });
    try {
      appRowCounts = await inExportedSnapshot(db, async (snapshot, trx) => {
        const counts = await rowCounts(trx);
        run(
          'pg_dump',
          [
            '--format=custom',
            '--no-owner',
            '--no-privileges',
            `--snapshot=${snapshot}`,
            '--file',
            path.join(opts.out, 'app.pgdump'),
          ],
          pgEnv(url),
          'app database',
        );
        return counts;
      });
    } finally {
      await db.destroy();
    }
    add('app', 'pg_dump', 'app.pgdump', databaseName(url));
  } else {
    const copy = path.join(opts.out, 'app.sqlite');
    await sqliteSnapshot(opts.app.sqliteFile!, copy);
    const db = createKnex({ sqliteFile: copy });
    try {
      appRowCounts = await rowCounts(db);
    } finally {
      await db.destroy();
    }
    add('app', 'sqlite', 'app.sqlite');
  }
  if (opts.temporalSqlite) {
    await sqliteSnapshot(opts.temporalSqlite, path.join(opts.out, 'temporal.sqlite'));
    add('temporal', 'sqlite', 'temporal.sqlite');
  }
  for (const url of opts.temporalDatabaseUrls ?? []) {
    const name = databaseName(url);
    const file = `temporal-${name.replace(/[^A-Za-z0-9_-]/g, '_')}.pgdump`;
    run(
      'pg_dump',
      ['--format=custom', '--no-owner', '--no-privileges', '--file', path.join(opts.out, file)],
      pgEnv(url),
      `Temporal database ${name}`,
    );
    add('temporal', 'pg_dump', file, name);
  }
  const manifest: Manifest = { format: 'runxin-backup/1', createdAt: new Date().toISOString(), files, appRowCounts };
  fs.writeFileSync(path.join(opts.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

/** Command-line arguments: `--name value` pairs; a repeated name collects its values. */
export function parseArgs(argv: string[], known: Record<string, 'one' | 'many'>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.replace(/^--/, '');
    if (!a.startsWith('--') || !(name in known))
      throw new BackupError(
        `unknown argument ${JSON.stringify(a)} (known: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new BackupError(`--${name} needs a value`);
    if (known[name] === 'one' && out[name]) throw new BackupError(`--${name} given twice`);
    (out[name] ??= []).push(value);
  }
  return out;
}

if (require.main === module) {
  (async () => {
    applySecretFiles(process.env);
    const args = parseArgs(process.argv.slice(2), {
      out: 'one',
      'temporal-sqlite': 'one',
      'temporal-database-url': 'many',
    });
    if (!args.out) throw new BackupError('--out <new directory> is required');
    const manifest = await backup({
      out: path.resolve(args.out[0]!),
      app: dbOptions(loadConfig()),
      temporalSqlite: args['temporal-sqlite']?.[0],
      temporalDatabaseUrls: args['temporal-database-url'],
    });
    for (const f of manifest.files)
      console.log(`backup: ${f.role} ${f.kind} ${f.file} ${f.bytes} bytes sha256 ${f.sha256.slice(0, 16)}…`);
    console.log(
      `backup: ${path.resolve(args.out[0]!)} (tasks ${manifest.appRowCounts.task_instances ?? 0}, crisis cases ${manifest.appRowCounts.crisis_cases ?? 0})`,
    );
  })().catch((err) => {
    console.error(`backup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
