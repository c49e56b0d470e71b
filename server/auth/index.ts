/**
 * Sign-in, sessions, CSRF and user administration, as one piece the app composes:
 *
 *   const auth = createAuth(deps);
 *   app.use(express.json(), express.urlencoded({ extended: false }));  // before: CSRF reads `_csrf`
 *   app.use(auth.before);   // session → req.user, req.csrfToken; then the CSRF check
 *   app.use(auth.router);   // /login, /logout, /api/session, /admin/users…, /api/users…
 *
 * Pages: GET/POST /login, POST /logout, /admin/users (school admins). JSON API: /api/session,
 * /api/users. Errors this module does not handle itself (UnauthorizedError, ForbiddenError) reach
 * the app's error handler; `res.locals.sessionExpired` tells it to answer "session expired".
 */
import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { hashPassword, verifyPassword } from '../../db/passwords';
import { ROLES } from '../../domain/schema';
import type { AppDeps } from '../deps';
import { html, page as commonPage } from '../html';
import { AUTH_MESSAGES, fmt, type AuthMessages } from '../i18n/auth';
import { pickLang, type Lang } from '../messages';
import { filesOf, receiveUploads, removeUploads, takeFile, uploadDir, UploadError } from '../upload';
import { BadRequestError, currentUser, requireRole, type SessionUser } from './context';
import { csrfMiddleware } from './csrf';
import { safeNext } from '../platform/safe-next';
import { admitLoginAttempt, accountDelayMs, recordLoginOutcome, type Blocked } from './rate-limit';
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
import { createUserAdmin, ImportError, UserNotFoundError, type ImportResult } from './users';

export { csrfMiddleware } from './csrf';
export { deleteUserSessions, parseCookies, SESSION_COOKIE } from './sessions';
export { createUserAdmin, type ImportResult, type PublicUser } from './users';

const MAX_UPLOAD_BYTES = 1024 * 1024;

const langOf = (req: Request): Lang => req.lang ?? pickLang(req.query.lang);
const textOf = (req: Request): AuthMessages => AUTH_MESSAGES[langOf(req)];
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

export function createAuth(deps: AppDeps): { before: express.RequestHandler[]; router: express.Router } {
  const now = deps.now ?? Date.now;
  const limits = { max: deps.loginMaxAttempts, windowMs: deps.loginWindowMs };
  const loginDelay = deps.loginDelay ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const admin = createUserAdmin(deps);
  const router = express.Router();
  // Unknown usernames are checked against this hash, so a wrong username takes as long as a wrong password.
  const dummyHash = hashPassword(randomBytes(16).toString('hex'));

  // -------------------------------------------------------------------------------------------
  // Sign-in

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
    const t = textOf(req);
    if (r.blocked) {
      res.set('Retry-After', String(r.blocked.retryAfterSeconds));
      const msg = fmt(r.blocked.limit === 'account' ? t.tooManyAccount : t.tooManyAddress, {
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

  // -------------------------------------------------------------------------------------------
  // User administration: school admins of this school only

  const schoolAdmin = requireRole('school_admin');
  // mounted after schoolAdmin: nobody else gets a byte of the body read
  const upload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: MAX_UPLOAD_BYTES,
    maxFiles: 1,
    maxFields: 5,
    maxParts: 6,
    tooLarge: () => 'file too large (max 1 MB)',
  });

  /** Runs the upload (multipart, field `file`) and returns the file's bytes; nothing stays on disk. */
  const receiveFile = (req: Request, res: Response) =>
    new Promise<Buffer>((resolve, reject) =>
      upload(req, res, (err: unknown) => {
        const file = filesOf(req).find((f) => f.fieldname === 'file');
        const fail = (e: unknown) =>
          void removeUploads(req).then(() => reject(e instanceof Error ? e : new Error(String(e))), reject);
        if (err) fail(err);
        else if (!file) fail(new BadRequestError('no file: send the CSV as the multipart field "file"'));
        else takeFile(req, file).then(resolve, fail);
      }),
    );

  type Handler = (req: Request, res: Response) => Promise<void>;

  /** JSON API: this module's errors become JSON; others go on to the app's error handler. */
  const api =
    (fn: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await fn(req, res);
      } catch (err) {
        const known = knownError(err);
        if (!known) throw err;
        res.status(known.status).json({ error: known.error, ...(known.problems ? { problems: known.problems } : {}) });
      }
    };

  /** Pages: this module's errors re-render the users page with the problem. */
  const page =
    (fn: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await fn(req, res);
      } catch (err) {
        const known = knownError(err);
        if (!known) throw err;
        const error =
          known.status === 413 ? textOf(req).fileTooLarge : known.problems ? textOf(req).importFailed : known.error;
        res
          .status(known.status)
          .type('html')
          .send(await renderUsers(req, { error, problems: known.problems }));
      }
    };

  const id = (req: Request) => String(req.params.id);
  const backToList = (res: Response) => res.redirect(303, '/admin/users?saved=1');

  router.get(
    '/admin/users',
    schoolAdmin,
    page(async (req, res) => {
      res.type('html').send(await renderUsers(req, { notice: req.query.saved ? textOf(req).saved : undefined }));
    }),
  );
  router.post(
    '/admin/users',
    schoolAdmin,
    page(async (req, res) => {
      await admin.create(currentUser(req), req.body);
      backToList(res);
    }),
  );
  router.post(
    '/admin/users/import',
    schoolAdmin,
    page(async (req, res) => {
      const result = await admin.importCsv(currentUser(req), await receiveFile(req, res));
      res.type('html').send(await renderUsers(req, { result }));
    }),
  );
  // deactivation asks first: the list links here, and this page's form posts the deactivation
  router.get(
    '/admin/users/:id/deactivate',
    schoolAdmin,
    page(async (req, res) => {
      const t = textOf(req);
      const actor = currentUser(req);
      const target = (await admin.list(actor)).find((u) => u.id === id(req));
      if (!target) throw new UserNotFoundError(`unknown user ${id(req)}`);
      const open =
        target.collegeId && target.role !== 'school_admin'
          ? (await deps.store.listTaskInstances({ collegeId: target.collegeId, status: ['open', 'overdue'] })).filter(
              (x) => x.ownerRole === target.role,
            ).length
          : 0;
      const body = html`<h1>${t.confirmTitle}</h1>
        <div class="card" id="confirm-deactivate">
          <p>${fmt(t.confirmText, { name: target.displayName, username: target.username })}</p>
          ${open ? html`<p class="error">${fmt(t.confirmOpenTasks, { n: open })}</p>` : ''}
          <form method="post" action="/admin/users/${target.id}/deactivate">
            <input type="hidden" name="_csrf" value="${req.csrfToken}" />
            <p class="actions">
              <button type="submit" class="btn danger">${t.confirmButton}</button>
              <a class="btn secondary" href="/admin/users">${t.cancel}</a>
            </p>
          </form>
        </div>`;
      res.type('html').send(commonPage(req, { title: t.confirmTitle, body }));
    }),
  );
  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    router.post(
      `/admin/users/:id/${action}`,
      schoolAdmin,
      page(async (req, res) => {
        await admin.setActive(currentUser(req), id(req), active);
        backToList(res);
      }),
    );
    router.post(
      `/api/users/:id/${action}`,
      schoolAdmin,
      api(async (req, res) => {
        res.json({ user: await admin.setActive(currentUser(req), id(req), active) });
      }),
    );
  }
  router.post(
    '/admin/users/:id/password',
    schoolAdmin,
    page(async (req, res) => {
      await admin.resetPassword(currentUser(req), id(req), (req.body as Record<string, unknown> | undefined)?.password);
      backToList(res);
    }),
  );
  router.post(
    '/admin/users/:id',
    schoolAdmin,
    page(async (req, res) => {
      await admin.update(currentUser(req), id(req), req.body);
      backToList(res);
    }),
  );

  router.get(
    '/api/users',
    schoolAdmin,
    api(async (req, res) => {
      res.json({ users: await admin.list(currentUser(req)) });
    }),
  );
  router.post(
    '/api/users',
    schoolAdmin,
    api(async (req, res) => {
      res.status(201).json({ user: await admin.create(currentUser(req), req.body) });
    }),
  );
  router.post(
    '/api/users/import',
    schoolAdmin,
    api(async (req, res) => {
      res.json(await admin.importCsv(currentUser(req), await receiveFile(req, res)));
    }),
  );
  router.patch(
    '/api/users/:id',
    schoolAdmin,
    api(async (req, res) => {
      res.json({ user: await admin.update(currentUser(req), id(req), req.body) });
    }),
  );
  router.post(
    '/api/users/:id/password',
    schoolAdmin,
    api(async (req, res) => {
      await admin.resetPassword(currentUser(req), id(req), (req.body as Record<string, unknown> | undefined)?.password);
      res.status(204).end();
    }),
  );

  // -------------------------------------------------------------------------------------------
  // Rendering (the one layout: server/platform/layout.ts)

  /** The Chinese-first login page; `error` is shown above the form (never which field was wrong). */
  function renderLogin(req: Request, error?: string, username = ''): string {
    const lang = langOf(req);
    const t = AUTH_MESSAGES[lang];
    const next = safeNext(
      req.body && typeof req.body === 'object' && 'next' in req.body
        ? (req.body as Record<string, unknown>).next
        : req.query.next,
    );
    const body = html`<h1>${t.loginTitle}</h1>
      ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
      <form class="card" method="post" action="/login${lang === 'en' ? '?lang=en' : ''}">
        <label for="username">${t.username}</label>
        <input id="username" name="username" autocomplete="username" required autofocus value="${username}" />
        <label for="password">${t.password}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        ${next ? html`<input type="hidden" name="next" value="${next}" />` : ''}
        <p><button type="submit">${t.signIn}</button></p>
      </form>`;
    return commonPage(req, { title: t.loginTitle, body });
  }

  async function renderUsers(
    req: Request,
    opts: { error?: string; problems?: string[]; notice?: string; result?: ImportResult },
  ): Promise<string> {
    const t = textOf(req);
    const lang = langOf(req);
    const actor = currentUser(req);
    const [users, colleges] = await Promise.all([admin.list(actor), deps.store.listColleges(actor.schoolId)]);
    const collegeName = new Map(colleges.map((c) => [c.id, lang === 'en' ? c.nameEn : c.name]));
    const roleLabel = (r: string) => t[`role_${r}` as keyof AuthMessages] ?? r;
    const csrf = html`<input type="hidden" name="_csrf" value="${req.csrfToken}" />`;
    const roleSelect = (selected: string) =>
      html`<select name="role">
        ${ROLES.map((r) => html`<option value="${r}" ${r === selected ? html` selected` : ''}>${roleLabel(r)}</option>`)}
      </select>`;
    const collegeSelect = (selected: string | null) =>
      html`<select name="collegeId">
        <option value="">${t.noCollege}</option>
        ${colleges.map((c) => html`<option value="${c.id}" ${c.id === selected ? html` selected` : ''}>${collegeName.get(c.id)}</option>`)}
      </select>`;

    // search and filters (GET ?q=&role=&college=&status=), applied to the school's accounts
    const q = typeof req.query.q === 'string' ? req.query.q.trim().toLowerCase() : '';
    const fRole = typeof req.query.role === 'string' ? req.query.role : '';
    const fCollege = typeof req.query.college === 'string' ? req.query.college : '';
    const fStatus = typeof req.query.status === 'string' ? req.query.status : '';
    const shown = users.filter(
      (u) =>
        (!q || [u.username, u.displayName, u.email ?? ''].some((x) => x.toLowerCase().includes(q))) &&
        (!fRole || u.role === fRole) &&
        (!fCollege || (fCollege === 'none' ? !u.collegeId : u.collegeId === fCollege)) &&
        (!fStatus || (fStatus === 'active') === u.active),
    );
    const opt = (value: string, label: string, selected: string) =>
      html`<option value="${value}" ${value === selected ? html` selected` : ''}>${label}</option>`;
    const filters = html`<form class="card filters" method="get" action="/admin/users" id="user-filters">
        <label>${t.search} <input type="search" name="q" value="${q}" /></label>
        <label
          >${t.role}
          <select name="role">
            ${opt('', t.filterAll, fRole)}${ROLES.map((r) => opt(r, roleLabel(r), fRole))}
          </select></label
        >
        <label
          >${t.college}
          <select name="college">
            ${opt('', t.filterAll, fCollege)}${opt('none', t.noCollege, fCollege)}${colleges.map((c) => opt(c.id, collegeName.get(c.id) ?? c.id, fCollege))}
          </select></label
        >
        <label
          >${t.status}
          <select name="status">
            ${opt('', t.filterAll, fStatus)}${opt('active', t.active, fStatus)}${opt('inactive', t.inactive, fStatus)}
          </select></label
        >
        <button type="submit" class="btn">${t.filterButton}</button>
      </form>
      <p class="muted" id="user-count">${fmt(t.shownOf, { shown: shown.length, total: users.length })}</p>`;
    const rows = shown.map(
      (u) =>
        html`<tr data-user="${u.id}">
          <td translate="no">${u.username}</td>
          <td>${u.displayName}</td>
          <td>${roleLabel(u.role)}</td>
          <td>${u.collegeId ? (collegeName.get(u.collegeId) ?? u.collegeId) : t.noCollege}</td>
          <td translate="no">${u.email ?? ''}</td>
          <td>${u.active ? t.active : t.inactive}</td>
          <td>
            ${u.active ? html`<a class="btn" href="/admin/users/${u.id}/deactivate">${t.deactivateAsk}</a>` : html`<form class="inline" method="post" action="/admin/users/${u.id}/activate">${csrf}<button type="submit">${t.activate}</button></form>`}
            <details>
              <summary>${t.edit}</summary>
              <form method="post" action="/admin/users/${u.id}">
                ${csrf}
                <label>${t.displayName} <input name="displayName" value="${u.displayName}" required /></label>
                <label>${t.role} ${roleSelect(u.role)}</label>
                <label>${t.college} ${collegeSelect(u.collegeId)}</label>
                <label>${t.email} <input name="email" type="email" value="${u.email ?? ''}" /></label>
                <button type="submit">${t.save}</button>
              </form>
              <form method="post" action="/admin/users/${u.id}/password">
                ${csrf}
                <label
                  >${t.newPassword}
                  <input name="password" type="password" minlength="10" autocomplete="new-password" required
                /></label>
                <button type="submit">${t.resetPassword}</button>
              </form>
            </details>
          </td>
        </tr>`,
    );

    const result = opts.result;
    const body = html`<h1>${t.usersTitle}</h1>
      ${opts.notice ? html`<p class="ok">${opts.notice}</p>` : ''}
      ${
        opts.error
          ? html`<div class="error" role="alert">
              <p>${opts.error}</p>
              ${
                opts.problems
                  ? html`<ul>
                      ${opts.problems.map((p) => html`<li>${p}</li>`)}
                    </ul>`
                  : ''
              }
            </div>`
          : ''
      }
      ${
        result
          ? html`<div class="ok">
              <p>${fmt(t.importDone, { created: result.created, updated: result.updated })}</p>
              ${
                result.generatedPasswords.length
                  ? html`<p>${t.generatedPasswords}</p>
                      <table>
                        <tbody>
                          ${result.generatedPasswords.map(
                            (g) =>
                              html`<tr>
                                <td>${g.username}</td>
                                <td><code>${g.password}</code></td>
                              </tr>`,
                          )}
                        </tbody>
                      </table>`
                  : ''
              }
            </div>`
          : ''
      }
      ${filters} ${shown.length ? '' : html`<p id="no-match">${t.noMatch}</p>`}
      <table id="users">
        <thead>
          <tr>
            <th>${t.username}</th>
            <th>${t.displayName}</th>
            <th>${t.role}</th>
            <th>${t.college}</th>
            <th>${t.email}</th>
            <th>${t.status}</th>
            <th>${t.actions}</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
      <h2>${t.createUser}</h2>
      <form class="card" method="post" action="/admin/users">
        ${csrf}
        <label>${t.username} <input name="username" required pattern="[A-Za-z0-9][A-Za-z0-9._@\\-]{1,63}" /></label>
        <label>${t.displayName} <input name="displayName" required /></label>
        <label>${t.role} ${roleSelect('counsellor')}</label>
        <label>${t.college} ${collegeSelect(null)}</label>
        <label>${t.email} <input name="email" type="email" /></label>
        <label
          >${t.initialPassword}
          <input name="password" type="password" minlength="10" autocomplete="new-password" required
        /></label>
        <p><button type="submit">${t.create}</button></p>
      </form>
      <h2>${t.importTitle}</h2>
      <form
        class="card"
        method="post"
        enctype="multipart/form-data"
        action="/admin/users/import?_csrf=${encodeURIComponent(req.csrfToken ?? '')}"
      >
        <p class="muted">${t.importHelp}</p>
        <label>${t.importFile} <input name="file" type="file" accept=".csv,text/csv" required /></label>
        <p><button type="submit">${t.importButton}</button></p>
      </form>`;
    return commonPage(req, { title: t.usersTitle, body });
  }

  const before: express.RequestHandler[] = [sessionMiddleware(deps), csrfMiddleware];
  return { before, router };
}

/** Maps this module's errors to a status; null for anything else. */
function knownError(err: unknown): { status: number; error: string; problems?: string[] } | null {
  if (err instanceof UploadError) return { status: err.status, error: err.message };
  if (err instanceof UserNotFoundError) return { status: 404, error: err.message };
  if (err instanceof ImportError) return { status: 400, error: err.message, problems: err.problems };
  if (err instanceof BadRequestError) return { status: 400, error: err.message };
  return null;
}

export { safeNext }; // moved to server/platform/safe-next.ts

/** For the app's error handler: whether a 401 should say "session expired". */
export const sessionExpired = (res: Response): boolean => res.locals.sessionExpired === true;
