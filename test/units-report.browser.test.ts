/**
 * Issue 16, "Done when": a class psychology committee member on a 390-px phone files a weekly
 * "nothing unusual" report in at most 3 taps after signing in (Debian's Chromium via playwright-core).
 * Signing in lands them on their report page; "一切正常" is on the first screen; one tap files it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, loginViaForm, sizedPage } from './helpers/browser';
import { webFixture, type WebFixture } from './helpers/web';
import { importDemoRoster, openWeek, seedReporters } from './helpers/units';

const PHONE = { width: 390, height: 844 };
let fx: WebFixture;
let browser: Browser | undefined;

beforeAll(async () => {
  fx = await webFixture();
  await seedReporters(fx.store);
  await importDemoRoster(fx);
  const now = Date.now();
  await openWeek(fx, fx.semesterId, 'literature', { weekNo: 3, openAt: now - 3_600_000, dueAt: now + 2 * 86_400_000 });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

const phone = () => sizedPage(browser!, fx.base, PHONE);

describe("the committee member's weekly report on a phone", () => {
  test('When a committee member signs in on a 390-px phone, then "nothing unusual" is filed in at most 3 taps', async () => {
    const { context, page } = await phone();
    try {
      const post = await loginViaForm(page, 'lit-psych-member');
      expect(post.status()).toBe(303);
      // signing in lands on their own report page (the home page sends them there)
      await page.waitForURL((u) => u.pathname === '/report');
      const button = page.locator('#nothing-unusual');
      await button.waitFor();
      // on the first screen, and the page does not scroll sideways
      const box = (await button.boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
      expect(box.height).toBeGreaterThanOrEqual(44);
      const widths = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
        '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
      );
      expect(widths.scrollWidth).toBeLessThanOrEqual(widths.innerWidth);
      let taps = 0;
      // 1: 一切正常
      await Promise.all([page.waitForURL((u) => u.pathname === '/report' && u.search === '?filed=ok'), button.tap()]);
      taps++;
      expect(taps).toBeLessThanOrEqual(3);
      await expect(page.locator('#filed').textContent()).resolves.toBe('已提交');
      await expect(page.locator('#filed-this-week').isVisible()).resolves.toBe(true);
      await expect(page.locator('#my-reports li').allTextContents()).resolves.toEqual([
        expect.stringContaining('一切正常'),
      ]);
      const row = (await fx
        .knex('unit_report_weeks')
        .join('unit_reporters', 'unit_reporters.unit_id', 'unit_report_weeks.unit_id')
        .where('unit_reporters.user_id', 'lit-psych-member')
        .first('unit_report_weeks.status', 'unit_report_weeks.week_no')) as { status: string; week_no: number };
      expect(row).toEqual({ status: 'filed', week_no: 3 });
    } finally {
      await context.close();
    }
  }, 90_000);
});
