/**
 * The indicators page on a 390-px phone (Debian's Chromium via playwright-core): it does not scroll
 * sideways, the count of indicators met and not met and the first indicator's verdict and figure are
 * on the first screen, and the school's figures form fits too. Screenshots go to artifacts/e2e/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertIndicatorInputs } from '../db/repositories/indicators';
import { artifact, launchChromium, loginViaForm } from './helpers/browser';
import { webFixture, type WebFixture } from './helpers/web';

const PHONE = { width: 390, height: 844 };
let fx: WebFixture;
let browser: Browser;

beforeAll(async () => {
  fx = await webFixture();
  const colleges = (await fx.store.listColleges('demo-school')).map((c) => c.id);
  await insertIndicatorInputs(fx.knex, {
    schoolId: 'demo-school',
    semesterId: fx.semesterId,
    by: 'admin',
    at: Date.now(),
    inputs: {
      school: { centreStaff: 3, courseHours: 32, courseCredits: 2 },
      colleges: Object.fromEntries(
        colleges.map((id, i) => [
          id,
          {
            freshmen: 1200 + i * 100,
            freshmenScreened: 1100 + i * 100,
            returning: 3600,
            returningScreened: 3600 - i * 50,
            staff: i % 2,
            courseHours: null,
            courseCredits: null,
          },
        ]),
      ),
    },
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe.each(['admin', 'literature-college-leader'])('the indicators on a phone, as %s', (username) => {
  test('When opened at 390 px, then nothing scrolls sideways and the verdicts are on the first screen', async () => {
    const context = await browser.newContext({
      baseURL: fx.base,
      locale: 'zh-CN',
      viewport: PHONE,
      hasTouch: true,
      isMobile: true,
    });
    try {
      const page = await context.newPage();
      await loginViaForm(page, username);
      await page.waitForURL((u) => u.pathname !== '/login');
      await page.goto('/indicators');
      const widths = await page.evaluate<number[]>('[document.documentElement.scrollWidth, window.innerWidth]');
      expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
      for (const sel of ['#summary', '#ind-staffing .verdict', '#ind-staffing .big']) {
        const box = await page.locator(sel).boundingBox();
        expect(box, sel).not.toBeNull();
        expect(box!.y + box!.height, sel).toBeLessThanOrEqual(PHONE.height);
      }
      await page.screenshot({ path: artifact(`indicators-phone-${username}.png`), fullPage: true });
      if (username === 'admin') {
        await page.goto('/indicators/inputs');
        const w = await page.evaluate<number[]>('[document.documentElement.scrollWidth, window.innerWidth]');
        expect(w[0]).toBeLessThanOrEqual(w[1]!);
        await page.screenshot({ path: artifact('indicator-inputs-phone.png'), fullPage: true });
      }
    } finally {
      await context.close();
    }
  });
});
