/**
 * End to end in a real browser: Debian's Chromium (playwright-core) against the web app, the
 * real Temporal dev server and a worker with the real activities, over one SQLite read model.
 * Staff sign in through the login form, complete a task with a note and a PNG, the school admin
 * sees the matrix change and the college leader downloads the evidence; another college's staff
 * get a 403; a wrong password and a request without the CSRF token are refused.
 * Screenshots go to artifacts/e2e/ (CI artifacts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { taskActivities, workerStack, type WorkerStack } from './helpers/worker';
import type { TaskInstanceRow } from '../db/store';
import { monthLabel } from '../server/platform/views/words';
import { SESSION_COOKIE } from '../server/auth';
import { t } from '../server/platform/i18n';
import { artifact, freshPage, launchChromium, loginViaForm, onePixelPng, pageError, signIn } from './helpers/browser';
import { startTaskOf } from './helpers/tasks';
import { eventually } from './helpers/wait';
import { login, type WebFixture } from './helpers/web';

const TEST_TIMEOUT = 90_000;
const TEMPLATE_TASK = '2024-10-01-update-key-care-list';
const MONTH = '2024-10';
const m = t('zh-CN').ui;

let stack: WorkerStack;
let env: TestWorkflowEnvironment;
let fx: WebFixture;
let browser: Browser | undefined;
let tmp: string;
let task: TaskInstanceRow;
let taskPath: string;
const png = onePixelPng();
let pngFile: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-e2e-browser-'));
  pngFile = path.join(tmp, 'key-care-list.png');
  fs.writeFileSync(pngFile, png);

  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  stack = await workerStack('e2e-browser', {
    server: 'dev',
    taskModel: 'per-task',
    activities: (f, e) => taskActivities(f, e.client),
  });
  ({ env, fx } = stack);

  // The fixture's semester is only planned: start the one task workflow the staff member completes.
  const rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'literature' });
  task = rows.find((r) => r.templateTaskId === TEMPLATE_TASK)!;
  expect(task).toBeDefined();
  expect(task.ownerRole).toBe('counsellor');
  taskPath = `/tasks/${encodeURIComponent(task.id)}`;
  await startTaskOf(env.client, stack.queue, task);
  // Its dates are in 2024: it opens, falls overdue and escalates to level 2 at once. Waiting for
  // the last step keeps the "before" numbers of the matrix stable.
  await eventually(
    'task overdue and escalated',
    () => fx.store.getTaskInstance(task.id),
    (r) => r?.status === 'overdue' && r.escalationLevel === 2,
    { ms: 60_000, everyMs: 250 },
  );

  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

/** A fresh browser context for one user; closed by the caller. */
async function open(): Promise<{ context: BrowserContext; page: Page }> {
  return freshPage(browser!, fx.base);
}

interface Cell {
  onTime: number;
  late: number;
  open: number;
  overdue: number;
  escalated: number;
}
interface ComplianceBody {
  colleges: Array<{ collegeId: string; months: Array<Cell & { month: string; planned: number }> }>;
}
const literatureMonth = (body: ComplianceBody) =>
  body.colleges.find((c) => c.collegeId === 'literature')!.months.find((x) => x.month === MONTH)!;

/** The literature row's cell for MONTH as the matrix shows it: its tooltip names every count ("按时完成 1 · 逾期完成 0 · …"). */
async function matrixCell(page: Page): Promise<Cell> {
  const headers = await page.locator('table#compliance thead th').allTextContents();
  const heading = monthLabel(MONTH, 'zh-CN'); // the month in words (issue 14)
  const column = headers.findIndex((h) => h.trim() === heading);
  expect(column, `column ${heading} in ${headers.join(' | ')}`).toBeGreaterThan(0);
  const title =
    (await page.locator('table#compliance tr[data-college="literature"] > td').nth(column).getAttribute('title')) ?? '';
  const count = (label: string) => Number(new RegExp(`(?:^|· )${label} (\\d+)`).exec(title)?.[1] ?? NaN);
  return {
    onTime: count(m.onTime),
    late: count(m.late),
    open: count(m.open),
    overdue: count(m.overdue),
    escalated: count(m.escalated),
  };
}

describe('staff complete a task in the browser', () => {
  test(
    'When a counsellor signs in, opens their overdue task and submits a note with a PNG, then it shows completed (late), the school matrix counts it and the college leader can download the evidence',
    async () => {
      const admin = await login(fx.base, 'admin');
      const before = literatureMonth(
        (await (await admin.fetch(`/api/compliance?semester=${fx.semesterId}`)).json()) as ComplianceBody,
      );

      // the counsellor: login form → My tasks → the task → completion form
      const staff = await open();
      try {
        const { page } = staff;
        await signIn(page, 'literature-counsellor', { landing: '/tasks/mine', screenshot: artifact('login.png') });
        await expect(page.locator('main h1').textContent()).resolves.toBe(m.navMyTasks);
        const row = page.locator(`table.tasks tr[data-task="${task.id}"]`);
        await expect(row.locator(`td.status-overdue`).textContent()).resolves.toBe(m.statusNames.overdue);

        await Promise.all([page.waitForURL((u) => u.pathname === taskPath), row.locator('a').click()]);
        await expect(page.locator('#status').textContent()).resolves.toBe(m.statusNames.overdue);
        const form = page.locator('form[action*="/complete"]');
        await form.locator('textarea[name="note"]').fill('已摸排全院学生，更新重点关爱名单 12 人');
        await form.locator('input[name="files"]').setInputFiles(pngFile);
        await Promise.all([
          page.waitForURL(
            (u) => u.pathname === taskPath && (u.searchParams.has('done') || u.searchParams.has('error')),
          ),
          form.locator('button[type="submit"]').click(),
        ]);
        expect(await page.locator('#error').count(), `flash: ${await page.locator('#error').allTextContents()}`).toBe(
          0,
        );
        expect(new URL(page.url()).searchParams.get('done')).toBe('1');
        await expect(page.locator('#status').textContent()).resolves.toBe(`${m.statusNames.completed} (${m.late})`);
        await expect(page.locator('form[action*="/complete"]').count()).resolves.toBe(0);
        await expect(page.locator('a[href^="/evidence/"]').textContent()).resolves.toBe('key-care-list.png');
        await page.screenshot({ path: artifact('task-completed.png'), fullPage: true });
      } finally {
        await staff.context.close();
      }
      expect(await fx.store.getTaskInstance(task.id)).toMatchObject({
        status: 'completed',
        late: true,
        completedBy: 'literature-counsellor',
        note: '已摸排全院学生，更新重点关爱名单 12 人',
      });

      // the school admin: the matrix shows one more late completion and one fewer overdue task
      const school = await open();
      try {
        const { page } = school;
        await signIn(page, 'admin', { landing: '/' });
        await page.locator('table#compliance tr[data-college="literature"]').waitFor();
        const api = await page.request.get(`/api/compliance?semester=${fx.semesterId}`);
        expect(api.status()).toBe(200);
        const after = literatureMonth((await api.json()) as ComplianceBody);
        expect(after).toEqual({ ...before, late: before.late + 1, overdue: before.overdue - 1 });
        const cell = await matrixCell(page);
        expect(cell).toEqual({
          onTime: after.onTime,
          late: after.late,
          open: after.open,
          overdue: after.overdue,
          escalated: after.escalated,
        });
        await page.screenshot({ path: artifact('compliance-matrix.png'), fullPage: true });
      } finally {
        await school.context.close();
      }

      // the college leader: the evidence link on the task page serves the PNG as uploaded
      const leader = await open();
      try {
        const { page } = leader;
        await signIn(page, 'literature-college-leader', { landing: '/' });
        const taskPage = await page.goto(taskPath);
        expect(taskPage?.status()).toBe(200);
        const link = page.locator('a[href^="/evidence/"]');
        await expect(link.textContent()).resolves.toBe('key-care-list.png');
        const href = (await link.getAttribute('href'))!;
        const download = await page.goto(href);
        expect(download?.status()).toBe(200);
        expect(download?.headers()['content-type']).toBe('image/png');
        expect(Buffer.compare(await download!.body(), png)).toBe(0);
      } finally {
        await leader.context.close();
      }
    },
    TEST_TIMEOUT,
  );
});

describe('another college', () => {
  test(
    "When a counsellor of another college opens the task's URL, then the page is 403 and offers no completion",
    async () => {
      const { context, page } = await open();
      try {
        await signIn(page, 'science-counsellor', { landing: '/tasks/mine' });
        await expect(page.locator(`tr[data-task="${task.id}"]`).count()).resolves.toBe(0);
        const res = await page.goto(taskPath);
        expect(res?.status()).toBe(403);
        // the error page in the user's language, with a way home; the developer's reason folded under 技术细节 (issue 14)
        await expect(page.locator('#error-page').getAttribute('data-status')).resolves.toBe('403');
        await expect(page.locator('main h1').textContent()).resolves.toBe('没有权限');
        await expect(page.locator('#error-page details code').textContent()).resolves.toContain(
          'this task belongs to another college',
        );
        await expect(page.locator('#error-page a#home').getAttribute('href')).resolves.toBe('/');
        await expect(page.locator('form[action*="/complete"]').count()).resolves.toBe(0);
        await page.screenshot({ path: artifact('forbidden-403.png'), fullPage: true });
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );
});

describe('sign-in and CSRF', () => {
  test(
    'When a wrong password is submitted, then the sign-in is refused with 401 and the login form shows the error',
    async () => {
      const { context, page } = await open();
      try {
        const post = await loginViaForm(page, 'literature-counsellor', 'not-the-password');
        expect(post.status(), `wrong password: ${post.status()} ${await pageError(post)}`).toBe(401);
        expect(new URL(page.url()).pathname).toBe('/login');
        const error = page.locator('main p.error[role="alert"]');
        await expect(error.textContent()).resolves.toBe(t('zh-CN').auth.wrongCredentials);
        await expect(page.locator('#username').inputValue()).resolves.toBe('literature-counsellor');
        await expect(page.locator('#password').inputValue()).resolves.toBe('');
        expect((await context.cookies()).filter((c) => c.name === SESSION_COOKIE)).toEqual([]);
        expect((await page.request.get('/api/session')).status()).toBe(401);
        await page.screenshot({ path: artifact('login-refused.png'), fullPage: true });
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );

  test(
    'When a signed-in page sends a state-changing request without the CSRF token, then it is refused with 403, and with the token from the session it succeeds',
    async () => {
      const { context, page } = await open();
      try {
        await signIn(page, 'literature-counsellor', { landing: '/tasks/mine' });
        // one of the counsellor's own unread notices (the task's opening notice, at least)
        const inbox = (await (await page.request.get('/api/inbox?unread=1')).json()) as {
          notifications: Array<{ id: number; readAt: number | null }>;
        };
        const notice = inbox.notifications[0];
        expect(notice, 'an unread notification').toBeDefined();

        const refused = await page.request.post(`/api/inbox/${notice!.id}/read`);
        expect(refused.status()).toBe(403);
        expect(await refused.json()).toEqual({ error: 'CSRF token missing or wrong' });
        const wrong = await page.request.post(`/api/inbox/${notice!.id}/read`, {
          headers: { 'x-csrf-token': 'not-the-token' },
        });
        expect(wrong.status()).toBe(403);
        expect(
          (await fx.store.listNotifications('literature-counsellor')).find((n) => n.id === notice!.id)?.readAt,
        ).toBeNull();

        const session = await page.request.get('/api/session');
        expect(session.status()).toBe(200);
        const { csrfToken } = (await session.json()) as { csrfToken: string };
        const accepted = await page.request.post(`/api/inbox/${notice!.id}/read`, {
          headers: { 'x-csrf-token': csrfToken },
        });
        expect(accepted.status()).toBe(204);
        expect(
          (await fx.store.listNotifications('literature-counsellor')).find((n) => n.id === notice!.id)?.readAt,
        ).toEqual(expect.any(Number));
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT,
  );
});
