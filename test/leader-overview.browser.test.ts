/**
 * Issue 14, items 2 and 3 in a real browser (Debian's Chromium via playwright-core) at 390×844
 * (touch) and 1280×800: the leaders' overview (with its SVG charts) and a crisis case page (with
 * its progress and countdowns) do not scroll sideways, and their visible text is Chinese (latin
 * words only from an allow-list: the language switch, file formats). Screenshots go to
 * artifacts/screenshots/. No Temporal: the case is written to the read model directly.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, loginViaForm, pageError } from './helpers/browser';
import { addCrisisCase, addCrisisEvent, addStudent } from './helpers/records';
import { webFixture, type WebFixture } from './helpers/web';

const SCREENSHOTS = path.resolve(__dirname, '..', 'artifacts', 'screenshots');
const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;
/** latin words a Chinese page may show: the language switch and file formats */
const ALLOWED_LATIN = new Set(['English', 'CSV', 'Excel', 'PDF']);
const NOW = Date.UTC(2024, 9, 15, 4);
const MIN = 60_000;
/** a case id as the app makes them (its first 8 hex digits are the case number on the page) */
const CASE = randomUUID();

let fx: WebFixture;
let browser: Browser | undefined;

beforeAll(async () => {
  fx = await webFixture({ now: () => NOW });
  const rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId });
  for (const t of rows.filter((r) => r.collegeId === 'literature' && r.dueAt <= NOW).slice(0, 6)) {
    await fx.store.applyTaskTransition({
      taskId: t.id,
      patch: { status: 'completed', completedAt: t.dueAt - 1000, completedBy: 'literature-counsellor', late: false },
      audit: { eventKey: `${t.id}/done`, action: 'completed', actor: 'literature-counsellor', at: t.dueAt - 1000 },
      notifications: [],
    });
  }
  await addStudent(fx.knex, {
    id: 'stu-b',
    collegeId: 'literature',
    studentNo: 'B2024001',
    name: '孙浏览',
    className: '汉语言1班',
    createdAt: NOW,
  });
  await addCrisisCase(fx.knex, {
    id: CASE,
    studentId: 'stu-b',
    collegeId: 'literature',
    situation: 'self_harm_risk',
    place: '5 号楼',
    reportedBy: 'literature-counsellor',
    occurredAt: NOW - 45 * MIN,
    reportedAt: NOW - 40 * MIN,
    status: 'supervising',
    escalationLevel: 1,
    updatedAt: NOW,
  });
  for (const [action, at, actor] of [
    ['reported', NOW - 40 * MIN, 'literature-counsellor'],
    ['on-scene-missed', NOW - 10 * MIN, 'timer'],
    ['guardian-assigned', NOW - 30 * MIN, 'literature-counsellor'],
  ] as const) {
    await addCrisisEvent(fx.store, CASE, { action, at, actor });
  }
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

// run in the page (strings: the test's TypeScript has no DOM types)
const overflow = (page: Page) =>
  page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );
const visibleText = (page: Page) => page.evaluate<string>('document.body.innerText');

function latinWords(text: string): string[] {
  // hex digits only are an identifier (the case number), not a word
  return [...text.matchAll(/[A-Za-z0-9]*[A-Za-z]{2,}[A-Za-z0-9]*/g)]
    .map((m) => m[0])
    .filter((w) => !ALLOWED_LATIN.has(w) && !/^[0-9a-f]+$/.test(w));
}

describe('the overview and the crisis page on a phone and a desktop', () => {
  for (const size of SIZES) {
    test(`At ${size.width}×${size.height}, the overview and a case page fit the width and read in Chinese`, async () => {
      const phone = size.width < 600;
      const context = await browser!.newContext({
        baseURL: fx.base,
        locale: 'zh-CN',
        viewport: { width: size.width, height: size.height },
        hasTouch: phone,
        isMobile: phone,
        deviceScaleFactor: 1,
      });
      context.setDefaultTimeout(15_000);
      try {
        const page = await context.newPage();
        for (const [user, pages] of [
          ['admin', ['/', '/reports/weekly', `/crises/${CASE}`]],
          ['literature-college-leader', ['/', `/crises/${CASE}`]],
        ] as const) {
          await context.clearCookies();
          const post = await loginViaForm(page, user);
          expect(post.status(), `sign-in of ${user}: ${await pageError(post)}`).toBe(303);
          await page.waitForURL((u) => u.pathname !== '/login');
          for (const p of pages) {
            const res = await page.goto(p);
            expect(res?.status(), p).toBe(200);
            const { scrollWidth, innerWidth } = await overflow(page);
            expect(scrollWidth, `${user} ${p} at ${size.width}px scrolls sideways`).toBeLessThanOrEqual(innerWidth);
            expect(latinWords(await visibleText(page)), `${user} ${p}: latin words on the page`).toEqual([]);
            if (p === '/') {
              await expect(page.locator('#month-chart').isVisible()).resolves.toBe(true);
              const box = await page.locator('#month-chart').boundingBox();
              expect(box!.width).toBeLessThanOrEqual(size.width);
            }
            if (p.startsWith('/crises/'))
              await expect(page.locator('#steps tr[data-step="on-scene"]').getAttribute('data-state')).resolves.toBe(
                'overdue',
              );
            await page.screenshot({
              path: path.join(
                SCREENSHOTS,
                `${size.name}-${user}-${p === '/' ? 'overview' : p.startsWith('/crises/') ? 'crisis-case' : p.replace(/^\//, '').replace(/\//g, '-')}.png`,
              ),
              fullPage: !phone,
            });
          }
        }
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
