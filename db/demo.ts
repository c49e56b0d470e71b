/**
 * The demo school: eight colleges with realistic names, one user per role per college and a
 * school administrator; and, for `npm start` only (scripts/demo-records.ts), a small roster of
 * classes and dormitories with their student reporters' accounts and one student with a short care
 * history. Idempotent: a second run changes nothing (and keeps changed passwords).
 */
import type { CollegeRole } from '../domain/schema';
import { hashPassword } from './passwords';
import type { Store } from './store';

export const DEMO_SCHOOL = {
  id: 'demo-school',
  name: '江苏示范大学',
  nameEn: 'Jiangsu Demonstration University',
  timezone: 'Asia/Shanghai',
};
export const DEMO_PASSWORD = 'demo-2024';

export const DEMO_COLLEGES: ReadonlyArray<{ id: string; name: string; nameEn: string }> = [
  { id: 'literature', name: '文学院', nameEn: 'School of Liberal Arts' },
  { id: 'science', name: '数学与统计学院', nameEn: 'School of Mathematics and Statistics' },
  { id: 'mechanical', name: '机械工程学院', nameEn: 'School of Mechanical Engineering' },
  { id: 'computing', name: '计算机与信息工程学院', nameEn: 'School of Computer and Information Engineering' },
  { id: 'business', name: '经济管理学院', nameEn: 'School of Economics and Management' },
  { id: 'languages', name: '外国语学院', nameEn: 'School of Foreign Languages' },
  { id: 'arts', name: '艺术设计学院', nameEn: 'School of Art and Design' },
  { id: 'medicine', name: '医学院', nameEn: 'School of Medicine' },
];

const ROLE_NAMES: Record<CollegeRole, string> = {
  college_leader: '分管学生工作副书记',
  psych_counsellor: '心理辅导员',
  counsellor: '辅导员',
  class_teacher: '班主任',
};

export interface DemoAccount {
  username: string;
  role: string;
  college: string | null;
}

type DemoUser = { id: string; collegeId: string | null; displayName: string; role: DemoAccount['role'] };

/** Creates or updates a demo account (username = id), keeping a password changed since. */
async function ensureUser(store: Store, hash: string, u: DemoUser): Promise<void> {
  const existing = await store.findUserByUsername(u.id);
  await store.upsertUser({
    id: u.id,
    schoolId: DEMO_SCHOOL.id,
    collegeId: u.collegeId,
    username: u.id,
    displayName: u.displayName,
    role: u.role as never,
    email: `${u.id}@demo-school.example.cn`,
    passwordHash: existing?.passwordHash ?? hash,
  });
}

export async function seedDemoSchool(store: Store): Promise<DemoAccount[]> {
  await store.upsertSchool(DEMO_SCHOOL);
  const accounts: DemoAccount[] = [];
  const hash = await hashPassword(DEMO_PASSWORD);
  await ensureUser(store, hash, {
    id: 'admin',
    collegeId: null,
    displayName: '学生工作处管理员',
    role: 'school_admin',
  });
  accounts.push({ username: 'admin', role: 'school_admin', college: null });
  for (const [i, c] of DEMO_COLLEGES.entries()) {
    await store.upsertCollege({ ...c, schoolId: DEMO_SCHOOL.id, sortOrder: i + 1 });
    for (const role of Object.keys(ROLE_NAMES) as CollegeRole[]) {
      const username = `${c.id}-${role.replace('_', '-')}`;
      await ensureUser(store, hash, {
        id: username,
        collegeId: c.id,
        displayName: `${c.name}${ROLE_NAMES[role]}`,
        role,
      });
      accounts.push({ username, role, college: c.name });
    }
  }
  return accounts;
}

/**
 * The demo roster's student reporters (issue 16 part 2): a 心理委员 and a 宿舍信息员 in each of two
 * colleges, each the member of one unit of DEMO_ROSTER_CSV. They sign in with DEMO_PASSWORD.
 */
export const DEMO_REPORTERS: ReadonlyArray<DemoUser & { collegeId: string }> = [
  {
    id: 'literature-psych-member',
    collegeId: 'literature',
    displayName: '王悦（汉语言2401班心理委员）',
    role: 'class_psych_member',
  },
  {
    id: 'literature-dorm-officer',
    collegeId: 'literature',
    displayName: '陈静（东区3栋201宿舍信息员）',
    role: 'dorm_info_officer',
  },
  {
    id: 'computing-psych-member',
    collegeId: 'computing',
    displayName: '赵磊（计科2401班心理委员）',
    role: 'class_psych_member',
  },
  {
    id: 'computing-dorm-officer',
    collegeId: 'computing',
    displayName: '孙婷（西区5栋210宿舍信息员）',
    role: 'dorm_info_officer',
  },
];

/** The reporters' accounts (the roster names them, so they come first). */
export async function seedDemoReporters(store: Store): Promise<DemoAccount[]> {
  const hash = await hashPassword(DEMO_PASSWORD);
  const college = new Map(DEMO_COLLEGES.map((c) => [c.id, c.name]));
  for (const r of DEMO_REPORTERS) await ensureUser(store, hash, r);
  return DEMO_REPORTERS.map((r) => ({ username: r.id, role: r.role, college: college.get(r.collegeId) ?? null }));
}

/**
 * The demo roster as the school would import it (the headings of server/features/units/roster-rules.ts):
 * two classes and two dormitories in 文学院 and 计算机与信息工程学院, their students, reporters and class teachers.
 */
export const DEMO_ROSTER_CSV = [
  '类型,编号,名称,学院,学号,姓名,用户名,职务',
  '班级,HY2401,汉语言2401班,文学院,2024010101,林晓,,',
  '班级,HY2401,汉语言2401班,文学院,2024010102,周航,,',
  '班级,HY2401,汉语言2401班,文学院,2024010103,王悦,literature-psych-member,心理委员',
  '班级,HY2401,汉语言2401班,文学院,2024010104,陈静,,',
  '班级,HY2401,汉语言2401班,文学院,,,literature-class-teacher,班主任',
  '宿舍,D3-201,东区3栋201,文学院,2024010101,林晓,,',
  '宿舍,D3-201,东区3栋201,文学院,2024010104,陈静,literature-dorm-officer,宿舍信息员',
  '班级,JK2401,计科2401班,计算机与信息工程学院,2024050101,刘洋,,',
  '班级,JK2401,计科2401班,计算机与信息工程学院,2024050102,赵磊,computing-psych-member,心理委员',
  '班级,JK2401,计科2401班,计算机与信息工程学院,,,computing-class-teacher,班主任',
  '宿舍,X5-210,西区5栋210,计算机与信息工程学院,2024050101,刘洋,,',
  '宿舍,X5-210,西区5栋210,计算机与信息工程学院,2024050103,孙婷,computing-dorm-officer,宿舍信息员',
].join('\r\n');

/** The demo student with a care history (scripts/demo-records.ts): in 汉语言2401班 and 东区3栋201 above. */
export const DEMO_STUDENT = {
  studentNo: '2024010101',
  name: '林晓',
  collegeId: 'literature',
  className: '汉语言2401班',
};
