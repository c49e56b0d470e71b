/**
 * The printable archive in Chromium: the page loads the Chinese font the app ships
 * (server/assets/fonts/NotoSansSC-GB2312.woff2, "Runxin Noto Sans SC"), and "Print → Save as PDF"
 * (page.pdf, A4) gives a PDF that embeds that font, so it prints the same on any computer.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { editArchive } from '../server/features/archive/use-cases';
import { importWarnings } from '../server/features/screening/use-cases';
import { sessionUser } from './helpers/actors';
import { artifact, freshPage, launchChromium, loginViaForm, pageError } from './helpers/browser';
import { webFixture, type WebFixture } from './helpers/web';

let fx: WebFixture;
let browser: Browser | undefined;
let studentId: string;

beforeAll(async () => {
  fx = await webFixture({}, { plan: false });
  browser = await launchChromium();
  const counsellor = sessionUser('literature-counsellor', 'counsellor', 'literature');
  const csv = '学号,姓名,学院,班级,预警等级\r\n2024880601,宋印书,文学院,汉语言2401,橙色';
  const deps = { knex: fx.knex, store: fx.store, taskQueue: 'none', now: Date.now() - 86_400_000 };
  await importWarnings(deps, counsellor, Buffer.from(csv), 'w.csv');
  studentId = ((await fx.knex('students').where({ student_no: '2024880601' }).first('id')) as { id: string }).id;
  await editArchive(deps, counsellor, studentId, { familyContacts: '父亲 13700003333', supportGiven: '每周谈心一次' });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('the printable archive in a browser', () => {
  test('When the counsellor prints the archive, then the page is set in the shipped font, loaded, and the A4 PDF embeds it', async () => {
    const { context, page } = await freshPage(browser!, fx.base);
    try {
      const post = await loginViaForm(page, 'literature-counsellor');
      expect(post.status(), await pageError(post)).toBe(303);
      const res = await page.goto(`/archives/${studentId}/print`);
      expect(res?.status()).toBe(200);
      await page.emulateMedia({ media: 'print' });
      const loaded = await page.evaluate<{
        family: string;
        status: string;
        check: boolean;
        actions: string;
      }>(`(async () => {
        await document.fonts.ready;
        await document.fonts.load('16px "Runxin Noto Sans SC"', '学生心理健康档案');
        const face = [...document.fonts].find((f) => f.family.replace(/"/g, '') === 'Runxin Noto Sans SC');
        return {
          family: getComputedStyle(document.querySelector('#archive-print td')).fontFamily,
          status: face ? face.status : 'missing',
          check: document.fonts.check('16px "Runxin Noto Sans SC"', '宋印书 家庭情况与联系人'),
          actions: getComputedStyle(document.querySelector('.print-actions')).display,
        };
      })()`);
      expect(loaded.family).toMatch(/^"?Runxin Noto Sans SC"?/);
      expect(loaded.status).toBe('loaded');
      expect(loaded.check).toBe(true);
      expect(loaded.actions).toBe('none'); // the buttons do not print

      const pdf = await page.pdf({ format: 'A4', printBackground: true, path: artifact('archive-print.pdf') });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // the embedded font is named after the shipped face (a subset: "ABCDEF+NotoSansCJKsc-Regular")
      expect(pdf.toString('latin1')).toMatch(/\/FontName\s*\/[A-Z]{6}\+NotoSans/);
    } finally {
      await context.close();
    }
  });
});
