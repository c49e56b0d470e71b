/**
 * The database side of backup and restore (scripts/backup.ts, scripts/restore.ts): a consistent
 * SQLite copy, an exported PostgreSQL snapshot, row counts per table, and the emptiness check of a
 * restore target. Only these statements; the files, manifests and pg_dump runs stay in scripts/.
 */
import type { Knex } from 'knex';

/** VACUUM INTO: a consistent copy of a SQLite database into `target` (also while another process writes it). */
export async function vacuumInto(db: Knex, target: string): Promise<void> {
  await db.raw('VACUUM INTO ?', [target]);
}

/** Rows per table (the knex bookkeeping tables included), for the manifest and the check after a restore. */
export async function rowCounts(db: Knex): Promise<Record<string, number>> {
  const client = String(db.client.config.client);
  const tables =
    client === 'pg'
      ? ((await db('information_schema.tables')
          .where({ table_schema: 'public', table_type: 'BASE TABLE' })
          .pluck('table_name')) as string[])
      : ((await db('sqlite_master')
          .where({ type: 'table' })
          .whereNot('name', 'like', 'sqlite_%')
          .pluck('name')) as string[]);
  const out: Record<string, number> = {};
  for (const t of tables.sort()) {
    const row = (await db(t).count({ n: '*' }).first()) as { n: number | string };
    out[t] = Number(row.n);
  }
  return out;
}

/**
 * Runs `fn` inside a repeatable-read, read-only PostgreSQL transaction whose snapshot is exported
 * (pg_export_snapshot): `fn` gets the snapshot id (for pg_dump --snapshot) and the transaction.
 */
export async function inExportedSnapshot<T>(
  db: Knex,
  fn: (snapshot: string, trx: Knex.Transaction) => Promise<T> | T,
): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw('set transaction isolation level repeatable read, read only');
    const snapshot = ((await trx.raw('select pg_export_snapshot() as s')) as { rows: Array<{ s: string }> }).rows[0]!.s;
    return fn(snapshot, trx);
  });
}

/** How many tables the PostgreSQL database's public schema has (a restore target must have none). */
export async function countPublicTables(db: Knex): Promise<number> {
  const row = (await db('information_schema.tables').where({ table_schema: 'public' }).count({ n: '*' }).first()) as {
    n: number | string;
  };
  return Number(row.n);
}
