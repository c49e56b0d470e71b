/**
 * Issue 14, deliver 1, 2 and 8: the pages on a phone (390×844, touch) and on a desktop (1280×800),
 * in Debian's Chromium via playwright-core, for a counsellor, a college leader and the admin:
 *  - no page scrolls sideways (`scrollWidth <= innerWidth`), and each is saved as a screenshot
 *    under artifacts/screenshots/ (git-ignored);
 *  - reporting a crisis takes at most 3 taps from the home page (the navigation's link, then the
 *    form's button; typing into fields is not a tap);
 *  - the inbox link's badge shows the number of unread entries, and an alert is a link to its subject;
 *  - signing in from a deep link returns to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { workerStack, type WorkerStack } from './helpers/worker';
import { DEMO_PASSWORD } from '../db/demo';
import { launchChromium, pageWidths, signIn, sizedPage } from './helpers/browser';
import { type WebFixture } from './helpers/web';

const SCREENSHOTS = path.resolve(__dirname, '..', 'artifacts', 'screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const USERS = ['literature-counsellor', 'literature-college-leader', 'admin'] as const;

let stack: WorkerStack;
let fx: WebFixture;
let browser: Browser | undefined;
let caseId: string | undefined;

beforeAll(async () => {
  stack = await workerStack('mobile-browser', { server: 'dev' });
  ({ fx } = stack);
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
}, 60_000);

describe('the pages on a phone and on a desktop', () => {
  test('When a counsellor reports a crisis from the home page on a phone, then it takes at most 3 taps', async () => {
    const { context, page } = await sizedPage(browser!, fx.base, PHONE);
    try {
      await signIn(page, 'literature-counsellor');
      await page.goto('/');
      let taps = 0;
      // 1: the navigation's permanent link
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/crises/new'),
        page.locator('header nav a.report-crisis').tap(),
      ]);
      taps++;
      await page.fill('input[name="studentNo"]', '2024330099');
      await page.fill('input[name="studentName"]', '许知远');
      await page.selectOption('select[name="situation"]', 'self_harm_risk');
      await page.fill('input[name="place"]', '图书馆三楼');
      // 2: the form's button
      await Promise.all([
        page.waitForURL((u) => /^\/crises\/[0-9a-f-]{36}$/.test(u.pathname)),
        page.locator('form[action="/crises"] button[type="submit"]').tap(),
      ]);
      taps++;
      expect(taps).toBeLessThanOrEqual(3);
      caseId = new URL(page.url()).pathname.split('/').pop()!;
      await expect(page.locator('main').textContent()).resolves.toContain('许知远');
    } finally {
      await context.close();
    }
  }, 60_000);

  for (const size of [PHONE, DESKTOP]) {
    for (const username of USERS) {
      test(`When ${username} opens the main pages at ${size.width}×${size.height}, then none scrolls sideways`, async () => {
        expect(caseId, 'the crisis case of the first test').toBeDefined();
        const { context, page } = await sizedPage(browser!, fx.base, size);
        try {
          await signIn(page, username);
          const pages = [
            '/',
            '/tasks/mine',
            '/inbox',
            '/care',
            '/crises/new',
            `/crises/${caseId}`,
            ...(username === 'admin' ? ['/admin/users', '/admin/semesters'] : ['/colleges/literature']),
          ];
          const wide: string[] = [];
          for (const p of pages) {
            const res = await page.goto(p);
            expect(res?.status(), `${p} for ${username}`).toBe(200);
            const o = await pageWidths(page);
            if (o.scrollWidth > o.innerWidth) wide.push(`${p}: ${o.scrollWidth} > ${o.innerWidth}`);
            const name =
              p === '/'
                ? 'overview'
                : p
                    .replace(/^\//, '')
                    .replace(caseId!, 'case')
                    .replace(/[^a-z0-9]+/gi, '-');
            await page.screenshot({
              path: path.join(SCREENSHOTS, `${username}-${size.width}-${name}.png`),
              fullPage: true,
            });
          }
          expect(wide, 'pages wider than the screen').toEqual([]);
          // the navigation offers the crisis report to every role
          await page.goto('/tasks/mine');
          await expect(page.locator('header nav a.report-crisis').getAttribute('href')).resolves.toBe('/crises/new');
          // touch targets: the navigation's links are at least 44 px high
          const heights = await Promise.all(
            (await page.locator('header nav > a').all()).map(async (a) => (await a.boundingBox())?.height ?? 0),
          );
          expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
        } finally {
          await context.close();
        }
      }, 90_000);
    }
  }

  test('When the counsellor has unread alerts, then the inbox badge shows their number, and the crisis alert is a link to the case', async () => {
    expect(caseId).toBeDefined();
    const user = await fx.store.findUserByUsername('literature-counsellor');
    await fx.knex('notifications').insert({
      event_key: `mobile-test:${caseId}`,
      recipient_user_id: user!.id,
      channel: 'inbox',
      kind: 'crisis_test',
      subject_type: 'crisis',
      subject_id: caseId,
      title: '危机个案提醒（测试）',
      body: '请查看个案',
      created_at: Date.now(),
    });
    const unread = Number(
      (
        (await fx
          .knex('notifications')
          .where({ recipient_user_id: user!.id })
          .whereNull('read_at')
          .count({ n: '*' })) as Array<{
          n: number;
        }>
      )[0]!.n,
    );
    expect(unread).toBeGreaterThan(0);
    const { context, page } = await sizedPage(browser!, fx.base, PHONE);
    try {
      await signIn(page, 'literature-counsellor');
      await page.goto('/inbox');
      await expect(page.locator('#inbox-badge').textContent()).resolves.toBe(unread > 99 ? '99+' : String(unread));
      await Promise.all([
        page.waitForURL((u) => u.pathname === `/crises/${caseId}`),
        page.locator('#inbox a', { hasText: '危机个案提醒（测试）' }).tap(),
      ]);
    } finally {
      await context.close();
    }
  }, 60_000);

  test('When a leader follows a link to a case while signed out, then after signing in the case page opens', async () => {
    expect(caseId).toBeDefined();
    const { context, page } = await sizedPage(browser!, fx.base, PHONE);
    try {
      await page.goto(`/crises/${caseId}`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('#username', 'literature-college-leader');
      await page.fill('#password', DEMO_PASSWORD);
      await Promise.all([
        page.waitForURL((u) => u.pathname !== '/login'),
        page.locator('form[action^="/login"] button[type="submit"]').tap(),
      ]);
      expect(new URL(page.url()).pathname).toBe(`/crises/${caseId}`);
    } finally {
      await context.close();
    }
  }, 60_000);
});
