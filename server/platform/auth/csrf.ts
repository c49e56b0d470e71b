/**
 * CSRF protection (synchroniser token). Every POST/PUT/PATCH/DELETE of a signed-in session must
 * carry the session's token, compared in constant time:
 * - HTML forms (urlencoded): body field `_csrf` (the body parsers must run before this middleware);
 * - the JSON API: header `x-csrf-token`;
 * - multipart uploads: header `x-csrf-token` or query parameter `_csrf` (the multipart body is
 *   parsed later, by multer in the route, so forms put `?_csrf=<token>` on their action URL).
 * Missing or wrong → 403 'CSRF token missing or wrong'.
 *
 * Requests without a session pass here: they carry no authority to abuse. The app answers them
 * 401 before this, and before any body is read (server/app.ts), except the sign-in and sign-out
 * endpoints and the ops bearer token; a router used on its own answers 401 in the route.
 *
 * The sign-in endpoints (POST /login, POST /api/session) have no session yet; they are checked for
 * same origin instead: an `Origin` header, when present, must name this host.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError } from './context';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOGIN_ENDPOINTS = new Set(['/login', '/api/session']);

/** Constant-time string equality (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** True when there is no Origin header, or it names the host the request was sent to. */
export function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false; // includes Origin: null (sandboxed frames, some redirects)
  }
  // Host as sent, or as the proxy forwarded it (req.host honours `trust proxy`).
  return host === req.get('host') || host === req.host;
}

function submittedToken(req: Request): string | undefined {
  const header = req.get('x-csrf-token');
  if (header) return header;
  if (req.is('multipart/form-data')) {
    const q = (req.query as Record<string, unknown>)._csrf;
    return typeof q === 'string' ? q : undefined;
  }
  const body = req.body as Record<string, unknown> | undefined;
  return typeof body?._csrf === 'string' ? body._csrf : undefined;
}

export function csrfMiddleware(req: Request, _res: Response, next: NextFunction): void {
  if (!UNSAFE.has(req.method)) return next();
  if (req.method === 'POST' && LOGIN_ENDPOINTS.has(req.path)) {
    if (!sameOrigin(req)) throw new ForbiddenError('cross-origin sign-in refused');
    return next();
  }
  if (!req.user || !req.csrfToken) return next();
  const given = submittedToken(req);
  if (!given || !safeEqual(given, req.csrfToken)) throw new ForbiddenError('CSRF token missing or wrong');
  next();
}
