/**
 * The Express app, built from its dependencies so tests listen on port 0 and talk real HTTP.
 * Order: security headers → body parsers → language → session and CSRF → routers → errors.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import multer from 'multer';
import { errorForLog } from '../activities/scrub';
import { CalendarError } from '../domain/calendar';
import { DataFileError } from '../domain/load';
import { PlanError } from '../domain/planner';
import { BadRequestError, ForbiddenError, UnauthorizedError } from './auth/context';
import { createCodecRouter } from '../codec/endpoint';
import { createAuth, safeNext } from './auth';
import type { AppDeps } from './deps';
import { createExportsRouter } from './exports';
import { errorPage, html, page, unreadBadge } from './html';
import { pickLang } from './messages';
import { createAdminRouter } from './routes/admin';
import { createChecklistEditorRouter, createChecklistRouter } from './routes/checklists';
import { createDeliveriesRouter } from './routes/deliveries';
import { createCrisisRouter } from './routes/crisis';
import { createCareRouter } from './routes/care';
import { createCarePagesRouter } from './routes/care-pages';
import { createScreeningRouter } from './routes/screening';
import { createScreeningPagesRouter } from './routes/screening-pages';
import { createDashboardRouter } from './routes/dashboard';
import { createTaskRouter } from './routes/tasks';
import { NotFoundError } from './semesters';
import { TaskRejectedError } from './tasks';
import { IdempotencyKeyReusedError } from './idempotency';
import { UploadError } from './upload';
import { observeRequests, requestId, routePattern } from './observability/http';

export type { AppDeps } from './deps';

const HEALTH_TIMEOUT_MS = 3000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function probe(check: () => Promise<void>, what: string): Promise<string> {
  try {
    await withTimeout(check(), HEALTH_TIMEOUT_MS, what);
    return 'ok';
  } catch (e) {
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function cookie(req: Request, name: string): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${name}=([^;]*)`).exec(req.get('cookie') ?? '');
  return m ? decodeURIComponent(m[1]!) : undefined;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.observability) app.use(observeRequests(deps.observability));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: deps.secureCookies ? [] : null,
        },
      },
      strictTransportSecurity: deps.secureCookies,
      // same-origin form posts then carry their real Origin (under no-referrer Chromium sends
      // "Origin: null", which the sign-in's same-origin check must refuse)
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use('/assets', express.static(path.join(__dirname, 'assets'), { maxAge: '1h' }));
  // the web app manifest and favicon live at the root, where phones and browsers look for them
  app.get(
    '/manifest.webmanifest',
    (_req, res) =>
      void res
        .type('application/manifest+json')
        .sendFile(path.join(__dirname, 'assets', 'manifest.webmanifest'), { maxAge: '1h' }),
  );
  app.get(
    '/favicon.ico',
    (_req, res) =>
      void res.type('image/x-icon').sendFile(path.join(__dirname, 'assets', 'favicon.ico'), { maxAge: '1d' }),
  );
  app.use((req, res, next) => {
    req.lang = pickLang(req.query.lang, cookie(req, 'lang'));
    if (typeof req.query.lang === 'string')
      res.cookie('lang', req.lang, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/' });
    next();
  });
  // No body is read before we know who sends it: the session comes from the cookie alone, and a
  // state-changing request without one (except sign-in and sign-out, and the ops bearer token) is
  // answered 401 here, as is a method the path does not have (405) or an unknown path (404).
  const auth = createAuth(deps);
  const [session, csrf] = auth.before as [express.RequestHandler, express.RequestHandler];
  app.use(session);
  app.use(unreadBadge(deps.knex)); // the inbox badge of the navigation (pages only)
  app.use((req, res, next) => {
    if (NEVER_ALLOWED.has(req.method)) return next(methodNotAllowed(app, req, res));
    if (!UNSAFE.has(req.method)) return next();
    const methods = routeMethods(app, req.path);
    if (!methods.has(req.method))
      return next(
        methods.size ? methodNotAllowed(app, req, res) : new NotFoundError(`no page ${req.method} ${req.path}`),
      );
    if (req.user || PUBLIC_UNSAFE.has(`${req.method} ${req.path}`)) return next();
    if (req.path.startsWith('/api/') && /^Bearer /.test(req.get('authorization') ?? '')) return next(); // checked by the route
    next(new UnauthorizedError('sign in first'));
  });
  app.use(express.json({ limit: '256kb' }));
  app.use(express.urlencoded({ extended: false, limit: '256kb' }));

  // liveness: the process answers (no dependency is asked); readiness: the database and Temporal answer
  app.get('/livez', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const [temporal, database] = await Promise.all([
      probe(deps.checkTemporal, 'Temporal'),
      probe(() => deps.store.ping(), 'the database'),
    ]);
    const ok = temporal === 'ok' && database === 'ok';
    if (!ok) res.set('Retry-After', String(RETRY_AFTER_S));
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', temporal, database });
  });
  app.get('/healthz', async (_req, res) => {
    const [temporal, database] = await Promise.all([
      probe(deps.checkTemporal, 'Temporal'),
      probe(() => deps.store.ping(), 'the database'),
    ]);
    const ok = temporal === 'ok' && database === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', temporal, database });
  });

  app.get('/api/openapi.json', (_req, res) => void res.sendFile(path.join(__dirname, 'openapi.json')));

  /** The college list is public reference data (no students, no task state). */
  app.get('/api/colleges', async (_req, res) => {
    const school = await deps.store.getSchool(deps.schoolId);
    if (!school) throw new NotFoundError(`unknown school ${deps.schoolId}`);
    const colleges = await deps.store.listColleges(school.id);
    res.json({
      school: { id: school.id, name: school.name },
      colleges: colleges.map((c) => ({ id: c.id, name: c.name, nameEn: c.nameEn })),
    });
  });

  // the Temporal Web UI's codec calls carry the session cookie but cannot carry our CSRF token:
  // the codec router checks role and origin itself, and every decode is audited
  if (deps.codec) {
    const store = deps.store;
    app.use(
      createCodecRouter({
        codec: deps.codec,
        allowedRoles: ['school_admin'],
        uiOrigin: deps.temporalUiOrigin ?? new URL(deps.temporalUiUrl).origin,
        onDecode: async (u, count) => {
          await store.appendAudit({
            eventKey: `codec-decode:${randomUUID()}`,
            subjectType: 'school',
            subjectId: u.schoolId,
            action: 'payloads.decoded',
            actor: u.id,
            at: Date.now(),
            details: { count },
          });
        },
      }),
    );
  }
  app.use(csrf);
  app.use(auth.router);
  app.use(createDashboardRouter(deps));
  app.use(createTaskRouter(deps));
  app.use(createAdminRouter(deps));
  app.use(createChecklistRouter(deps));
  app.use(createChecklistEditorRouter(deps));
  app.use(createDeliveriesRouter(deps));
  app.use(createExportsRouter(deps));
  app.use(createCrisisRouter(deps));
  app.use(createScreeningRouter(deps));
  app.use(createScreeningPagesRouter(deps));
  app.use(createCareRouter(deps));
  app.use(createCarePagesRouter(deps));

  app.use((req, res, next) =>
    next(
      routeMethods(app, req.path).size
        ? methodNotAllowed(app, req, res)
        : new NotFoundError(`no page ${req.method} ${req.path}`),
    ),
  );

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const api = req.path.startsWith('/api/') || req.path.startsWith('/codec/');
    const [status, message] = classify(err, res);
    // a page asked for without a session: sign in, then back to it (POST /login checks it is local)
    if (status === 401 && !api)
      return void res.redirect(
        303,
        req.method === 'GET' && req.originalUrl !== '/' && safeNext(req.originalUrl)
          ? `/login?next=${encodeURIComponent(req.originalUrl)}`
          : '/login',
      );
    if (status >= 500) {
      if (deps.observability)
        deps.observability.logger.error(
          { reqId: requestId(res), method: req.method, route: routePattern(req, res), err: errorForLog(err) },
          'request failed',
        );
      else console.error(`web: request failed: ${req.method} ${req.path}: ${errorForLog(err)}`);
    }
    if (status === 503) {
      res.set('Retry-After', String(RETRY_AFTER_S));
      if (!api && req.accepts('html')) {
        const en = req.lang === 'en';
        return void res.status(503).send(
          page(req, {
            title: en ? 'Service temporarily unavailable' : '服务暂时不可用',
            body: html`<h1 id="unavailable">
                ${en ? 'Service temporarily unavailable, your data is safe' : '服务暂时不可用，您的数据是安全的'}
              </h1>
              <p>
                ${en ? 'The database or the workflow service does not answer right now. Nothing you saved is lost. Please try again in a minute; a form you send again is applied only once.' : '数据库或流程服务暂时没有响应，已保存的内容不会丢失。请稍后再试；重新提交的表单只会生效一次。'}
              </p>`,
          }),
        );
      }
    }
    if (api || !req.accepts('html')) return void res.status(status).json({ error: message });
    res.status(status).send(errorPage(req, status, message));
  });
  return app;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** TRACE echoes the request (cookies included) and CONNECT tunnels: never served. */
const NEVER_ALLOWED = new Set(['TRACE', 'TRACK', 'CONNECT']);
/** state-changing routes that need no session */
const PUBLIC_UNSAFE = new Set(['POST /login', 'POST /api/session', 'POST /logout', 'DELETE /api/session']);
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** 405: the path exists, the method does not (the Allow header lists what it has). */
export class MethodNotAllowedError extends Error {
  override name = 'MethodNotAllowedError';
}

interface RouterLayer {
  slash?: boolean;
  matchers?: Array<(path: string) => false | { path: string }>;
  route?: { methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

function collectMethods(stack: RouterLayer[], p: string, out: Set<string>): void {
  for (const layer of stack) {
    let prefix: string | undefined;
    if (layer.slash) prefix = '';
    else {
      for (const m of layer.matchers ?? []) {
        const hit = m(p);
        if (hit) {
          prefix = hit.path;
          break;
        }
      }
    }
    if (prefix === undefined) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods))
        if (on && method !== '_all') out.add(method.toUpperCase());
      if (out.has('GET')) out.add('HEAD');
    } else if (layer.handle?.stack) collectMethods(layer.handle.stack, p.slice(prefix.length) || '/', out);
  }
}

/** The methods the app's routes have for this path (empty: an unknown path). */
function routeMethods(app: express.Express, p: string): Set<string> {
  const out = new Set<string>();
  try {
    collectMethods((app as unknown as { router: { stack: RouterLayer[] } }).router?.stack ?? [], p, out);
  } catch {
    // an unexpected router shape: no 405, the usual 404
  }
  return out;
}

function methodNotAllowed(app: express.Express, req: Request, res: Response): MethodNotAllowedError {
  const methods = [...routeMethods(app, req.path)].sort(
    (a, b) => (METHOD_ORDER.indexOf(a) + 1 || 99) - (METHOD_ORDER.indexOf(b) + 1 || 99),
  );
  if (methods.length) res.set('Allow', methods.join(', '));
  return new MethodNotAllowedError(`method ${req.method} not allowed on ${req.path}`);
}

/** seconds a client should wait before trying again after a 503 */
export const RETRY_AFTER_S = 30;

/** 503: a dependency (the database, Temporal) cannot be reached; nothing was lost. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);
// PostgreSQL: connection exceptions (08…), the server shutting down or starting (57P01–57P03)
const PG_CODES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03']);
const SQLITE_CODES = new Set(['SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_BUSY', 'SQLITE_NOTADB']);
const UNREACHABLE_RE =
  /Timeout acquiring a connection|Unable to acquire a connection|Connection terminated|Client has encountered a connection error|database is not open|Failed to connect before the deadline|No connection established|14 UNAVAILABLE|4 DEADLINE_EXCEEDED/i;

/**
 * Is this error "a dependency is unreachable"? The one place that decides it: connection refused,
 * reset or timed out from knex (pg, sqlite) and from the Temporal client (gRPC UNAVAILABLE or
 * DEADLINE_EXCEEDED), looked for along the error's cause chain.
 */
export function isUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ServiceUnavailableError) return true;
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (NET_CODES.has(code) || PG_CODES.has(code) || SQLITE_CODES.has(code))) return true;
    // gRPC status codes on the Temporal client's errors (ServiceError's cause): 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED
    if (typeof code === 'number' && (code === 14 || code === 4) && ('metadata' in e || 'details' in e)) return true;
    if (name === 'KnexTimeoutError') return true;
    if (typeof message === 'string' && UNREACHABLE_RE.test(message)) return true;
  }
  return false;
}

function classify(err: unknown, res: Response): [number, string] {
  const message = err instanceof Error ? err.message : String(err);
  if (isUnreachable(err))
    return [
      503,
      'service temporarily unavailable (the database or Temporal does not answer); your data is safe, try again shortly',
    ];
  if (err instanceof IdempotencyKeyReusedError) return [422, message];
  if (err instanceof UnauthorizedError) return [401, res.locals.sessionExpired ? 'session expired' : message];
  if (err instanceof ForbiddenError) return [403, message];
  if (err instanceof NotFoundError) return [404, message];
  if (err instanceof TaskRejectedError) return [409, message];
  if (
    err instanceof BadRequestError ||
    err instanceof DataFileError ||
    err instanceof PlanError ||
    err instanceof CalendarError
  )
    return [400, message];
  if (err instanceof UploadError) return [err.status, message];
  if (err instanceof MethodNotAllowedError) return [405, message];
  if (err instanceof multer.MulterError) return [400, `upload refused: ${err.message}`];
  const status =
    (err as { status?: number; statusCode?: number })?.status ?? (err as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return [status, message];
  return [500, 'internal error'];
}
