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
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PASSWORD } from '../db/demo';
import { createOutbox } from '../notifications/outbox';
import { allActivities } from '../server/worker';
import { launchChromium, loginViaForm, pageError } from './helpers/browser';
import { devServerEnv, uniqueQueue, workflowBundle } from './helpers/temporal';
import { webFixture, type WebFixture } from './helpers/web';

const SCREENSHOTS = path.resolve(__dirname, '..', 'artifacts', 'screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const USERS = ['literature-counsellor', 'literature-college-leader', 'admin'] as const;

let env: TestWorkflowEnvironment;
let fx: WebFixture;
let worker: Worker | undefined;
let workerRun: Promise<void> | undefined;
let browser: Browser | undefined;
let caseId: string | undefined;

beforeAll(async () => {
  env = await devServerEnv();
  const queue = uniqueQueue('mobile-browser');
  fx = await webFixture({ client: env.client, taskQueue: queue });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: queue,
    workflowBundle: await workflowBundle(),
    activities: allActivities({
      knex: fx.knex,
      client: env.client,
      outbox: createOutbox({ knex: fx.knex, channels: {} }),
    }),
  });
  workerRun = worker.run();
  workerRun.catch(() => undefined); // surfaced in afterAll
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
  await fx?.close();
}, 60_000);

async function open(size: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const phone = size.width < 600;
  const context = await browser!.newContext({
    baseURL: fx.base,
    locale: 'zh-CN',
    viewport: size,
    hasTouch: phone,
    isMobile: phone,
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return { context, page: await context.newPage() };
}

async function signIn(page: Page, username: string): Promise<void> {
  const post = await loginViaForm(page, username);
  expect(post.status(), `sign-in of ${username}: ${await pageError(post)}`).toBe(303);
  await page.waitForURL((u) => u.pathname !== '/login');
}

// run in the page (a string: the test's TypeScript has no DOM types)
const overflow = (page: Page) =>
  page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );

describe('the pages on a phone and on a desktop', () => {
  test('When a counsellor reports a crisis from the home page on a phone, then it takes at most 3 taps', async () => {
    const { context, page } = await open(PHONE);
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
        const { context, page } = await open(size);
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
            const o = await overflow(page);
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
    const { context, page } = await open(PHONE);
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
    const { context, page } = await open(PHONE);
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
