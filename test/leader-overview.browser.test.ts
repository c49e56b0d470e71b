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
import { latinWords, launchChromium, pageWidths, signIn, sizedPage } from './helpers/browser';
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
const visibleText = (page: Page) => page.evaluate<string>('document.body.innerText');

describe('the overview and the crisis page on a phone and a desktop', () => {
  for (const size of SIZES) {
    test(`At ${size.width}×${size.height}, the overview and a case page fit the width and read in Chinese`, async () => {
      const { context, page } = await sizedPage(browser!, fx.base, size);
      try {
        for (const [user, pages] of [
          ['admin', ['/', '/reports/weekly', `/crises/${CASE}`]],
          ['literature-college-leader', ['/', `/crises/${CASE}`]],
        ] as const) {
          await context.clearCookies();
          await signIn(page, user);
          for (const p of pages) {
            const res = await page.goto(p);
            expect(res?.status(), p).toBe(200);
            const { scrollWidth, innerWidth } = await pageWidths(page);
            expect(scrollWidth, `${user} ${p} at ${size.width}px scrolls sideways`).toBeLessThanOrEqual(innerWidth);
            expect(latinWords(await visibleText(page), ALLOWED_LATIN), `${user} ${p}: latin words on the page`).toEqual(
              [],
            );
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
              fullPage: size.width >= 600, // a phone's visible screen only
            });
          }
        }
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
