/**
 * The two student roles (class psychology committee member, dorm information officer) reach nothing
 * but their own reports (issue 16 part 2): every route the app registers is walked, and each one
 * that is not public, not their session and not their own report page answers 403 to both roles,
 * whatever id it is given (another student's crisis case, warning, key-care entry, task, user...).
 * What they may reach shows their own reports and their unit's list only.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, registeredRoutes, webFixture, type Session, type WebFixture } from './helpers/web';
import { importDemoRoster, openWeek, seedReporters } from './helpers/units';

/** Reachable by anyone (no session needed, or the caller's own session). */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /livez',
  'GET /readyz',
  'GET /api/colleges',
  'GET /api/openapi.json',
  'GET /manifest.webmanifest',
  'GET /favicon.ico',
  'GET /login',
  'POST /login',
  'POST /api/session',
  'GET /api/session',
  'DELETE /api/session',
  'POST /logout',
  'GET /ics/:token.ics', // the secret URL is the credential: an unknown token is 404 for everyone
]);
/** The reporter's own reports: the only other routes they reach. */
const OWN = new Set([
  'GET /report',
  'POST /report/nothing-unusual',
  'POST /report/concern',
  'GET /api/report',
  'POST /api/report',
]);

let fx: WebFixture;
const reporters: Record<string, Session> = {};
let otherConcernStudent = '';

/** A concrete path for a route: every parameter is a real id of someone else's data where one exists. */
const concrete = (pattern: string, ids: Record<string, string>) =>
  pattern.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(ids[name] ?? `${name}-1`));

beforeAll(async () => {
  fx = await webFixture();
  await seedReporters(fx.store);
  await importDemoRoster(fx);
  const now = Date.now();
  for (const college of ['literature', 'science'])
    await openWeek(fx, fx.semesterId, college, { weekNo: 1, openAt: now - 3_600_000, dueAt: now + 86_400_000 });
  for (const u of ['lit-psych-member', 'lit-dorm-officer', 'sci-psych-member']) reporters[u] = await login(fx.base, u);
  // the science reporter files a concern about a science student: the literature reporters must never see it
  const sci = (await (await reporters['sci-psych-member']!.fetch('/api/report')).json()) as {
    classmates: Array<{ id: string; name: string }>;
  };
  otherConcernStudent = sci.classmates[0]!.name;
  const filed = await reporters['sci-psych-member']!.fetch('/api/report', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'concern',
      studentId: sci.classmates[0]!.id,
      category: 'mood',
      note: '在宿舍哭泣多次',
    }),
  });
  expect(filed.status).toBe(201);
}, 60_000);
afterAll(async () => {
  await fx?.close();
});

describe('student reporters reach nothing but their own reports', () => {
  test('When a reporter calls every other route of the app, then each answers 403 with a clear message', async () => {
    const task = (await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'literature' }))[0]!;
    const unit = (await fx.knex('units').where({ code: 'HY2401' }).first('id')) as { id: string };
    const student = (await fx.knex('students').where({ student_no: '2024001' }).first('id')) as { id: string };
    const ids: Record<string, string> = {
      id: student.id,
      taskId: task.id,
      unitId: unit.id,
      semesterId: fx.semesterId,
      studentId: student.id,
      collegeId: 'literature',
      college: 'literature',
    };
    // GET / takes them to their report page (the next test)
    const routes = [...new Set(registeredRoutes(fx.deps))].filter(
      (r) => !PUBLIC.has(r) && !OWN.has(r) && r !== 'GET /',
    );
    expect(routes.length).toBeGreaterThan(50);
    for (const who of ['lit-psych-member', 'lit-dorm-officer']) {
      for (const route of routes) {
        const [method, pattern] = route.split(' ') as [string, string];
        const path = concrete(pattern, ids);
        const res = await reporters[who]!.fetch(path, {
          method,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        });
        expect(res.status, `${who} ${route}`).toBe(403);
        const body = await res.text();
        expect(body, `${who} ${route}`).toMatch(/only their own weekly reports|the codec needs the role school_admin/);
      }
    }
  }, 120_000);

  test('When a reporter opens the home page, then they land on their own report page, whose navigation offers nothing else', async () => {
    const s = reporters['lit-psych-member']!;
    const home = await s.fetch('/');
    expect([home.status, home.headers.get('location')]).toEqual([303, '/report']);
    const page = await (await s.fetch('/report')).text();
    expect(page).toContain('id="nothing-unusual"');
    const nav = /<nav>([\s\S]*?)<\/nav>/.exec(page)![1]!;
    expect([...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual(['/report']);
  });

  test("When a reporter reads their own reports, then they see their unit's list and what they filed, never another reporter's concern", async () => {
    for (const who of ['lit-psych-member', 'lit-dorm-officer']) {
      const res = await reporters[who]!.fetch('/api/report');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { reports: unknown[]; classmates: Array<Record<string, unknown>> };
      expect(body.reports).toEqual([]);
      // names and opaque ids of their own unit only: no student number, no other unit's student
      for (const c of body.classmates) expect(Object.keys(c).sort()).toEqual(['id', 'name']);
      expect(JSON.stringify(body)).not.toContain(otherConcernStudent);
      expect(JSON.stringify(body)).not.toContain('在宿舍哭泣多次');
      const page = await (await reporters[who]!.fetch('/report')).text();
      expect(page).not.toContain('在宿舍哭泣多次');
    }
    const sci = (await (await reporters['sci-psych-member']!.fetch('/api/report')).json()) as {
      reports: Array<{ kind: string; note: string }>;
    };
    expect(sci.reports.map((r) => [r.kind, r.note])).toEqual([['concern', '在宿舍哭泣多次']]);
  });

  test('When a staff member calls the reporter routes, then they are refused: the page is for reporters', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    expect((await staff.fetch('/api/report')).status).toBe(403);
    const filed = await staff.fetch('/api/report', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'nothing_unusual' }),
    });
    expect(filed.status).toBe(403);
  });
});
