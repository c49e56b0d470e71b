/**
 * Server-side sessions. The `sid` cookie carries a random 32-byte token; the database keeps only
 * its sha256 (sessions.id), so a leaked table signs nobody in. A session ends after
 * `deps.sessionIdleMs` without a request, or SESSION_MAX_AGE_MS after sign-in, whichever is first.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Role } from '../../../domain/schema';
import type { AppDeps } from '../deps';
import {
  deleteSession,
  deleteSessionsOfUser,
  deleteStaleSessions,
  findSessionWithUser,
  insertSession,
  touchSession,
} from '../../../db/repositories/sessions';
import type { SessionUser } from './context';

export const SESSION_COOKIE = 'sid';
/** Absolute lifetime of a session, however active (one working day and evening). */
export const SESSION_MAX_AGE_MS = 12 * 3_600_000;
/** last_seen_at is written at most this often, so the idle timeout is exact to within a minute. */
const TOUCH_INTERVAL_MS = 60_000;

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

/** `a=1; b=2` → { a: '1', b: '2' } (first occurrence wins; values URI-decoded when possible). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

/** Session cookie: no Max-Age/Expires, so the browser drops it on close; the server times it out. */
export function setSessionCookie(res: Response, token: string, secure: boolean): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`);
}

export interface NewSession {
  /** goes into the cookie, never stored */
  token: string;
  csrfToken: string;
}

export async function createSession(
  db: Knex,
  userId: string,
  at: number,
  client: { ip?: string; userAgent?: string },
): Promise<NewSession> {
  const token = newToken();
  const csrfToken = newToken();
  await insertSession(db, {
    id: sha256Hex(token),
    user_id: userId,
    csrf_token: csrfToken,
    created_at: at,
    last_seen_at: at,
    expires_at: at + SESSION_MAX_AGE_MS,
    ip: client.ip ?? null,
    user_agent: client.userAgent?.slice(0, 500) ?? null,
  });
  return { token, csrfToken };
}

export async function deleteSessionByToken(db: Knex, token: string): Promise<void> {
  await deleteSession(db, sha256Hex(token));
}

/** Signs a user out everywhere (deactivation, password reset). */
export async function deleteUserSessions(db: Knex, userId: string): Promise<number> {
  return deleteSessionsOfUser(db, userId);
}

/** Removes sessions that can no longer be used (called at sign-in; keeps the table small). */
export async function pruneSessions(db: Knex, now: number, idleMs: number): Promise<void> {
  await deleteStaleSessions(db, now, now - idleMs);
}

/**
 * Middleware: resolves the `sid` cookie to `req.user` and `req.csrfToken`. An expired or idle
 * session is deleted, its cookie cleared, and `res.locals.sessionExpired = true` set so that a 401
 * can say "session expired" rather than "not signed in". A deactivated user is signed out.
 */
export function sessionMiddleware(deps: AppDeps) {
  const now = deps.now ?? Date.now;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = parseCookies(req.get('cookie'))[SESSION_COOKIE];
    if (!token) return next();
    const row = await findSessionWithUser(deps.knex, sha256Hex(token));
    const t = now();
    if (!row) {
      clearSessionCookie(res, deps.secureCookies); // unknown token: stale cookie
      return next();
    }
    const lastSeen = Number(row.last_seen_at);
    const expired = t >= Number(row.expires_at) || t - lastSeen > deps.sessionIdleMs;
    const active = row.active === true || row.active === 1;
    if (expired || !active) {
      await deleteSession(deps.knex, row.id);
      clearSessionCookie(res, deps.secureCookies);
      if (expired) res.locals.sessionExpired = true;
      return next();
    }
    if (t - lastSeen >= TOUCH_INTERVAL_MS) await touchSession(deps.knex, row.id, t);
    const user: SessionUser = {
      id: row.user_id,
      username: row.username,
      displayName: row.display_name,
      role: row.role as Role,
      collegeId: row.college_id,
      schoolId: row.school_id,
    };
    req.user = user;
    req.csrfToken = row.csrf_token;
    next();
  };
}
