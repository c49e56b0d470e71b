/**
 * A crisis case end to end in a real browser (Debian's Chromium via playwright-core) against the
 * web app, the Temporal dev server and a worker with the real crisis activities: a counsellor
 * reports a risk of self-harm through the form and acknowledges being on scene; the college
 * leader, who has the case page open, sees the step appear in the timeline without reloading (and
 * that refresh reads no student data, so it adds no audited view), then confirms the school
 * departments through the form. Screenshots go to artifacts/e2e/.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOutbox } from '../notifications/outbox';
import { allActivities } from '../server/worker';
import { artifact, freshPage, launchChromium, loginViaForm, pageError } from './helpers/browser';
import { devServerEnv, uniqueQueue, workflowBundle } from './helpers/temporal';
import { webFixture, type WebFixture } from './helpers/web';

const NAME = '沈知秋';
let env: TestWorkflowEnvironment;
let fx: WebFixture;
let worker: Worker | undefined;
let workerRun: Promise<void> | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  env = await devServerEnv();
  const queue = uniqueQueue('care-browser');
  fx = await webFixture({ client: env.client, taskQueue: queue }, { plan: false });
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

async function signIn(page: Page, username: string): Promise<void> {
  const post = await loginViaForm(page, username);
  expect(post.status(), `sign-in of ${username}: ${await pageError(post)}`).toBe(303);
  await page.waitForURL((u) => u.pathname !== '/login');
}

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
