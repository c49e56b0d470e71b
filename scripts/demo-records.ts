/**
 * What a visitor of the demo needs to see the four-level network at work (issue 16), written through
 * the app's own use cases (no SQL):
 *  - the roster (db/demo.ts DEMO_ROSTER_CSV): two classes and two dormitories in two colleges, with
 *    the reporters' accounts; imported before the demo semester starts, so their weekly reports run;
 *  - one student's care history (DEMO_STUDENT): an orange screening warning (its follow-up workflow
 *    started), the interview recorded through that workflow, and the archive's hand-written sections,
 *    so /archives shows a filled archive.
 * Idempotent, and it never overwrites what a visitor changed: a school with a roster keeps it, an
 * interviewed warning is not interviewed again, an archive with hand-written entries keeps them.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { DEMO_ROSTER_CSV, DEMO_SCHOOL, DEMO_STUDENT, seedDemoReporters, type DemoAccount } from '../db/demo';
import { registeredStudentsByNo } from '../db/repositories/students';
import type { Store } from '../db/store';
import { editArchive, loadArchive } from '../server/features/archive/use-cases';
import { importWarnings, recordInterview } from '../server/features/screening/use-cases';
import { importRoster } from '../server/features/units/use-cases';
import type { SessionUser } from '../server/platform/auth/context';

const DAY = 86_400_000;

/** A demo account as the use cases see it signed in. */
async function signedIn(store: Store, username: string): Promise<SessionUser> {
  const u = await store.findUserByUsername(username);
  if (!u) throw new Error(`the demo account ${username} is missing`);
  return { id: u.id, username, displayName: u.displayName, role: u.role, collegeId: u.collegeId, schoolId: u.schoolId };
}

/** The reporters' accounts and, unless the school has a roster already, the demo roster. */
export async function seedDemoRoster(deps: { store: Store; knex: Knex }): Promise<DemoAccount[]> {
  const accounts = await seedDemoReporters(deps.store);
  if (!(await deps.store.hasUnits(DEMO_SCHOOL.id)))
    await importRoster(deps, await signedIn(deps.store, 'admin'), Buffer.from(DEMO_ROSTER_CSV, 'utf8'));
  return accounts;
}

/** The interview of the demo student's warning, as the counsellor filled in the record (appendix 2). */
const INTERVIEW = {
  rapport: '主动前来，交流顺畅，愿意接受帮助',
  emotions: '近两周情绪低落，入睡困难，对专业学习缺乏兴趣',
  socialFunctioning: '能按时上课，与室友关系尚可，较少参加集体活动',
  coping: '倾向独处和听音乐，愿意与母亲和辅导员沟通',
  riskOfExtremeThoughts: '否认自伤、自杀想法和计划，无既往行为',
  assessment: 'mild' as const,
  needsCounselling: true,
  needsCrisisIntervention: false,
};

/** The archive's hand-written sections (seed 003 appendix 3), as the counsellor keeps them. */
const ARCHIVE_FIELDS = {
  gender: 'female',
  phone: '13800000101',
  liaisonTeacher: '文学院辅导员',
  health: 'good',
  parentsRelation: 'harmonious',
  familyAtmosphere: 'ordinary',
  parenting: 'democratic',
  familyContacts: '母亲 13900000102',
  teacherRelation: 'harmonious',
  peerRelations: '与室友相处融洽，近期较少参加集体活动',
  lifeEvents: [{ date: '2024-06-08', text: '高考发挥失常，进入第二志愿专业' }],
  supportGiven: '辅导员每两周谈心一次；推荐参加学校心理中心团体辅导',
  supportOutcome: '情绪较前平稳，能按时上课',
};

/**
 * The demo student's care history: the warning imported two days ago (its follow-up workflow
 * started), the archive's hand-written sections, and the interview recorded through the warning's
 * workflow (last: it waits for the worker to run the Update).
 */
export async function seedDemoCareHistory(deps: {
  store: Store;
  knex: Knex;
  client: Client;
  taskQueue: string;
}): Promise<void> {
  const { store, knex, client, taskQueue } = deps;
  const counsellor = await signedIn(store, 'literature-counsellor');
  const now = Date.now();
  const csv = `学号,姓名,学院,班级,预警等级\r\n${DEMO_STUDENT.studentNo},${DEMO_STUDENT.name},文学院,${DEMO_STUDENT.className},橙色`;
  await importWarnings(
    { knex, store, client, taskQueue, now: now - 2 * DAY },
    counsellor,
    Buffer.from(csv),
    'demo.csv',
  );
  const student = (await registeredStudentsByNo(knex, DEMO_SCHOOL.id, [DEMO_STUDENT.studentNo])).get(
    DEMO_STUDENT.studentNo,
  )!;
  const archiveDeps = { knex, store, client, taskQueue, now };
  const before = await loadArchive(archiveDeps, counsellor, student.id);
  const warning = before.timeline.find((e) => e.kind === 'screening-warning')!.ref.id;
  if (before.versions.length === 0) await editArchive(archiveDeps, counsellor, student.id, ARCHIVE_FIELDS);
  if (!before.timeline.some((e) => e.kind === 'interview'))
    await recordInterview({ knex, client }, counsellor, warning, INTERVIEW);
}
