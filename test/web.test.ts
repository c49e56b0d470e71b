/**
 * The web app's public surface over real HTTP: health, assets, the public college list, the
 * language switch, and sign-in being required everywhere else.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_COLLEGES } from '../db/demo';
import { createKnex } from '../db/knex';
import { createStore } from '../db/store';
import { webFixture, type WebFixture } from './helpers/web';

let fx: WebFixture;
beforeAll(async () => {
  fx = await webFixture();
});
afterAll(async () => {
  await fx.close();
});

async function withApp<T>(overrides: Parameters<typeof webFixture>[0], fn: (f: WebFixture) => Promise<T>): Promise<T> {
  const f = await webFixture(overrides, { plan: false });
  try {
    return await fn(f);
  } finally {
    await f.close();
  }
}

describe('GET /healthz', () => {
  test('When Temporal and the database answer, then it is 200 ok', async () => {
    const res = await fetch(`${fx.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', temporal: 'ok', database: 'ok' });
  });
  test('When Temporal does not answer, then it is 503 with the reason', async () => {
    await withApp(
      { checkTemporal: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233')) },
      async (f) => {
        const res = await fetch(`${f.base}/healthz`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({
          status: 'unavailable',
          temporal: 'error: connect ECONNREFUSED 127.0.0.1:7233',
          database: 'ok',
        });
      },
    );
  });
  test('When Temporal hangs, then it is 503 after the probe timeout', async () => {
    await withApp({ checkTemporal: () => new Promise(() => {}) }, async (f) => {
      const res = await fetch(`${f.base}/healthz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { temporal: string }).temporal).toBe(
        'error: Temporal did not answer within 3000 ms',
      );
    });
  });
  test('When the database is gone, then it is 503 naming the database', async () => {
    const broken = createKnex({ sqliteFile: `${fx.dir}/gone.sqlite` });
    await broken.destroy();
    await withApp({ store: createStore(broken) }, async (f) => {
      const res = await fetch(`${f.base}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { temporal: string; database: string };
      expect(body.temporal).toBe('ok');
      expect(body.database).toMatch(/^error: /);
    });
  });
});

describe('public pages and assets', () => {
  test('When the stylesheet and script are requested, then the app serves them itself (no CDN)', async () => {
    for (const [p, type] of [
      ['/assets/app.css', 'text/css'],
      ['/assets/app.js', 'javascript'],
    ] as const) {
      const res = await fetch(`${fx.base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
  });
  test('When the colleges API is asked, then it lists the demo colleges', async () => {
    const body = (await (await fetch(`${fx.base}/api/colleges`)).json()) as { colleges: Array<{ id: string }> };
    expect(body.colleges.map((c) => c.id)).toEqual(DEMO_COLLEGES.map((c) => c.id));
  });
  test('When the overview is opened signed out, then it redirects to the login page', async () => {
    const res = await fetch(`${fx.base}/`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });
  test('When any page is served, then security headers are set', async () => {
    const res = await fetch(`${fx.base}/login`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    // not no-referrer: under it Chromium posts forms with "Origin: null" and sign-in would be refused
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
  });
  test('When the language is switched to English, then the choice is remembered in a cookie', async () => {
    const res = await fetch(`${fx.base}/login?lang=en`);
    expect(res.headers.get('set-cookie')).toContain('lang=en');
  });
});
