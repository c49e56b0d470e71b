/**
 * The Express app, built from its dependencies so tests can listen on port 0 and talk real HTTP.
 */
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { Store } from '../db/store';
import { NotFoundError } from './semesters';
import { html, page } from './html';
import { MESSAGES, pickLang } from './messages';

export interface AppDeps {
  store: Store;
  /** semester use cases bound to a Temporal client (server/semesters.ts) */
  semesters?: {
    start(semesterId: string): Promise<{ workflowId: string }>;
    addCollege(semesterId: string, collegeId: string): Promise<{ workflowId: string }>;
  };
  /**
   * Bearer token for the administration API until sign-in with roles exists; unset disables it.
   * Compared in constant time.
   */
  adminApiToken?: string;
  schoolId: string;
  temporalUiUrl: string;
  /** throws when Temporal does not answer */
  checkTemporal: () => Promise<void>;
  now?: () => number;
}

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

export function createApp(deps: AppDeps): express.Express {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  app.use('/assets', express.static(path.join(__dirname, 'assets'), { maxAge: '1h' }));

  app.get('/healthz', async (_req, res) => {
    const [temporal, database] = await Promise.all([probe(deps.checkTemporal, 'Temporal'), probe(() => store.ping(), 'the database')]);
    const ok = temporal === 'ok' && database === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', temporal, database });
  });

  /** Colleges of the school, with task counts of its latest semester from the read model. */
  async function collegeOverview() {
    const school = await store.getSchool(deps.schoolId);
    if (!school) return null;
    const colleges = await store.listColleges(school.id);
    const semester = (await store.listSemesters(school.id)).find((s) => s.status !== 'planned') ?? null;
    const rows = semester ? await store.complianceByCollegeMonth(semester.id, now()) : [];
    const totals = new Map<string, { planned: number; completed: number; overdue: number; escalated: number }>();
    for (const r of rows) {
      const t = totals.get(r.collegeId) ?? { planned: 0, completed: 0, overdue: 0, escalated: 0 };
      t.planned += r.planned;
      t.completed += r.onTime + r.late;
      t.overdue += r.overdue;
      t.escalated += r.escalated;
      totals.set(r.collegeId, t);
    }
    return {
      school,
      semester,
      colleges: colleges.map((c) => ({ id: c.id, name: c.name, nameEn: c.nameEn, ...(totals.get(c.id) ?? { planned: 0, completed: 0, overdue: 0, escalated: 0 }) })),
    };
  }

  /** Administration API: bearer token (ADMIN_API_TOKEN) until sessions and roles arrive. */
  const requireAdmin = (req: Request, res: Response, next: NextFunction) => {
    if (!deps.adminApiToken) return void res.status(403).json({ error: 'the administration API is disabled: set ADMIN_API_TOKEN to enable it' });
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    const want = Buffer.from(deps.adminApiToken);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return void res.status(401).json({ error: 'missing or wrong bearer token' });
    next();
  };

  app.get('/api/semesters', requireAdmin, async (_req, res) => {
    const rows = await store.listSemesters(deps.schoolId);
    res.json({ semesters: rows.map((s) => ({ id: s.id, status: s.status, templateId: s.templateId, templateVersion: s.templateVersion, calendarId: s.calendarId, workflowId: s.workflowId })) });
  });

  app.post('/api/semesters/:id/start', requireAdmin, async (req, res) => {
    if (!deps.semesters) return void res.status(503).json({ error: 'Temporal is not configured for this server' });
    const semester = await store.getSemester(String(req.params.id));
    if (!semester || semester.schoolId !== deps.schoolId) return void res.status(404).json({ error: `unknown semester ${req.params.id}` });
    const r = await deps.semesters.start(semester.id);
    res.status(202).json({ semester: semester.id, workflowId: r.workflowId });
  });

  app.post('/api/semesters/:id/colleges/:collegeId/start', requireAdmin, async (req, res) => {
    if (!deps.semesters) return void res.status(503).json({ error: 'Temporal is not configured for this server' });
    const semester = await store.getSemester(String(req.params.id));
    if (!semester || semester.schoolId !== deps.schoolId) return void res.status(404).json({ error: `unknown semester ${req.params.id}` });
    const r = await deps.semesters.addCollege(semester.id, String(req.params.collegeId));
    res.status(202).json({ semester: semester.id, college: req.params.collegeId, workflowId: r.workflowId });
  });

  app.get('/api/colleges', async (_req, res) => {
    const o = await collegeOverview();
    if (!o) return void res.status(404).json({ error: `unknown school ${deps.schoolId}` });
    res.json({ school: { id: o.school.id, name: o.school.name }, semester: o.semester?.id ?? null, colleges: o.colleges });
  });

  app.get('/', async (req, res) => {
    const lang = pickLang(req.query.lang);
    const t = MESSAGES[lang];
    const o = await collegeOverview();
    if (!o) return void res.status(404).send(`unknown school ${deps.schoolId}`);
    const name = (c: { name: string; nameEn: string }) => (lang === 'en' ? c.nameEn : c.name);
    const body = html`
<h1>${lang === 'en' ? o.school.nameEn : o.school.name}</h1>
<p class="muted">${t.semester}: ${o.semester ? o.semester.id : t.noSemester} · <a href="${deps.temporalUiUrl}">${t.temporalUi}</a> · <a href="/healthz">${t.health}</a></p>
<h2>${t.colleges} (${o.colleges.length})</h2>
<table id="colleges">
<thead><tr><th>${t.college}</th><th>${t.planned}</th><th>${t.completed}</th><th>${t.overdue}</th><th>${t.escalated}</th></tr></thead>
<tbody>
${o.colleges.map(
  (c) => html`<tr data-college="${c.id}"><td>${name(c)}</td><td class="num">${c.planned}</td><td class="num">${c.completed}</td><td class="num${c.overdue ? ' bad' : ''}">${c.overdue}</td><td class="num">${c.escalated}</td></tr>
`,
)}
</tbody>
</table>`;
    res.type('html').send(page({ lang, t, title: t.colleges, body }));
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof NotFoundError) return void res.status(404).json({ error: err.message });
    console.error('web: request failed:', err);
    res.status(500).json({ error: 'internal error' });
  });
  return app;
}
