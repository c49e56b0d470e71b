/**
 * The knex factory: SQLite by default (one file, WAL), PostgreSQL when a database URL is given.
 * Instants are epoch milliseconds in bigint columns; both drivers hand them back as JS numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { knex, type Knex } from 'knex';

export interface DbOptions {
  /** postgres://user:password@host:port/db — selects PostgreSQL. */
  databaseUrl?: string;
  /** SQLite file used when no databaseUrl is given (its directory is created). */
  sqliteFile?: string;
}

/** pg type id of int8/bigint (also what count(*) and sum(int) return). */
const PG_INT8_OID = 20;

interface PgDriver {
  types: { setTypeParser(oid: number, parse: (value: string) => unknown): void };
}

interface SqliteConnection {
  exec(sql: string, callback: (err: Error | null) => void): void;
}

const SQLITE_PRAGMAS = ['PRAGMA journal_mode = WAL;', 'PRAGMA foreign_keys = ON;', 'PRAGMA busy_timeout = 5000;'].join(
  ' ',
);

export function createKnex(opts: DbOptions): Knex {
  if (opts.databaseUrl) return createPgKnex(opts.databaseUrl);
  if (opts.sqliteFile) return createSqliteKnex(opts.sqliteFile);
  throw new Error('createKnex needs either databaseUrl (PostgreSQL) or sqliteFile (SQLite)');
}

function createPgKnex(databaseUrl: string): Knex {
  const db = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 10 } });
  // pg returns int8 as a string by default; our int8 values are epoch ms and counts, all far
  // below 2^53. The driver is the `pg` module knex itself loaded, so we patch the right copy.
  const driver = (db.client as unknown as { driver: PgDriver }).driver;
  driver.types.setTypeParser(PG_INT8_OID, (value) => Number(value));
  return db;
}

function createSqliteKnex(file: string): Knex {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return knex({
    client: 'sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
        conn.exec(SQLITE_PRAGMAS, (err) => done(err, conn));
      },
    },
  });
}

/** A printable description of the database, never including a password. */
export function describeDb(opts: DbOptions): string {
  if (opts.databaseUrl) {
    try {
      const url = new URL(opts.databaseUrl);
      if (url.password) url.password = '***';
      return `postgresql ${url.toString()}`;
    } catch {
      return 'postgresql (unparseable DATABASE_URL)';
    }
  }
  return `sqlite ${opts.sqliteFile ? path.resolve(opts.sqliteFile) : '(no file given)'}`;
}

// ---------------------------------------------------------------------------------------------
// Migrations

export const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');
const MIGRATION_EXTENSIONS = ['.ts', '.js'];

/**
 * Lists the files in MIGRATIONS_DIR and loads them with dynamic import() rather than knex's own
 * require(): under tsx and under vitest import() goes through the TypeScript-aware loader, so
 * .ts migrations load in both (knex's require() cannot load .ts inside vitest).
 */
class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    const files = await fs.promises.readdir(this.dir);
    return files.filter((f) => MIGRATION_EXTENSIONS.includes(path.extname(f)) && !f.endsWith('.d.ts')).sort();
  }

  getMigrationName(file: string): string {
    return file;
  }

  async getMigration(file: string): Promise<Knex.Migration> {
    const mod = (await import(path.join(this.dir, file))) as Partial<Knex.Migration> & { default?: Knex.Migration };
    // A CommonJS module imported from ESM may expose its exports under `default` only.
    const migration = typeof mod.up === 'function' ? (mod as Knex.Migration) : mod.default;
    if (!migration || typeof migration.up !== 'function') throw new Error(`migration ${file} exports no up()`);
    return migration;
  }
}

/** The migrator configuration; pass it to knex.migrate.* (e.g. rollback) as well. */
export function migrationConfig(): Knex.MigratorConfig {
  return { migrationSource: new DirectoryMigrationSource(MIGRATIONS_DIR) };
}

/**
 * Applies pending migrations and returns the names applied by this call. Several processes may
 * start at once (worker and web replicas): while another one holds knex's migration lock, wait
 * and try again, then find nothing left to do.
 */
export async function migrateLatest(db: Knex, lockWaitMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      const [, applied] = (await db.migrate.latest(migrationConfig())) as [number, string[]];
      return applied;
    } catch (err) {
      if (!isMigrationLocked(err) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function isMigrationLocked(err: unknown): boolean {
  return err instanceof Error && err.name === 'MigrationLocked';
}

// ---------------------------------------------------------------------------------------------
// Read-then-write transactions

const isSqlite = (db: Knex) =>
  /sqlite/i.test(String((db.client as { config?: { client?: unknown } }).config?.client ?? ''));
const isBusy = (e: unknown) =>
  /^SQLITE_BUSY/.test(String((e as { code?: unknown })?.code ?? '')) ||
  (e instanceof Error && /SQLITE_BUSY/.test(e.message));

/**
 * A transaction that reads and then writes. SQLite's default (deferred) transaction takes the
 * write lock only at its first write; when another connection (the worker, another replica)
 * committed in between, SQLite answers SQLITE_BUSY at once, whatever the busy timeout, because
 * the transaction's snapshot is stale. So on SQLite the transaction writes first (an empty
 * DELETE takes the write lock, waiting up to busy_timeout, like BEGIN IMMEDIATE), and a
 * transaction that still meets SQLITE_BUSY is run again (up to `attempts` times). PostgreSQL
 * runs `fn` in a plain transaction.
 */
export async function writeTransaction<T>(
  db: Knex,
  fn: (trx: Knex.Transaction) => Promise<T>,
  attempts = 3,
): Promise<T> {
  if (!isSqlite(db)) return db.transaction(fn);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        await trx.raw('DELETE FROM knex_migrations_lock WHERE 0');
        return fn(trx);
      });
    } catch (e) {
      if (!isBusy(e) || attempt >= attempts) throw e;
    }
  }
}

/** Throws when the database cannot be reached (a health check). */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('select 1');
}

/** Runs `fn` in one transaction of `db` (committed when it resolves, rolled back when it throws). */
export function inTransaction<T>(db: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}
