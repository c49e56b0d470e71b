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
import { createAuth } from './auth';
import type { AppDeps } from './deps';
import { createExportsRouter } from './exports';
import { html, page } from './html';
import { pickLang } from './messages';
import { createAdminRouter } from './routes/admin';
import { createCrisisRouter } from './routes/crisis';
import { createCareRouter } from './routes/care';
import { createCarePagesRouter } from './routes/care-pages';
import { createScreeningRouter } from './routes/screening';
import { createDashboardRouter } from './routes/dashboard';
import { createTaskRouter } from './routes/tasks';
import { NotFoundError } from './semesters';
import { TaskRejectedError } from './tasks';

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
  app.use(express.json({ limit: '256kb' }));
  app.use(express.urlencoded({ extended: false, limit: '256kb' }));
  app.use((req, res, next) => {
    req.lang = pickLang(req.query.lang, cookie(req, 'lang'));
    if (typeof req.query.lang === 'string') res.cookie('lang', req.lang, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/' });
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const [temporal, database] = await Promise.all([probe(deps.checkTemporal, 'Temporal'), probe(() => deps.store.ping(), 'the database')]);
    const ok = temporal === 'ok' && database === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', temporal, database });
  });

  app.get('/api/openapi.json', (_req, res) => void res.sendFile(path.join(__dirname, 'openapi.json')));

  /** The college list is public reference data (no students, no task state). */
  app.get('/api/colleges', async (_req, res) => {
    const school = await deps.store.getSchool(deps.schoolId);
    if (!school) throw new NotFoundError(`unknown school ${deps.schoolId}`);
    const colleges = await deps.store.listColleges(school.id);
    res.json({ school: { id: school.id, name: school.name }, colleges: colleges.map((c) => ({ id: c.id, name: c.name, nameEn: c.nameEn })) });
  });

  const auth = createAuth(deps);
  const [session, csrf] = auth.before as [express.RequestHandler, express.RequestHandler];
  app.use(session);
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
          await store.appendAudit({ eventKey: `codec-decode:${randomUUID()}`, subjectType: 'school', subjectId: u.schoolId, action: 'payloads.decoded', actor: u.id, at: Date.now(), details: { count } });
        },
      }),
    );
  }
  app.use(csrf);
  app.use(auth.router);
  app.use(createDashboardRouter(deps));
  app.use(createTaskRouter(deps));
  app.use(createAdminRouter(deps));
  app.use(createExportsRouter(deps));
  app.use(createCrisisRouter(deps));
  app.use(createScreeningRouter(deps));
  app.use(createCareRouter(deps));
  app.use(createCarePagesRouter(deps));

  app.use((req, _res, next) => next(new NotFoundError(`no page ${req.method} ${req.path}`)));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const api = req.path.startsWith('/api/');
    const [status, message] = classify(err, res);
    if (status === 401 && !api) return void res.redirect(303, '/login');
    if (status >= 500) console.error(`web: request failed: ${req.method} ${req.path}: ${errorForLog(err)}`);
    if (api || !req.accepts('html')) return void res.status(status).json({ error: message });
    res.status(status).send(page(req, { title: String(status), body: html`<h1>${status}</h1><p class="error">${message}</p>` }));
  });
  return app;
}

function classify(err: unknown, res: Response): [number, string] {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UnauthorizedError) return [401, res.locals.sessionExpired ? 'session expired' : message];
  if (err instanceof ForbiddenError) return [403, message];
  if (err instanceof NotFoundError) return [404, message];
  if (err instanceof TaskRejectedError) return [409, message];
  if (err instanceof BadRequestError || err instanceof DataFileError || err instanceof PlanError || err instanceof CalendarError) return [400, message];
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return [413, `file too large (${err.field ?? 'upload'}): the limit is ${err.field === 'templateFile' || err.field === 'calendarFile' ? '1 MB' : '10 MB'} per file`];
    return [400, `upload refused: ${err.message}`];
  }
  const status = (err as { status?: number; statusCode?: number })?.status ?? (err as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return [status, message];
  return [500, 'internal error'];
}
