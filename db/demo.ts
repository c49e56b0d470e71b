/**
 * The demo school: eight colleges with realistic names, one user per role per college and a
 * school administrator. Idempotent: a second run changes nothing (and keeps changed passwords).
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

export async function seedDemoSchool(store: Store): Promise<DemoAccount[]> {
  await store.upsertSchool(DEMO_SCHOOL);
  const accounts: DemoAccount[] = [];
  const hash = await hashPassword(DEMO_PASSWORD);
  const ensureUser = async (u: {
    id: string;
    collegeId: string | null;
    displayName: string;
    role: DemoAccount['role'];
  }) => {
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
  };
  await ensureUser({ id: 'admin', collegeId: null, displayName: '学生工作处管理员', role: 'school_admin' });
  accounts.push({ username: 'admin', role: 'school_admin', college: null });
  for (const [i, c] of DEMO_COLLEGES.entries()) {
    await store.upsertCollege({ ...c, schoolId: DEMO_SCHOOL.id, sortOrder: i + 1 });
    for (const role of Object.keys(ROLE_NAMES) as CollegeRole[]) {
      const username = `${c.id}-${role.replace('_', '-')}`;
      await ensureUser({ id: username, collegeId: c.id, displayName: `${c.name}${ROLE_NAMES[role]}`, role });
      accounts.push({ username, role, college: c.name });
    }
  }
  return accounts;
}
