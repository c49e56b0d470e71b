/**
 * Sign-in and sign-out, for pages (GET/POST /login, POST /logout) and the API (/api/session), and
 * the middleware that comes before every router: the session (req.user, req.csrfToken), then the
 * CSRF check. Errors this module does not handle itself (UnauthorizedError, ForbiddenError) reach
 * the error middleware; `res.locals.sessionExpired` tells it to answer "session expired".
 */
import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { hashPassword, verifyPassword } from '../../../db/passwords';
import type { AppDeps } from '../deps';
import { fill, t as texts } from '../i18n';
import { safeNext } from '../safe-next';
import type { SessionUser } from './context';
import { csrfMiddleware } from './csrf';
import { langOf, renderLogin } from './login-page';
import { accountDelayMs, admitLoginAttempt, recordLoginOutcome, type Blocked } from './rate-limit';
import {
  clearSessionCookie,
  createSession,
  deleteSessionByToken,
  parseCookies,
  pruneSessions,
  SESSION_COOKIE,
  sessionMiddleware,
  setSessionCookie,
} from './sessions';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

const sessionJson = (user: SessionUser, csrfToken: string) => ({
  user: {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    collegeId: user.collegeId,
  },
  csrfToken,
});

export function createSignIn(deps: AppDeps): { before: express.RequestHandler[]; router: express.Router } {
  const now = deps.now ?? Date.now;
  const limits = { max: deps.loginMaxAttempts, windowMs: deps.loginWindowMs };
  const loginDelay = deps.loginDelay ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const router = express.Router();
  // Unknown usernames are checked against this hash, so a wrong username takes as long as a wrong password.
  const dummyHash = hashPassword(randomBytes(16).toString('hex'));

  type SignIn = { ok: true; user: SessionUser; csrfToken: string } | { ok: false; blocked?: Blocked };

  async function signIn(req: Request, res: Response, usernameIn: unknown, passwordIn: unknown): Promise<SignIn> {
    const username = str(usernameIn).trim().slice(0, 100);
    const password = str(passwordIn);
    const who = { username, ip: req.ip ?? 'unknown' };
    const t = now();
    // recorded as a failure before the password is checked: parallel attempts count each other
    const admission = await admitLoginAttempt(deps.knex, who, limits, t);
    if ('blocked' in admission) {
      // every refused attempt is audited: who was tried, from where, which limit (never the password)
      await deps.store.appendAudit({
        eventKey: `login-refused:${randomUUID()}`,
        subjectType: 'login',
        subjectId: username,
        action: 'login.refused',
        actor: 'anonymous',
        at: t,
        details: {
          username,
          ip: who.ip,
          limit: admission.blocked.limit,
          retryAfterSeconds: admission.blocked.retryAfterSeconds,
        },
      });
      return { ok: false, blocked: admission.blocked };
    }
    // the account slows down with its recent failures from every address (no lockout: see rate-limit.ts)
    const delay = accountDelayMs(admission.admitted.accountFailures);
    if (delay > 0) await loginDelay(delay);
    const user = username ? await deps.store.findUserByUsername(username) : undefined;
    const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    const ok = !!user && passwordOk && user.active && user.schoolId === deps.schoolId;
    await recordLoginOutcome(deps.knex, admission.admitted, ok, limits, t);
    if (!ok) return { ok: false };

    // A new session each time (no fixation); the one this browser had ends.
    const old = parseCookies(req.get('cookie'))[SESSION_COOKIE];
    if (old) await deleteSessionByToken(deps.knex, old);
    await pruneSessions(deps.knex, t, deps.sessionIdleMs);
    const session = await createSession(deps.knex, user.id, t, { ip: req.ip, userAgent: req.get('user-agent') });
    setSessionCookie(res, session.token, deps.secureCookies);
    const sessionUser: SessionUser = {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      collegeId: user.collegeId,
      schoolId: user.schoolId,
    };
    return { ok: true, user: sessionUser, csrfToken: session.csrfToken };
  }

  async function signOut(req: Request, res: Response): Promise<void> {
    const token = parseCookies(req.get('cookie'))[SESSION_COOKIE];
    if (token) await deleteSessionByToken(deps.knex, token);
    clearSessionCookie(res, deps.secureCookies);
  }

  router.get('/login', (req, res) => {
    // the page asked for before sign-in (the app's 401 redirect adds it); kept only if it is local
    res.type('html').send(renderLogin(req));
  });

  router.post('/login', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const r = await signIn(req, res, body.username, body.password);
    // back to the page that was asked for (a local path only), else the default page
    if (r.ok) return void res.redirect(303, safeNext(body.next) ?? '/');
    const t = texts(langOf(req)).auth;
    if (r.blocked) {
      res.set('Retry-After', String(r.blocked.retryAfterSeconds));
      const msg = fill(r.blocked.limit === 'account' ? t.tooManyAccount : t.tooManyAddress, {
        minutes: Math.ceil(r.blocked.retryAfterSeconds / 60),
      });
      return void res
        .status(429)
        .type('html')
        .send(renderLogin(req, msg, str(body.username)));
    }
    res
      .status(401)
      .type('html')
      .send(renderLogin(req, t.wrongCredentials, str(body.username)));
  });

  router.post('/logout', async (req, res) => {
    await signOut(req, res);
    res.redirect(303, '/login');
  });

  router.post('/api/session', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const r = await signIn(req, res, body.username, body.password);
    if (r.ok) return void res.json(sessionJson(r.user, r.csrfToken));
    if (r.blocked) {
      const which = r.blocked.limit === 'account' ? 'for this account from this address' : 'from this address';
      res.set('Retry-After', String(r.blocked.retryAfterSeconds));
      return void res.status(429).json({
        error: `too many failed sign-ins ${which}; try again in ${r.blocked.retryAfterSeconds} s`,
        limit: r.blocked.limit,
      });
    }
    res.status(401).json({ error: 'wrong username or password' });
  });

  router.get('/api/session', (req, res) => {
    if (!req.user || !req.csrfToken)
      return void res.status(401).json({ error: res.locals.sessionExpired ? 'session expired' : 'not signed in' });
    res.json(sessionJson(req.user, req.csrfToken));
  });

  router.delete('/api/session', async (req, res) => {
    await signOut(req, res);
    res.status(204).end();
  });

  const before: express.RequestHandler[] = [sessionMiddleware(deps), csrfMiddleware];
  return { before, router };
}

/** For the error middleware: whether a 401 should say "session expired". */
export const sessionExpired = (res: Response): boolean => res.locals.sessionExpired === true;
