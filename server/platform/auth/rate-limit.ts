/**
 * Login rate limit, kept in the database (login_attempts) so every web replica sees the same
 * counts. Rows are keyed `pair:<username>|<address>`, `ip:<address>` and `user:<username>`.
 *
 * - Lockout per account AND address: once an address has `max` failures for one account within
 *   `windowMs`, its further attempts at that account are refused (429) without checking the
 *   password. Another address can still sign in to that account: an attacker cannot lock the
 *   real user out.
 * - Per address: `max` failures (any usernames) in the window, and that address is refused.
 * - Per account, from all addresses together: no lockout, a progressive delay before the
 *   password is checked (`accountDelayMs`: none for the first two failures, then 1 s doubling
 *   per failure, at most 10 s), so guessing from many addresses is slow too.
 *
 * Atomic: an attempt is admitted inside a transaction that holds the write lock (SQLite: its
 * first statement writes; PostgreSQL: advisory locks on the keys), counts the failures, and
 * records the attempt as a failure before the password is checked; a success is turned into one
 * afterwards. So parallel attempts, on one replica or many, each see the ones before them, and at
 * most `max` of them reach the password check. Refused attempts are not recorded (they are
 * audited), so waiting always ends the block.
 */
import type { Knex } from 'knex';
import {
  insertFailures,
  lockAttemptKeys,
  markSucceeded,
  pruneAttempts,
  recentFailures,
} from '../../../db/repositories/login-attempts';

export interface LoginLimits {
  max: number;
  windowMs: number;
}

export interface Blocked {
  /** which limit: this account from this address, or the client address */
  limit: 'account' | 'address';
  retryAfterSeconds: number;
}

export interface Admitted {
  /** the attempt's rows, recorded as failures until `recordLoginOutcome` says otherwise */
  ids: number[];
  /** failures of this account (from every address) in the window, before this attempt */
  accountFailures: number;
}

const userKey = (username: string) => `user:${username}`;
const ipKey = (ip: string) => `ip:${ip}`;
const pairKey = (username: string, ip: string) => `pair:${username}|${ip}`;

const FREE_FAILURES = 2;
const FIRST_DELAY_MS = 1000;
export const MAX_DELAY_MS = 10_000;

/** The wait before checking a password, given the account's recent failures from every address. */
export function accountDelayMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_FAILURES));
}

/**
 * Admits an attempt (recording it as a failure first) or says which limit blocks it. The account
 * limit (per address) is reported before the address limit.
 */
export async function admitLoginAttempt(
  db: Knex,
  who: { username: string; ip: string },
  limits: LoginLimits,
  now: number,
): Promise<{ blocked: Blocked } | { admitted: Admitted }> {
  const since = now - limits.windowMs;
  const keys = { pair: pairKey(who.username, who.ip), ip: ipKey(who.ip), user: userKey(who.username) };
  return db.transaction(async (trx) => {
    await lockAttemptKeys(trx, Object.values(keys), since);
    for (const [limit, key] of [
      ['account', keys.pair],
      ['address', keys.ip],
    ] as const) {
      const failures = await recentFailures(trx, key, since);
      if (failures.length < limits.max) continue;
      // The count drops below max when failure number (length - max) (0-based) leaves the window.
      const freeAt = failures[failures.length - limits.max]! + limits.windowMs;
      return { blocked: { limit, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) } };
    }
    const accountFailures = (await recentFailures(trx, keys.user, since)).length;
    const ids = await insertFailures(trx, Object.values(keys), now);
    return { admitted: { ids, accountFailures } };
  });
}

/** Records how an admitted attempt ended (a success stops counting), and prunes rows past the window. */
export async function recordLoginOutcome(
  db: Knex,
  admitted: Admitted,
  success: boolean,
  limits: LoginLimits,
  now: number,
): Promise<void> {
  if (success) await markSucceeded(db, admitted.ids);
  await pruneAttempts(db, now - limits.windowMs);
}
