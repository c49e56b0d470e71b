/**
 * Fixtures of the class and dorm levels (issue 16 part 2): reporter accounts in the demo school, a
 * roster naming them, and the current week opened by the unitReports activity itself.
 */
import type { Knex } from 'knex';
import { createUnitReportActivities } from '../../activities/unit-reports';
import { DEMO_PASSWORD } from '../../db/demo';
import { hashPassword } from '../../db/passwords';
import type { Store } from '../../db/store';
import type { SessionUser } from '../../server/platform/auth/context';
import { importRoster } from '../../server/features/units/use-cases';

export const REPORTERS = [
  { id: 'lit-psych-member', role: 'class_psych_member', collegeId: 'literature', displayName: '王心委' },
  { id: 'lit-psych-member-2', role: 'class_psych_member', collegeId: 'literature', displayName: '赵心委' },
  { id: 'lit-dorm-officer', role: 'dorm_info_officer', collegeId: 'literature', displayName: '李信息员' },
  { id: 'sci-psych-member', role: 'class_psych_member', collegeId: 'science', displayName: '陈心委' },
] as const;

export async function seedReporters(store: Store): Promise<void> {
  const hash = await hashPassword(DEMO_PASSWORD);
  for (const r of REPORTERS)
    await store.upsertUser({
      id: r.id,
      schoolId: 'demo-school',
      collegeId: r.collegeId,
      username: r.id,
      displayName: r.displayName,
      role: r.role,
      email: null,
      passwordHash: hash,
    });
}

/** The session of a stored user, as sign-in makes it. */
export const sessionUserOf = (u: SessionUser): SessionUser => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  collegeId: u.collegeId,
  schoolId: u.schoolId,
});

/** The session of the stored user `username` (who must exist). */
export const sessionOf = async (store: Store, username: string): Promise<SessionUser> =>
  sessionUserOf((await store.findUserByUsername(username))!);

/** Two literature classes and one dormitory, one science class, with their students, reporters and teachers. */
export const ROSTER_CSV = [
  '类型,编号,名称,学院,学号,姓名,用户名,职务',
  '班级,HY2401,汉语言2401班,文学院,2024001,张一,,',
  '班级,HY2401,汉语言2401班,文学院,2024002,张二,,',
  '班级,HY2401,汉语言2401班,文学院,2024003,王心委,lit-psych-member,心理委员',
  '班级,HY2401,汉语言2401班,文学院,,,literature-class-teacher,班主任',
  '班级,HY2402,汉语言2402班,文学院,2024011,刘一,,',
  '班级,HY2402,汉语言2402班,文学院,,,lit-psych-member-2,心理委员',
  '班级,HY2402,汉语言2402班,文学院,,,literature-class-teacher,班主任',
  '宿舍,D3-201,东区3栋201,文学院,2024001,张一,,',
  '宿舍,D3-201,东区3栋201,文学院,2024011,刘一,lit-dorm-officer,宿舍信息员',
  '班级,SX2401,数学2401班,数学与统计学院,2024101,陈一,,',
  '班级,SX2401,数学2401班,数学与统计学院,,,sci-psych-member,心理委员',
].join('\n');

export async function importDemoRoster(deps: { store: Store; knex: Knex }): Promise<void> {
  await importRoster(deps, await sessionOf(deps.store, 'admin'), Buffer.from(ROSTER_CSV, 'utf8'));
}

/** Opens week `weekNo` of the semester for every unit of the college, as the workflow's activity does. */
export async function openWeek(
  deps: { store: Store; knex: Knex },
  semesterId: string,
  collegeId: string,
  week: { weekNo: number; openAt: number; dueAt: number },
): Promise<void> {
  const acts = createUnitReportActivities(deps);
  await acts.moveUnitReports({
    semesterId,
    collegeId,
    steps: [
      { key: `w${week.weekNo}/opened`, weekNo: week.weekNo, action: 'opened', at: week.openAt, dueAt: week.dueAt },
    ],
  });
}
