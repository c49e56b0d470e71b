/**
 * Issue 14, deliver 8: an accessibility check with axe-core in Debian's Chromium (playwright-core)
 * at 390×844, on the main pages of each role: the counsellor's 我的任务, a task page and the
 * 上报危机个案 form; the college leader's overview; the school admin's overview, users, inbox and
 * care page. No violation of impact `serious` or `critical` may remain. axe-core's own
 * axe.min.js (a pinned devDependency) is put into each page with addScriptTag: no CDN (the
 * browser context bypasses the app's CSP, script-src 'self', for that inline script only).
 * No Temporal: the pages read the read model only.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, signIn, sizedPage } from './helpers/browser';
import { webFixture, type WebFixture } from './helpers/web';

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

let fx: WebFixture;
let browser: Browser | undefined;
let taskId: string;

beforeAll(async () => {
  fx = await webFixture();
  const rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId });
  const t = rows.find((r) => r.collegeId === 'literature' && r.ownerRole === 'counsellor');
  expect(t, 'a counsellor task of the literature college').toBeDefined();
  taskId = t!.id;
  // the task is open, so its page shows the completion form
  await fx.store.applyTaskTransition({
    taskId,
    patch: { status: 'open' },
    audit: { eventKey: `${taskId}/a11y-open`, action: 'opened', actor: 'timer', at: Date.now() },
    notifications: [],
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await sizedPage(browser!, fx.base, PHONE, { bypassCSP: true });
  await signIn(opened.page, username);
  return opened;
}

/** axe-core's serious and critical violations of the page at `path`, one line each. */
async function seriousViolations(page: Page, path: string): Promise<string[]> {
  const res = await page.goto(path);
  expect(res?.status(), path).toBe(200);
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${path}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`,
    );
}

const ROLES: Array<{ username: string; pages: () => string[] }> = [
  {
    username: 'literature-counsellor',
    pages: () => ['/tasks/mine', `/tasks/${encodeURIComponent(taskId)}`, '/crises/new'],
  },
  { username: 'literature-college-leader', pages: () => ['/'] },
  { username: 'admin', pages: () => ['/', '/admin/users', '/inbox', '/care'] },
];

describe('accessibility (axe-core) on a phone', () => {
  for (const { username, pages } of ROLES) {
    test(`When ${username}'s main pages are checked by axe-core at 390×844, then none has a serious or critical violation`, async () => {
      const { context, page } = await signedIn(username);
      try {
        const found: string[] = [];
        for (const p of pages()) found.push(...(await seriousViolations(page, p)));
        expect(found).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  }

  test('When a page has an image without a text alternative, then the check finds it (the check can fail)', async () => {
    const { context, page } = await signedIn('literature-counsellor');
    try {
      await page.goto('/tasks/mine');
      await page.evaluate(
        `document.querySelector('main').insertAdjacentHTML('beforeend', '<img src="/assets/icon.svg">')`,
      );
      await page.addScriptTag({ content: AXE_SOURCE });
      const ids = await page.evaluate<string[]>(
        `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id))`,
      );
      expect(ids).toContain('image-alt');
    } finally {
      await context.close();
    }
  }, 60_000);
});
