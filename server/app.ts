/**
 * The Express app, built from its dependencies so tests listen on port 0 and talk real HTTP.
 * Order: security headers → body parsers → language → session and CSRF → routers → errors.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type Request } from 'express';
import helmet from 'helmet';
import { createCodecRouter } from './platform/codec-endpoint';
import type { AppDeps } from './platform/deps';
import { createExportsRouter } from './features/exports/router';
import { createIndicatorsRouter } from './features/indicators/router';
import { createUsersApi } from './features/users/api';
import { createUsersPages } from './features/users/pages';
import { pickLang } from './platform/i18n';
import { createSignIn } from './platform/auth/sign-in';
import { requestGate, unknownRoute } from './platform/request-gate';
import { errorMiddleware } from './platform/error-middleware';
import { unreadBadge } from './platform/unread-badge';
import { NotFoundError } from './platform/errors';
import { RETRY_AFTER_S } from './platform/unreachable';
import { createOperationsAdminRouter } from './features/operations/admin';
import { createHandOverPages } from './features/hand-over/pages';
import { createSemesterApi } from './features/semesters/api';
import { createSemesterPages } from './features/semesters/pages';
import { createRollForwardRouter } from './features/semesters/roll-forward-pages';
import { createChecklistPages } from './features/checklists/pages';
import { createChecklistEditorRouter } from './features/checklists/editor-pages';
import { createDeliveriesRouter } from './features/operations/routes';
import { createCrisisApiRouter } from './features/crisis/api';
import { createCrisisPagesRouter } from './features/crisis/pages';
import { createCareRouter } from './features/care/api';
import { createCarePagesRouter } from './features/care/pages';
import { createArchiveApiRouter } from './features/archive/api';
import { createArchivePagesRouter } from './features/archive/pages';
import { createScreeningRouter } from './features/screening/api';
import { createScreeningPagesRouter } from './features/screening/pages';
import { createDashboardRouter } from './features/dashboard/router';
import { createTaskRouter } from './features/tasks/router';
import { createUnitsApi } from './features/units/api';
import { createUnitsPages } from './features/units/pages';
import { reporterGate } from './features/units/gate';
import { observeRequests } from './observability/http';

export type { AppDeps } from './platform/deps';

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
  const auth = createSignIn(deps);
  const [session, csrf] = auth.before as [express.RequestHandler, express.RequestHandler];
  app.use(session);
  app.use(unreadBadge(deps.knex)); // the inbox badge of the navigation (pages only)
  app.use(requestGate(app));
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
  // the class and dorm reporters (students) reach nothing but their own reports: before every feature
  app.use(reporterGate);
  app.use(createUsersPages(deps));
  app.use(createUsersApi(deps));
  app.use(createDashboardRouter(deps));
  app.use(createTaskRouter(deps));
  // the school admin's operations, hand-over and semesters, in the order they were always mounted
  app.use(createOperationsAdminRouter(deps));
  app.use(createHandOverPages(deps));
  app.use(createSemesterApi(deps));
  app.use(createSemesterPages(deps));
  app.use(createChecklistPages(deps));
  app.use(createRollForwardRouter(deps));
  app.use(createChecklistEditorRouter(deps));
  app.use(createDeliveriesRouter(deps));
  app.use(createExportsRouter(deps));
  app.use(createIndicatorsRouter(deps));
  app.use(createCrisisApiRouter(deps));
  app.use(createCrisisPagesRouter(deps));
  app.use(createScreeningRouter(deps));
  app.use(createScreeningPagesRouter(deps));
  app.use(createCareRouter(deps));
  app.use(createCarePagesRouter(deps));
  app.use(createArchiveApiRouter(deps));
  app.use(createArchivePagesRouter(deps));
  app.use(createUnitsApi(deps));
  app.use(createUnitsPages(deps));

  app.use(unknownRoute(app));

  app.use(errorMiddleware(deps.observability));
  return app;
}
