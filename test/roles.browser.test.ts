/**
 * Issue 14, deliver 8: every staff role's main flow in a real browser (Debian's Chromium via
 * playwright-core) at 390×844 (touch) and at 1280×800, signed in through the login form:
 *  - reporting a crisis takes at most 3 taps from the home page for the counsellor, the class
 *    teacher, the psychological counsellor and the college leader (the navigation's permanent
 *    上报危机个案, then the form's button; typing into fields is not a tap), and opens the case;
 *  - each role's main pages (and the school admin's) do not scroll sideways, and every visible
 *    text is Chinese: latin words only from an allow-list (the language switch, file formats);
 *    digits (student numbers, dates), the case number (hex), and identifiers the page marks as
 *    such (translate="no": ids, usernames, e-mail addresses) are not words;
 *  - a screenshot of each main page at both sizes (PNG, the visible screen, each under 300 kB:
 *    checked) goes to artifacts/screenshots/roles/ (git-ignored); with SAVE_DOC_SCREENSHOTS=1 the
 *    README's set (DOC_SET) is also copied to docs/screenshots/, which is committed.
 * The crisis report starts its workflow on the time-skipping test server (no worker: the case
 * page reads the read model). The app's clock is mid-semester (15 Oct 2024) so the pages show
 * open, overdue and completed work.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { latinWords, launchChromium, pageWidths, signIn, sizedPage } from './helpers/browser';
import { timeSkippingEnv } from './helpers/temporal';
import { webFixture, type WebFixture } from './helpers/web';

const ROOT = path.resolve(__dirname, '..');
const SHOTS = path.join(ROOT, 'artifacts', 'screenshots', 'roles');
/** the README's set (docs/screenshots/, committed), written only with SAVE_DOC_SCREENSHOTS=1 */
const DOC_SHOTS = process.env.SAVE_DOC_SCREENSHOTS === '1' ? path.join(ROOT, 'docs', 'screenshots') : undefined;
const DOC_SET = new Set([
  'counsellor-tasks-mine',
  'counsellor-crises-new',
  'counsellor-crisis-case',
  'college-leader-overview',
  'school-admin-overview',
  'school-admin-admin-users',
]);
const MAX_SHOT_BYTES = 300 * 1024;
const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;
/**
 * latin words a Chinese page may show: the language switch, file formats and encodings, the
 * “苏心”APP of the checklist's own text, and the import file's English column names, which the
 * user-import hint names as accepted (用户名,姓名,… 也可用英文 username,displayName,…)
 */
const ALLOWED_LATIN = new Set([
  'English',
  'CSV',
  'Excel',
  'PDF',
  'xlsx',
  'UTF',
  'GBK',
  'MB',
  'APP',
  'username',
  'displayName',
  'role',
  'college',
  'email',
  'password',
]);
const NOW = Date.UTC(2024, 9, 15, 4);

/** Each role's main pages; `CASE` stands for the crisis case the counsellor reports in the first test. */
const ROLES: Array<{ username: string; role: string; pages: string[]; reports: boolean }> = [
  {
    username: 'literature-counsellor',
    role: 'counsellor',
    pages: ['/tasks/mine', '/crises/new', 'CASE', '/inbox', '/care'],
    reports: true,
  },
  {
    username: 'literature-class-teacher',
    role: 'class-teacher',
    pages: ['/tasks/mine', '/crises/new', '/care'],
    reports: true,
  },
  {
    username: 'literature-psych-counsellor',
    role: 'psych-counsellor',
    pages: ['/tasks/mine', '/crises/new', '/care'],
    reports: true,
  },
  {
    username: 'literature-college-leader',
    role: 'college-leader',
    pages: ['/', '/colleges/literature', 'CASE', '/crises/new'],
    reports: true,
  },
  {
    username: 'admin',
    role: 'school-admin',
    pages: ['/', '/admin/users', '/inbox', '/care', '/admin/semesters'],
    reports: false,
  },
];

let env: TestWorkflowEnvironment;
let fx: WebFixture;
let browser: Browser | undefined;
let caseId: string | undefined;

beforeAll(async () => {
  env = await timeSkippingEnv();
  fx = await webFixture({ client: env.client, now: () => NOW });
  // the literature college mid-semester: some work done, some overdue and escalated, the rest open or to come
  const rows = (await fx.store.listTaskInstances({ semesterId: fx.semesterId })).filter(
    (r) => r.collegeId === 'literature',
  );
  let i = 0;
  for (const t of rows) {
    const patch =
      t.dueAt <= NOW
        ? i++ % 3 === 0
          ? { status: 'overdue' as const, escalationLevel: 1 }
          : {
              status: 'completed' as const,
              completedAt: t.dueAt - 1000,
              completedBy: 'literature-counsellor',
              late: false,
            }
        : t.openAt <= NOW
          ? { status: 'open' as const }
          : null;
    if (patch)
      await fx.store.applyTaskTransition({
        taskId: t.id,
        patch,
        audit: { eventKey: `${t.id}/roles`, action: patch.status, actor: 'timer', at: NOW },
        notifications: [],
      });
  }
  browser = await launchChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
  if (DOC_SHOTS) fs.mkdirSync(DOC_SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.teardown();
  await fx?.close();
});

// run in the page (strings: the test's TypeScript has no DOM types)
/**
 * The page's visible text without identifiers: elements the page marks as not to be translated
 * (`translate="no"`, `code`, `kbd`, `samp`: ids, usernames, e-mail addresses).
 */
const visibleText = (page: Page) =>
  page.evaluate<string>(`(() => {
    let text = document.body.innerText;
    // longest first: a username inside an e-mail address must not break the address
    const ids = [...document.body.querySelectorAll('[translate="no"], code, kbd, samp')].map((el) => el.innerText.trim()).filter(Boolean);
    for (const t of ids.sort((a, b) => b.length - a.length)) text = text.split(t).join(' ');
    return text;
  })()`);

/** Signs in through the form as `username`, signing out whoever the context held. */
async function signInAs(page: Page, username: string): Promise<void> {
  await page.context().clearCookies();
  await signIn(page, username);
}

describe('every role on a phone and on a desktop', () => {
  test('the Chinese-text check finds latin words and lets the allowed ones, digits and case numbers through', () => {
    expect(
      latinWords('任务 running 第 1 周 2024-10-15 导出 CSV Excel PDF 个案 3f9a12bc English', ALLOWED_LATIN),
    ).toEqual(['running']);
  });

  for (const size of SIZES) {
    test(`At ${size.width}×${size.height}, each staff role reports a crisis from the home page in at most 3 taps`, async () => {
      const { context, page } = await sizedPage(browser!, fx.base, size);
      const phone = size.width < 600;
      const tap = (selector: string) => (phone ? page.locator(selector).tap() : page.locator(selector).click());
      try {
        let n = 0;
        for (const { username, reports } of ROLES.filter((r) => r.reports)) {
          await signInAs(page, username);
          await page.goto('/');
          let taps = 0;
          // 1: the navigation's permanent link, on every page
          await Promise.all([page.waitForURL((u) => u.pathname === '/crises/new'), tap('header nav a.report-crisis')]);
          taps++;
          await page.fill('input[name="studentNo"]', `2024${size.width}${n++}`);
          await page.fill('input[name="studentName"]', '许知远');
          await page.selectOption('select[name="situation"]', 'self_harm_risk');
          await page.fill('input[name="place"]', '图书馆三楼');
          // 2: the form's button
          await Promise.all([
            page.waitForURL((u) => /^\/crises\/[0-9a-f-]{36}$/.test(u.pathname)),
            tap('form[action="/crises"] button[type="submit"]'),
          ]);
          taps++;
          expect(reports).toBe(true);
          expect(taps, `${username}: taps to report a crisis`).toBeLessThanOrEqual(3);
          await expect(page.locator('main').textContent(), `${username}: the new case's page`).resolves.toContain(
            '许知远',
          );
          if (username === 'literature-counsellor') caseId ??= new URL(page.url()).pathname.split('/').pop();
        }
      } finally {
        await context.close();
      }
    }, 90_000);
  }

  for (const size of SIZES) {
    test(`At ${size.width}×${size.height}, every role's main pages fit the width, read in Chinese, and are saved as screenshots`, async () => {
      expect(caseId, 'the case the counsellor reported in the first test').toBeDefined();
      const { context, page } = await sizedPage(browser!, fx.base, size);
      try {
        const wide: string[] = [];
        const latin: string[] = [];
        for (const { username, role, pages } of ROLES) {
          await signInAs(page, username);
          for (const p of pages) {
            const target = p === 'CASE' ? `/crises/${caseId}` : p;
            const res = await page.goto(target);
            expect(res?.status(), `${username} ${target}`).toBe(200);
            const o = await pageWidths(page);
            if (o.scrollWidth > o.innerWidth) wide.push(`${username} ${target}: ${o.scrollWidth} > ${o.innerWidth}`);
            const words = latinWords(await visibleText(page), ALLOWED_LATIN);
            if (words.length) latin.push(`${username} ${target}: ${[...new Set(words)].join(' ')}`);
            const name =
              p === '/' ? 'overview' : p === 'CASE' ? 'crisis-case' : p.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-');
            // PNG of the visible screen (what a user sees without scrolling): small enough to commit
            const file = path.join(SHOTS, `${role}-${name}-${size.name}.png`);
            await page.screenshot({ path: file });
            expect(fs.statSync(file).size, file).toBeLessThan(MAX_SHOT_BYTES);
            if (DOC_SHOTS && DOC_SET.has(`${role}-${name}`))
              fs.copyFileSync(file, path.join(DOC_SHOTS, path.basename(file)));
          }
        }
        expect(wide, 'pages wider than the screen').toEqual([]);
        expect(latin, 'latin words on the pages').toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
