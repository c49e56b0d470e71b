/**
 * A crisis case end to end in a real browser (Debian's Chromium via playwright-core) against the
 * web app, the Temporal dev server and a worker with the real crisis activities: a counsellor
 * reports a risk of self-harm through the form and acknowledges being on scene; the college
 * leader, who has the case page open, sees the step appear in the timeline without reloading (and
 * that refresh reads no student data, so it adds no audited view), then confirms the school
 * departments through the form. Screenshots go to artifacts/e2e/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { workerStack, type WorkerStack } from './helpers/worker';
import { artifact, freshPage, launchChromium, signIn } from './helpers/browser';
import { type WebFixture } from './helpers/web';

const NAME = '沈知秋';
let stack: WorkerStack;
let fx: WebFixture;
let browser: Browser | undefined;

beforeAll(async () => {
  stack = await workerStack('care-browser', { server: 'dev', plan: false });
  ({ fx } = stack);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
}, 60_000);

/** Submits the form of one step on the case page and waits for the redirect back. */
async function submitStep(
  page: Page,
  step: string,
  fill?: (form: ReturnType<Page['locator']>) => Promise<void>,
): Promise<void> {
  const form = page.locator(`form#step-${step}`);
  await fill?.(form);
  await Promise.all([
    page.waitForURL((u) => u.searchParams.has('done') || u.searchParams.has('error')),
    form.locator('button[type="submit"]').click(),
  ]);
  expect(await page.locator('#error').count(), `flash: ${await page.locator('#error').allTextContents()}`).toBe(0);
}

const timelineText = (page: Page) => page.locator('#timeline').textContent();

describe('a crisis case in the browser', () => {
  test('When a counsellor reports and acknowledges on scene, then the leader’s open case page shows it without a reload, and the leader confirms the school departments', async () => {
    const staff = await freshPage(browser!, fx.base);
    const lead = await freshPage(browser!, fx.base);
    try {
      // the counsellor reports through the form
      const { page } = staff;
      await signIn(page, 'literature-counsellor');
      await page.goto('/crises/new');
      await page.fill('input[name="studentNo"]', '2024330007');
      await page.fill('input[name="studentName"]', NAME);
      await page.fill('input[name="className"]', '汉语言 2403');
      await page.selectOption('select[name="situation"]', 'self_harm_risk');
      await page.fill('input[name="place"]', '5 号宿舍楼天台');
      await Promise.all([
        page.waitForURL((u) => /^\/crises\/[0-9a-f-]{36}$/.test(u.pathname)),
        page.locator('form[action="/crises"] button[type="submit"]').click(),
      ]);
      const caseId = new URL(page.url()).pathname.split('/').pop()!;
      await expect(page.locator('main').textContent()).resolves.toContain(NAME);
      await expect
        .poll(
          () => fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId }).then((a) => a.map((e) => e.action)),
          {
            timeout: 20_000,
          },
        )
        .toContain('reported');

      // the college leader opens the case (an audited view of the student)
      await signIn(lead.page, 'literature-college-leader');
      await lead.page.goto(`/crises/${caseId}`);
      await expect(timelineText(lead.page)).resolves.toContain('个案上报');
      const studentId = (await fx.knex('crisis_cases').where({ id: caseId }).first('student_id')).student_id as string;
      const views = async () => (await fx.store.listAudit({ subjectType: 'student', subjectId: studentId })).length;

      // the counsellor is on scene
      await page.goto(`/crises/${caseId}`);
      await submitStep(page, 'on-scene');
      await expect(timelineText(page)).resolves.toContain('确认到场');
      const viewsBefore = await views();

      // the leader's page shows it by itself (the live part refreshes every 30 s)
      await expect.poll(() => timelineText(lead.page), { timeout: 45_000, interval: 1000 }).toContain('确认到场');
      await lead.page.screenshot({ path: artifact('crisis-case-live.png'), fullPage: true });
      // the refresh fetched the timeline alone: no audited student view was added by it
      expect(await views()).toBe(viewsBefore);

      // the leader confirms the counselling centre, security office and clinic were told
      await submitStep(lead.page, 'school-notified', async (form) => {
        for (const box of await form.locator('input[name="departments"]').all()) await box.check();
      });
      await expect(timelineText(lead.page)).resolves.toContain('已通知学校部门');
      const actions = (await fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId })).map((e) => [
        e.action,
        e.actor,
      ]);
      expect(actions).toEqual([
        ['reported', 'literature-counsellor'],
        ['on-scene', 'literature-counsellor'],
        ['school-notified', 'literature-college-leader'],
      ]);
    } finally {
      await staff.context.close();
      await lead.context.close();
    }
  }, 120_000);
});
