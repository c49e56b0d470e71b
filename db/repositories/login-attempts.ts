/**
 * The login_attempts table (the rules are in server/platform/auth/rate-limit.ts). Rows are keyed
 * `pair:<username>|<address>`, `ip:<address>` and `user:<username>`.
 */
import type { Knex } from 'knex';

/** The failure times of a key after `since`, oldest first. */
export async function recentFailures(db: Knex, key: string, since: number): Promise<number[]> {
  const rows = (await db('login_attempts')
    .where({ key })
    .andWhere('at', '>', since)
    .andWhere('success', false)
    .orderBy('at')
    .select('at')) as Array<{ at: number | string }>;
  return rows.map((r) => Number(r.at));
}

const isPg = (db: Knex) =>
  /^(pg|postgres)/.test(String((db.client as { config?: { client?: unknown } }).config?.client ?? ''));

/**
 * Takes the write lock of these keys inside `trx`: PostgreSQL, one advisory lock per key, always in
 * the same order (no deadlock between attempts); SQLite, writing first (it prunes the rows at or
 * before `since`) takes the database's write lock now, so a concurrent attempt waits for
 * busy_timeout instead of counting what this one will change.
 */
export async function lockAttemptKeys(trx: Knex.Transaction, keys: string[], since: number): Promise<void> {
  if (isPg(trx)) {
    for (const key of [...keys].sort()) await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`login:${key}`]);
  } else {
    await trx('login_attempts').where('at', '<=', since).del();
  }
}

/** Records one failed attempt per key; returns the rows' ids. */
export async function insertFailures(db: Knex, keys: string[], at: number): Promise<number[]> {
  const inserted = (await db('login_attempts')
    .insert(keys.map((key) => ({ key, at, success: false })))
    .returning('id')) as Array<number | { id: number }>;
  return inserted.map((r) => Number(typeof r === 'object' ? r.id : r));
}

export async function markSucceeded(db: Knex, ids: number[]): Promise<void> {
  await db('login_attempts').whereIn('id', ids).update({ success: true });
}

export async function pruneAttempts(db: Knex, before: number): Promise<void> {
  await db('login_attempts').where('at', '<=', before).del();
}
