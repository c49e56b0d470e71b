/**
 * Issue 12, "done when", in a real browser (Debian's Chromium via playwright-core): the school
 * admin, using only the web pages and starting from the 2024 autumn checklist and semester, creates
 * and starts a 2025 autumn semester (roll forward onto calendars/2025-autumn.json, uploaded: Mid-Autumn
 * inside National Day is flagged), then makes a spring checklist from the autumn one in the editor
 * (a copy; months moved to the spring, holiday reminders before Qingming / Labour Day and Dragon
 * Boat, the key-care groups to the spring months) and creates and starts a 2025 spring semester from it (calendars/2025-spring.json). Temporal
 * is faked here (the start is recorded); the real start path runs in semester.devserver.test.ts.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCalendarFile, parseTemplate } from '../domain/load';
import { keyCareMonths } from '../domain/planner';
import { artifact, freshPage, launchChromium, loginViaForm } from './helpers/browser';
import { recordingClient, webFixture, type WebFixture } from './helpers/web';

const ROOT = path.resolve(__dirname, '..');
const started: string[] = [];
const fakeClient = recordingClient((opts) => started.push(opts.workflowId));

let fx: WebFixture;
let browser: Browser | undefined;
beforeAll(async () => {
  fx = await webFixture({ client: fakeClient }); // web-2024-autumn: the 2024 autumn checklist, running
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

/** roll forward through the pages: pick, upload the calendar, compare, create and start */
async function rollForward(
  page: Page,
  opts: { calendarFile: string; template?: string; id: string; shot: string },
): Promise<string> {
  await page.goto('/admin/semesters');
  await page.click('a[href="/admin/roll-forward"]');
  await page.selectOption('#from', fx.semesterId);
  await page.setInputFiles('#calendarFile', opts.calendarFile);
  if (opts.template) await page.selectOption('#template', opts.template);
  await Promise.all([page.waitForURL(/\/admin\/roll-forward\/preview\?/), page.click('#preview')]);
  const summary = await page.locator('#summary').innerText();
  await page.screenshot({ path: artifact(opts.shot), fullPage: true });
  await page.fill('#id', opts.id);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('#create-start')]);
  return summary;
}

describe('a school admin sets up next year on the web pages alone', () => {
  test('When the admin rolls 2024 autumn forward and makes a spring checklist in the editor, then 2025 autumn and 2025 spring are created, correct and started', async () => {
    const { context, page } = await freshPage(browser!, fx.base);
    expect((await loginViaForm(page, 'admin')).status()).toBe(303);

    // 2025 autumn: the same checklist on the new calendar
    const autumn = await rollForward(page, {
      calendarFile: path.join(ROOT, 'calendars', '2025-autumn.json'),
      id: '2025-autumn',
      shot: 'roll-forward-2025-autumn.png',
    });
    expect(autumn).toMatch(/共 54 项，其中 2 项需要确认。/);
    expect(await fx.store.getSemester('2025-autumn')).toMatchObject({
      calendarId: '2025-autumn',
      templateId: 'runxin-2024-autumn',
      status: 'running',
    });
    const autumnPlan = (await (await page.request.get('/api/semesters/2025-autumn/plan')).json()) as {
      tasksPerCollege: number;
      months: Array<{ month: string }>;
      adjustments: Array<{ holiday: string }>;
    };
    expect(autumnPlan.tasksPerCollege).toBe(53);
    expect(autumnPlan.months.map((m) => m.month)).toEqual(['2025-09', '2025-10', '2025-11', '2025-12', '2026-01']);
    expect(autumnPlan.adjustments.map((a) => a.holiday)).toEqual(['mid-autumn']);

    // a spring checklist: a copy of the autumn one, each task moved to its spring month in the editor
    await page.goto('/admin/checklists');
    await page.click('a[href="/admin/checklists/runxin-2024-autumn/edit"]');
    await page.click('#copy summary');
    await page.fill('#newId', 'runxin-spring');
    await page.fill('#newTitle', '心理健康教育工作重点任务清单（春季学期）');
    await Promise.all([page.waitForURL(/\/admin\/checklists\/runxin-spring\/edit/), page.click('#copy-save')]);
    const spring = { 9: 2, 10: 3, 11: 4, 12: 5, 1: 6 } as Record<number, number>;
    const ids = await page
      .locator('#tasks tr[data-task]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task')!));
    expect(ids).toHaveLength(31);
    for (const id of ids) {
      await page.goto(`/admin/checklists/runxin-spring/tasks/${id}/edit`);
      const when = await page.locator('#when').inputValue();
      const month = Number(/^m(\d+)$/.exec(when)?.[1]);
      await page.selectOption('#when', `m${spring[month]}`);
      if (id === '2024-09-08-holiday-safety-reminder') {
        // Mid-Autumn and National Day → Qingming and Labour Day
        await page.uncheck('#holiday-mid-autumn');
        await page.uncheck('#holiday-national-day');
        await page.check('#holiday-qingming');
        await page.check('#holiday-labour-day');
      }
      if (id === '2024-12-05-holiday-safety-reminder') {
        // Christmas and New Year → Dragon Boat
        await page.uncheck('#holiday-christmas');
        await page.uncheck('#holiday-new-year');
        await page.check('#holiday-dragon-boat');
      }
      await Promise.all([page.waitForURL(/\/edit\?saved=v\d+$/), page.click('#save')]);
    }
    // and each month's key-care groups to its spring month
    for (const [from, to] of Object.entries(spring)) {
      await page.goto(`/admin/checklists/runxin-spring/months/${from}/edit`);
      await page.selectOption('#month', String(to));
      await Promise.all([page.waitForURL(/\/edit\?saved=v\d+$/), page.click('#save-month')]);
    }
    const springTemplate = parseTemplate('t', (await fx.store.getTemplate('runxin-spring'))!.body);
    expect(springTemplate.version).toBe(37); // the copy, then one version per task and per month saved
    expect(springTemplate.months.map((m) => m.month)).toEqual([2, 3, 4, 5, 6]);
    expect(springTemplate.tasks.find((x) => x.id === '2024-09-08-holiday-safety-reminder')!.due).toMatchObject({
      type: 'before-holiday',
      holidays: ['qingming', 'labour-day'],
    });
    // the autumn checklist is untouched, and so is the running 2025 autumn semester
    expect((await fx.store.getTemplate('runxin-2024-autumn'))!.version).toBe(
      (await fx.store.getSemester('2025-autumn'))!.templateVersion,
    );

    // 2025 spring: roll forward with the spring checklist
    const springSummary = await rollForward(page, {
      calendarFile: path.join(ROOT, 'calendars', '2025-spring.json'),
      template: 'runxin-spring@37',
      id: '2025-spring',
      shot: 'roll-forward-2025-spring.png',
    });
    expect(springSummary).toContain('runxin-spring v37');
    expect(await fx.store.getSemester('2025-spring')).toMatchObject({
      calendarId: '2025-spring',
      templateId: 'runxin-spring',
      templateVersion: 37,
      status: 'running',
    });
    const springPlan = (await (await page.request.get('/api/semesters/2025-spring/plan')).json()) as {
      months: Array<{
        month: string;
        tasks: Array<{ templateTaskId: string; occurrence: string | null; dueAt: number }>;
      }>;
    };
    expect(springPlan.months.map((m) => m.month)).toEqual([
      '2025-02',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
      '2025-07',
    ]);
    const due = (task: string, occ: string | null) => {
      const x = springPlan.months
        .flatMap((m) => m.tasks)
        .find((y) => y.templateTaskId === task && y.occurrence === occ)!;
      return new Date(x.dueAt + 8 * 3600_000).toISOString().slice(0, 10);
    };
    // hand-computed on the 2025 spring calendar: Qingming 4 Apr (Fri) → Thu 3 Apr; Labour Day 1 May (Thu) → Wed 30 Apr;
    // Dragon Boat 31 May (Sat) → Fri 30 May; the exams end Fri 4 July → the vacation reminder Fri 4 July
    expect(due('2024-09-08-holiday-safety-reminder', 'qingming')).toBe('2025-04-03');
    expect(due('2024-09-08-holiday-safety-reminder', 'labour-day')).toBe('2025-04-30');
    expect(due('2024-12-05-holiday-safety-reminder', 'dragon-boat')).toBe('2025-05-30');
    expect(due('2025-01-04-pre-vacation-safety-education', 'vacation')).toBe('2025-07-04');
    // the spring semester's key-care groups are its own months'
    const springCalendar = loadCalendarFile(path.join(ROOT, 'calendars', '2025-spring.json')).data;
    expect(keyCareMonths(springTemplate, springCalendar).map((m) => m.month)).toEqual([
      '2025-02',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
    ]);
    expect(started).toEqual(['semester.2025-autumn', 'semester.2025-spring']);
    await context.close();
  }, 180_000);
});
