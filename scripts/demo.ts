/**
 * The demo school with the 2024 autumn checklist: reference data, the checklist and calendar
 * files (validated), and the semester record. Idempotent.
 */
import path from 'node:path';
import { DEMO_SCHOOL, seedDemoSchool, type DemoAccount } from '../db/demo';
import type { Store } from '../db/store';
import { ROOT } from '../server/platform/config/config';
import { createSemester, registerDataFiles } from '../server/features/semesters/use-cases/setup';

export const DEMO_TEMPLATE_FILE = path.join(ROOT, 'checklists', 'runxin-2024-autumn.json');
export const DEMO_CALENDAR_FILE = path.join(ROOT, 'calendars', '2024-autumn.json');
export const DEMO_SEMESTER_ID = 'demo-2024-autumn';

export async function seedDemo(
  store: Store,
  files = {
    templateFile: process.env.DEMO_TEMPLATE_FILE ?? DEMO_TEMPLATE_FILE,
    calendarFile: process.env.DEMO_CALENDAR_FILE ?? DEMO_CALENDAR_FILE,
  },
): Promise<{ accounts: DemoAccount[]; semesterId: string }> {
  const { template, calendar } = await registerDataFiles(store, files);
  const accounts = await seedDemoSchool(store);
  await createSemester(store, {
    id: DEMO_SEMESTER_ID,
    schoolId: DEMO_SCHOOL.id,
    templateId: template.id,
    templateVersion: template.version,
    calendarId: calendar.id,
  });
  return { accounts, semesterId: DEMO_SEMESTER_ID };
}
