/**
 * Issue 14, deliver 2: sign-in returns to the page that was asked for, and only to a local path.
 *  - a page asked for without a session redirects to /login?next=<path and query>;
 *  - the login form carries `next` and POST /login redirects there after success;
 *  - anything that is not a single-slash local path (another host, a scheme, `//`, `/\`, control
 *    characters) is refused: the user lands on the default page, never elsewhere.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PASSWORD } from '../../db/demo';
import { safeNext } from '../../server/auth';
import { webFixture, type WebFixture } from '../helpers/web';

let fx: WebFixture;
beforeAll(async () => {
  fx = await webFixture({}, { plan: false });
});
afterAll(async () => {
  await fx?.close();
});

const login = (next: string | undefined, query = '') =>
  fetch(`${fx.base}/login${query}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: fx.base },
    body: new URLSearchParams({
      username: 'literature-counsellor',
      password: DEMO_PASSWORD,
      ...(next === undefined ? {} : { next }),
    }).toString(),
  });

describe('sign-in returns to the page asked for', () => {
  test('When a page is asked for without a session, then the redirect to /login carries the path and query as next', async () => {
    const r = await fetch(`${fx.base}/tasks/mine?status=overdue`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/tasks/mine?status=overdue')}`);
  });

  test('When the login page is opened with next, then its form carries it', async () => {
    const r = await fetch(`${fx.base}/login?next=${encodeURIComponent('/crises/abc?x=1')}`);
    const body = await r.text();
    expect(body).toContain('name="next" value="/crises/abc?x=1"');
  });

  test('When sign-in succeeds with a local next, then it redirects there', async () => {
    const r = await login('/crises/abc?x=1');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/crises/abc?x=1');
  });

  test('When sign-in succeeds without next, then it goes to the default page', async () => {
    const r = await login(undefined);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/');
  });

  test.each([
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/ok\r\nLocation: https://evil.example',
    '/\tevil',
    ' //evil.example',
    '',
  ])(
    'When sign-in succeeds with next=%j (not a local path), then it goes to the default page, not there',
    async (next) => {
      const r = await login(next);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/');
    },
  );

  test('safeNext accepts only single-slash local paths', () => {
    expect(safeNext('/inbox')).toBe('/inbox');
    expect(safeNext('/care?college=literature')).toBe('/care?college=literature');
    for (const bad of ['//x', '/\\x', 'http://x', 'x', '', undefined, 42, ['/inbox'], '/a\nb', '/' + 'a'.repeat(3000)])
      expect(safeNext(bad)).toBeUndefined();
  });
});
