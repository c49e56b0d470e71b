/**
 * The plan preview (admin API and page) lists every holiday reminder that a missing or merged
 * holiday changed, with the reason: the 2024 checklist on the 2025 autumn calendar.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, webFixture, type WebFixture } from './helpers/web';

const ROOT = path.resolve(__dirname, '..');
let fx: WebFixture;
beforeAll(async () => {
  fx = await webFixture(
    { client: {} as Client, adminApiToken: 'ops-token-for-tests-0123456789abcdef' },
    { plan: false },
  );
});
afterAll(async () => fx?.close());

const blob = (rel: string) => new Blob([fs.readFileSync(path.join(ROOT, rel), 'utf8')], { type: 'application/json' });

describe('plan preview of the 2024 checklist on the 2025 autumn calendar', () => {
  test('When the semester is created, then the preview has its 53 tasks and lists Mid-Autumn merged into National Day with the reason, in the API and on the page', async () => {
    const admin = await login(fx.base, 'admin');
    const f = new FormData();
    f.append('id', 'autumn-2025');
    f.append('templateFile', blob('checklists/runxin-2024-autumn.json'), 'runxin.json');
    f.append('calendarFile', blob('calendars/2025-autumn.json'), '2025-autumn.json');
    expect((await admin.fetch('/api/semesters', { method: 'POST', body: f })).status).toBe(201);
    const plan = (await (await admin.fetch('/api/semesters/autumn-2025/plan')).json()) as {
      tasksPerCollege: number;
      months: Array<{ month: string }>;
      adjustments: Array<Record<string, unknown>>;
    };
    expect(plan.tasksPerCollege).toBe(53);
    expect(plan.months.map((m) => m.month)).toEqual(['2025-09', '2025-10', '2025-11', '2025-12', '2026-01']);
    expect(plan.adjustments).toEqual([
      expect.objectContaining({
        templateTaskId: '2024-09-08-holiday-safety-reminder',
        holiday: 'mid-autumn',
        situation: 'merged',
        rule: 'merge-into:national-day',
        title: expect.objectContaining({ zh: '做好假期安全提醒' }),
      }),
    ]);
    const page = await (await admin.fetch('/admin/semesters/autumn-2025')).text();
    expect(page).toContain('<section id="holiday-rules">');
    expect(page).toContain(
      '本学期中秋节在国庆节、中秋节（2025-10-01–2025-10-08）假期之内：按清单规则并入国庆节前的提醒（2025-10-01 前）',
    );
  });
});
