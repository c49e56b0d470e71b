/**
 * The web app over real HTTP (port 0) and a real SQLite read model.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_COLLEGES, seedDemoSchool } from '../db/demo';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore, type Store } from '../db/store';
import { createApp, type AppDeps } from '../server/app';
import { createSemester, NotFoundError, registerDataFiles } from '../server/semesters';

let dir: string;
let db: Knex;
let store: Store;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-web-'));
  db = createKnex({ sqliteFile: path.join(dir, 'app.sqlite') });
  await migrateLatest(db);
  store = createStore(db);
  await seedDemoSchool(store);
});
afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function withServer<T>(overrides: Partial<AppDeps>, fn: (base: string) => Promise<T>): Promise<T> {
  const app = createApp({ store, schoolId: 'demo-school', temporalUiUrl: 'http://127.0.0.1:8233', checkTemporal: async () => {}, ...overrides });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('GET /healthz', () => {
  test('When Temporal and the database answer, then it is 200 ok', async () => {
    await withServer({}, async (base) => {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', temporal: 'ok', database: 'ok' });
    });
  });
  test('When Temporal does not answer, then it is 503 with the reason', async () => {
    await withServer({ checkTemporal: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233')) }, async (base) => {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', temporal: 'error: connect ECONNREFUSED 127.0.0.1:7233', database: 'ok' });
    });
  });
  test('When Temporal hangs, then it is 503 after the probe timeout', async () => {
    await withServer({ checkTemporal: () => new Promise(() => {}) }, async (base) => {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { temporal: string }).temporal).toBe('error: Temporal did not answer within 3000 ms');
    });
  });
  test('When the database is gone, then it is 503 naming the database', async () => {
    const broken = createKnex({ sqliteFile: path.join(dir, 'gone.sqlite') });
    await broken.destroy();
    await withServer({ store: createStore(broken) }, async (base) => {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { temporal: string; database: string };
      expect(body.temporal).toBe('ok');
      expect(body.database).toMatch(/^error: /);
    });
  });
});

describe('GET /', () => {
  test('When the demo school is seeded, then the page lists its eight colleges in Chinese', async () => {
    await withServer({}, async (base) => {
      const res = await fetch(`${base}/`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('<html lang="zh-CN">');
      for (const c of DEMO_COLLEGES) expect(text).toContain(`<tr data-college="${c.id}"><td>${c.name}</td>`);
      expect(text).toContain('/assets/app.css');
    });
  });
  test('When English is chosen, then the colleges appear under their English names', async () => {
    await withServer({}, async (base) => {
      const text = await (await fetch(`${base}/?lang=en`)).text();
      expect(text).toContain('<html lang="en">');
      expect(text).toContain(`<td>${DEMO_COLLEGES[0]!.nameEn}</td>`);
    });
  });
  test('When the stylesheet is requested, then the app serves it itself', async () => {
    await withServer({}, async (base) => {
      const res = await fetch(`${base}/assets/app.css`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/css');
    });
  });
  test('When the colleges API is asked, then it returns the same colleges as JSON', async () => {
    await withServer({}, async (base) => {
      const body = (await (await fetch(`${base}/api/colleges`)).json()) as { colleges: Array<{ id: string }>; semester: string | null };
      expect(body.colleges.map((c: { id: string }) => c.id)).toEqual(DEMO_COLLEGES.map((c) => c.id));
      expect(body.semester).toBeNull();
    });
  });
});

describe('administration API (bearer token until sign-in)', () => {
  const token = 'a-long-enough-test-token-0123456789';
  const started: string[] = [];
  const semesters = {
    start: async (id: string) => {
      started.push(id);
      return { workflowId: `semester.${id}` };
    },
    addCollege: async (id: string, collegeId: string) => {
      if (collegeId !== 'literature') throw new NotFoundError(`unknown college ${collegeId} in the school of semester ${id}`);
      started.push(`${id}/${collegeId}`);
      return { workflowId: `college-semester.${id}.${collegeId}` };
    },
  };
  const post = (base: string, p: string, auth?: string) => fetch(`${base}${p}`, { method: 'POST', headers: auth ? { authorization: `Bearer ${auth}` } : {} });

  test('When no token is configured, then the API is refused as disabled', async () => {
    await withServer({ semesters }, async (base) => {
      const res = await post(base, '/api/semesters/web-sem/start', token);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe('the administration API is disabled: set ADMIN_API_TOKEN to enable it');
    });
  });
  test('When the token is missing or wrong, then it is 401 and nothing starts', async () => {
    await withServer({ semesters, adminApiToken: token }, async (base) => {
      expect((await post(base, '/api/semesters/web-sem/start')).status).toBe(401);
      expect((await post(base, '/api/semesters/web-sem/start', `${token}x`)).status).toBe(401);
      expect(started).toEqual([]);
    });
  });
  test('When the token is right, then the semester starts, a college can be added, and unknown ones are 404', async () => {
    const template = await registerDataFiles(store, {
      templateFile: path.join(__dirname, '..', 'checklists', 'runxin-2024-autumn.json'),
      calendarFile: path.join(__dirname, '..', 'calendars', '2024-autumn.json'),
    });
    await createSemester(store, { id: 'web-sem', schoolId: 'demo-school', templateId: template.template.id, templateVersion: 1, calendarId: '2024-autumn' });
    await withServer({ semesters, adminApiToken: token }, async (base) => {
      const res = await post(base, '/api/semesters/web-sem/start', token);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ semester: 'web-sem', workflowId: 'semester.web-sem' });
      expect((await post(base, '/api/semesters/web-sem/colleges/literature/start', token)).status).toBe(202);
      const unknownCollege = await post(base, '/api/semesters/web-sem/colleges/nowhere/start', token);
      expect(unknownCollege.status).toBe(404);
      expect(((await unknownCollege.json()) as { error: string }).error).toBe('unknown college nowhere in the school of semester web-sem');
      expect((await post(base, '/api/semesters/no-such/start', token)).status).toBe(404);
      expect(started).toEqual(['web-sem', 'web-sem/literature']);
      const list = (await (await fetch(`${base}/api/semesters`, { headers: { authorization: `Bearer ${token}` } })).json()) as { semesters: Array<{ id: string }> };
      expect(list.semesters.map((s) => s.id)).toEqual(['web-sem']);
    });
  });
});
