/**
 * The sessions table (server/platform/auth/sessions.ts holds the rules: lifetimes, cookies).
 * `id` is the sha256 of the cookie's token: the table never holds a token that signs anyone in.
 */
import type { Knex } from 'knex';

export interface SessionInsert {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
}

/** A session joined with its user, as the session middleware reads it. */
export interface SessionWithUser {
  id: string;
  csrf_token: string;
  last_seen_at: number | string;
  expires_at: number | string;
  user_id: string;
  username: string;
  display_name: string;
  role: string;
  college_id: string | null;
  school_id: string;
  active: boolean | number;
}

export async function insertSession(db: Knex, row: SessionInsert): Promise<void> {
  await db('sessions').insert(row);
}

export async function findSessionWithUser(db: Knex, id: string): Promise<SessionWithUser | undefined> {
  return (await db('sessions')
    .join('users', 'users.id', 'sessions.user_id')
    .where('sessions.id', id)
    .first(
      'sessions.id',
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.user_id',
      'users.username',
      'users.display_name',
      'users.role',
      'users.college_id',
      'users.school_id',
      'users.active',
    )) as SessionWithUser | undefined;
}

export async function touchSession(db: Knex, id: string, at: number): Promise<void> {
  await db('sessions').where({ id }).update({ last_seen_at: at });
}

export async function deleteSession(db: Knex, id: string): Promise<void> {
  await db('sessions').where({ id }).del();
}

/** Every session of a user; returns how many. */
export async function deleteSessionsOfUser(db: Knex, userId: string): Promise<number> {
  return db('sessions').where({ user_id: userId }).del();
}

/** Sessions past their absolute lifetime or idle since before `idleSince`. */
export async function deleteStaleSessions(db: Knex, now: number, idleSince: number): Promise<void> {
  await db('sessions').where('expires_at', '<=', now).orWhere('last_seen_at', '<', idleSince).del();
}
