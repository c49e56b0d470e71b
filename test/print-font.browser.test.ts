/**
 * The weekly report prints in the Chinese font the app ships (server/assets/fonts): the page asks
 * for it, the app serves it (no CDN), and Chromium loads it and has its glyphs for the report's text.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, loginViaForm, pageError } from './helpers/browser';
import { webFixture, type WebFixture } from './helpers/web';

let fx: WebFixture;
let browser: Browser | undefined;

beforeAll(async () => {
  fx = await webFixture();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the printable weekly report', () => {
  test('When the school admin opens the weekly report, then its text is set in the shipped font, which the app serves itself', async () => {
    const font = await fetch(`${fx.base}/assets/fonts/NotoSansSC-GB2312.woff2`);
    expect(font.status).toBe(200);
    expect(font.headers.get('content-type')).toBe('font/woff2');
    expect((await font.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);

    const context = await browser!.newContext({ baseURL: fx.base, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      const post = await loginViaForm(page, 'admin');
      expect(post.status(), await pageError(post)).toBe(303);
      const res = await page.goto('/reports/weekly');
      expect(res?.status()).toBe(200);
      await page.emulateMedia({ media: 'print' });
      const loaded = await page.evaluate<{ family: string; status: string; check: boolean }>(`(async () => {
        await document.fonts.ready;
        await document.fonts.load('16px "Runxin Noto Sans SC"', '学院周报');
        const face = [...document.fonts].find((f) => f.family.replace(/"/g, '') === 'Runxin Noto Sans SC');
        return { family: getComputedStyle(document.querySelector('#weekly-report')).fontFamily, status: face ? face.status : 'missing', check: document.fonts.check('16px "Runxin Noto Sans SC"', '心理健康') };
      })()`);
      expect(loaded.family).toMatch(/^"?Runxin Noto Sans SC"?/);
      expect(loaded.status).toBe('loaded');
      expect(loaded.check).toBe(true);
    } finally {
      await context.close();
    }
  });
});
