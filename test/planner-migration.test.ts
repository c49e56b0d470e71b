/**
 * The year-free checklist (format 2) plans the 2024 autumn semester exactly as the year-bound
 * checklist did: the fixtures were captured from the planner before the change (commit 4bad31d),
 * and both the migrated file and the old stored form (as a running semester keeps it) must match.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DataFileError, loadCalendarFile, loadTemplateFile, parseTemplate } from '../domain/load';
import { planSemester, previewPlan, type Plan } from '../domain/planner';

const ROOT = join(__dirname, '..');
const fixture = (name: string): Plan => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', name), 'utf8')) as Plan;
const calendar = loadCalendarFile(join(ROOT, 'calendars', '2024-autumn.json')).data;
const colleges = [{ id: 'literature' }, { id: 'science' }];

describe('the 2024 autumn plan is the same, date for date, after the checklists became year-free', () => {
  test('When the migrated runxin checklist (v3, format 2) is planned on calendars/2024-autumn.json, then the plan equals the one captured from v2', () => {
    const template = loadTemplateFile(join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data;
    expect([template.format, template.version]).toEqual([2, 3]);
    const { plan, adjustments } = previewPlan({ semesterId: 'fixture', template, calendar, colleges });
    const old = fixture('plan-runxin-2024-autumn-x-2024-autumn.json');
    expect(old.tasks).toHaveLength(108);
    expect(plan).toEqual(old);
    // every holiday the checklist names is in the 2024 calendar: no rule had to decide
    expect(adjustments).toEqual([]);
  });

  test('When the v2 checklist as stored before (year-bound, no format) is read, then it upgrades and plans the same', () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'runxin-2024-autumn.v2-legacy.json'), 'utf8');
    expect(JSON.parse(text)).not.toHaveProperty('format');
    const template = parseTemplate('template runxin-2024-autumn v2', text);
    expect(template.version).toBe(2);
    expect(template.months.map((m) => m.month)).toEqual([9, 10, 11, 12, 1]);
    expect(planSemester({ semesterId: 'fixture', template, calendar, colleges })).toEqual(
      fixture('plan-runxin-2024-autumn-x-2024-autumn.json'),
    );
  });

  test('When the migrated campaign (v2, format 2) is planned, then it equals the plan captured from v1', () => {
    const template = loadTemplateFile(join(ROOT, 'checklists', 'campaign-2022-winter-care.json')).data;
    expect(planSemester({ semesterId: 'fixture', template, calendar, colleges })).toEqual(
      fixture('plan-campaign-2022-winter-care-x-2024-autumn.json'),
    );
  });

  test('When a year-bound template has the same month of two years, then reading it is refused naming both', () => {
    const old = JSON.parse(
      readFileSync(join(ROOT, 'test', 'fixtures', 'runxin-2024-autumn.v2-legacy.json'), 'utf8'),
    ) as {
      tasks: Array<{ month: string }>;
    };
    old.tasks[0]!.month = '2025-09';
    expect(() => parseTemplate('old.json', JSON.stringify(old))).toThrow(DataFileError);
    expect(() => parseTemplate('old.json', JSON.stringify(old))).toThrow(
      /^old\.json: tasks\[0\]\.month: months 2024-09 and 2025-09 are the same month of the year/,
    );
  });
});
