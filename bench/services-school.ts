/** The bench school (see services.ts): seeded colleges, users and semesters, and signing in over HTTP. */
import path from 'node:path';
import type { Knex } from 'knex';
import { hashPassword } from '../db/passwords';
import { createStore, type Store } from '../db/store';
import { COLLEGE_ROLES, type Calendar, type Template } from '../domain/schema';
import { createSemester, registerDataFiles } from '../server/features/semesters/use-cases/setup';

/** Signs in over HTTP (the bench school's users have BENCH_PASSWORD): the cookie and CSRF token. */
export { signIn } from '../test/helpers/processes';

const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------
// The bench school

export const BENCH_SCHOOL = 'bench-school';
export const BENCH_PASSWORD = 'bench-2024';
const TEMPLATE_FILE = path.join(ROOT, 'checklists', 'runxin-2024-autumn.json');
const CALENDAR_FILE = path.join(ROOT, 'calendars', '2024-autumn.json');

/** The bench school and its school admin `admin` (BENCH_PASSWORD); the password's hash, for more users. */
export async function upsertBenchSchool(store: Store, admin: string): Promise<string> {
  await store.upsertSchool({
    id: BENCH_SCHOOL,
    name: '基准测试大学',
    nameEn: 'Benchmark University',
    timezone: 'Asia/Shanghai',
  });
  const hash = await hashPassword(BENCH_PASSWORD);
  await store.upsertUser({
    id: admin,
    schoolId: BENCH_SCHOOL,
    collegeId: null,
    username: admin,
    displayName: '基准测试管理员',
    role: 'school_admin',
    email: null,
    passwordHash: hash,
    active: true,
  });
  return hash;
}

/** Registers the 2024 autumn template and calendar (checklists/, calendars/). */
export const registerAutumn = (store: Store) =>
  registerDataFiles(store, { templateFile: TEMPLATE_FILE, calendarFile: CALENDAR_FILE });

/**
 * The bench school with `colleges` colleges (college-001 …), one user per college role in each
 * (`college-001-counsellor`, … all with BENCH_PASSWORD) and a school admin, the 2024 autumn
 * template and calendar, and the given semesters created (not started), each on the task model
 * `taskModels` names (default per-task, whatever TASK_MODEL says).
 */
export async function seedSchool(
  knex: Knex,
  o: {
    colleges: number;
    semesters: string[];
    /** by semester id; absent: the per-task model */ taskModels?: Record<string, 'per-task' | 'ladder'>;
  },
): Promise<{ template: Template; calendar: Calendar; collegeIds: string[] }> {
  const store = createStore(knex);
  const hash = await upsertBenchSchool(store, 'bench-admin');
  const users: Array<Parameters<typeof store.upsertUser>[0]> = [];
  const collegeIds: string[] = [];
  for (let i = 1; i <= o.colleges; i++) {
    const n = String(i).padStart(3, '0');
    const id = `college-${n}`;
    collegeIds.push(id);
    await store.upsertCollege({ id, schoolId: BENCH_SCHOOL, name: `第${n}学院`, nameEn: `College ${n}`, sortOrder: i });
    for (const role of COLLEGE_ROLES) {
      const username = `${id}-${role.replace('_', '-')}`;
      users.push({
        id: username,
        schoolId: BENCH_SCHOOL,
        collegeId: id,
        username,
        displayName: `${id} ${role}`,
        role,
        email: null,
        passwordHash: hash,
        active: true,
      });
    }
  }
  for (const u of users) await store.upsertUser(u);
  const { template, calendar } = await registerAutumn(store);
  for (const id of o.semesters) {
    await createSemester(store, {
      id,
      schoolId: BENCH_SCHOOL,
      templateId: template.id,
      templateVersion: template.version,
      calendarId: calendar.id,
      taskModel: o.taskModels?.[id] ?? 'per-task',
    });
  }
  return { template, calendar, collegeIds };
}
