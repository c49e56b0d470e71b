/**
 * Login rate limit, kept in the database (login_attempts) so every web replica sees the same
 * counts. Only failures count: once an account or an address has `max` failures within `windowMs`,
 * further attempts are refused (without checking the password) until the oldest of them leaves the
 * window. Refused attempts are not recorded, so waiting always ends the block.
 */
import type { Knex } from 'knex';

export interface LoginLimits {
  max: number;
  windowMs: number;
}

export interface Blocked {
  /** which limit: the account (username) or the client address */
  limit: 'account' | 'address';
  retryAfterSeconds: number;
}

const userKey = (username: string) => `user:${username}`;
const ipKey = (ip: string) => `ip:${ip}`;

/** The failure times of a key within the window, oldest first. */
async function recentFailures(db: Knex, key: string, since: number): Promise<number[]> {
  const rows = (await db('login_attempts')
    .where({ key })
    .andWhere('at', '>', since)
    .andWhere('success', false)
    .orderBy('at')
    .select('at')) as Array<{ at: number | string }>;
  return rows.map((r) => Number(r.at));
}

/** null when this attempt may go ahead; the account limit is reported before the address one. */
export async function checkLoginAllowed(db: Knex, who: { username: string; ip: string }, limits: LoginLimits, now: number): Promise<Blocked | null> {
  const since = now - limits.windowMs;
  for (const [limit, key] of [
    ['account', userKey(who.username)],
    ['address', ipKey(who.ip)],
  ] as const) {
    const failures = await recentFailures(db, key, since);
    if (failures.length < limits.max) continue;
    // The count drops below max when failure number (length - max) (0-based) leaves the window.
    const freeAt = failures[failures.length - limits.max]! + limits.windowMs;
    return { limit, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
  }
  return null;
}

/** Records an attempt for both the account and the address, and prunes rows past the window. */
export async function recordLoginAttempt(db: Knex, who: { username: string; ip: string }, success: boolean, limits: LoginLimits, now: number): Promise<void> {
  await db('login_attempts').insert([
    { key: userKey(who.username), at: now, success },
    { key: ipKey(who.ip), at: now, success },
  ]);
  await db('login_attempts').where('at', '<=', now - limits.windowMs).del();
}
