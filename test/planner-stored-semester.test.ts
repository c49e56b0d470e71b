/**
 * Stored semesters of any year plan from what the database holds: a semester started on the
 * year-bound v2 checklist keeps that version and still plans as before; the 2024 checklist (v3)
 * registers against the 2025 autumn calendar; `npm run simulate -- --semester ID` takes them from
 * the store (storedSemesterFiles).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_SCHOOL } from '../db/demo';
import { loadCalendarFile, loadTemplateFile } from '../domain/load';
import { planSemester, type Plan } from '../domain/planner';
import { storedSemesterFiles } from '../scripts/simulate';
import { createSemester, registerDataFiles } from '../server/features/semesters/use-cases/setup';
import { demoDb, type DemoDb } from './helpers/demo-db';

const ROOT = path.join(__dirname, '..');
let fx: DemoDb;

beforeAll(async () => {
  fx = await demoDb('stored-semesters', { semesterId: 'demo-2024-autumn' });
  // a semester that started before the checklists became year-free: its version (v2) is stored in the old form
  const legacy = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'runxin-2024-autumn.v2-legacy.json'), 'utf8');
  await fx.store.saveTemplate({
    id: 'runxin-2024-autumn',
    version: 2,
    kind: 'semester-checklist',
    titleZh: '润心',
    titleEn: 'Runxin',
    body: legacy,
    sha256: createHash('sha256').update(legacy).digest('hex'),
  });
  await createSemester(fx.store, {
    id: 'running-2024',
    schoolId: DEMO_SCHOOL.id,
    templateId: 'runxin-2024-autumn',
    templateVersion: 2,
    calendarId: '2024-autumn',
  });
  // the 2024 checklist on the 2025 autumn calendar: registering plans it once as a check
  await registerDataFiles(fx.store, {
    templateFile: path.join(ROOT, 'checklists', 'runxin-2024-autumn.json'),
    calendarFile: path.join(ROOT, 'calendars', '2025-autumn.json'),
  });
  await createSemester(fx.store, {
    id: 'autumn-2025',
    schoolId: DEMO_SCHOOL.id,
    templateId: 'runxin-2024-autumn',
    templateVersion: 3,
    calendarId: '2025-autumn',
  });
});
afterAll(async () => fx?.close());

const planStored = async (semesterId: string, colleges = [{ id: 'c' }]) => {
  const files = await storedSemesterFiles(fx.store, semesterId, fx.dir, DEMO_SCHOOL.id);
  const template = loadTemplateFile(files.templateFile).data;
  return {
    template,
    plan: planSemester({
      semesterId: 'fixture',
      template,
      calendar: loadCalendarFile(files.calendarFile).data,
      colleges,
    }),
  };
};

describe('stored semesters of any year', () => {
  test('When a semester runs on the year-bound v2 checklist, then it keeps v2 and plans exactly as before the change', async () => {
    const { template, plan } = await planStored('running-2024', [{ id: 'literature' }, { id: 'science' }]);
    expect(template.version).toBe(2);
    const before = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'plan-runxin-2024-autumn-x-2024-autumn.json'), 'utf8'),
    ) as Plan;
    expect(plan).toEqual(before);
  });
  test('When the 2024 checklist is stored with the 2025 autumn calendar, then it plans in 2025–26 without "lies outside the semester"', async () => {
    const { template, plan } = await planStored('autumn-2025');
    expect(template.version).toBe(3);
    expect(plan.tasks).toHaveLength(53);
    expect(new Set(plan.tasks.map((t) => t.month))).toEqual(
      new Set(['2025-09', '2025-10', '2025-11', '2025-12', '2026-01']),
    );
  });
  test('When the demo semester (v3, 2024 autumn) is read from the store, then it has its 54 tasks per college', async () => {
    expect((await planStored('demo-2024-autumn')).plan.tasks).toHaveLength(54);
  });
  test('When simulate is given a semester that is not stored, then it names it and lists the stored ones', async () => {
    await expect(storedSemesterFiles(fx.store, 'nope', fx.dir, DEMO_SCHOOL.id)).rejects.toThrow(
      /^--semester: no stored semester "nope" \(school demo-school has: .*autumn-2025.*\)$/,
    );
  });
});
