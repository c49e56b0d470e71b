/**
 * The demo's roster and care history (scripts/demo-records.ts, run by `npm start`), on the
 * time-skipping server with the worker: two classes and two dormitories in two colleges with a
 * 心理委员 and a 宿舍信息员 each, who sign in with the demo password and see their unit; and one student
 * whose archive is filled: an orange screening warning, the interview recorded through the warning's
 * workflow, the hand-written sections. Run again, it changes nothing, and keeps what a visitor changed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_REPORTERS, DEMO_STUDENT } from '../db/demo';
import { editArchive, loadArchive } from '../server/features/archive/use-cases';
import { listRoster } from '../server/features/units/use-cases';
import { seedDemoCareHistory, seedDemoRoster } from '../scripts/demo-records';
import { sessionUser } from './helpers/actors';
import { login } from './helpers/web';
import { workerStack, type WorkerStack } from './helpers/worker';

let stack: WorkerStack;
const admin = sessionUser('admin', 'school_admin', null);
const counsellor = sessionUser('literature-counsellor', 'counsellor', 'literature');

beforeAll(async () => {
  stack = await workerStack('demo-records', { plan: false });
});
afterAll(async () => {
  await stack?.close();
});

const seedAll = async () => {
  const { fx, env, queue } = stack;
  const accounts = await seedDemoRoster({ store: fx.store, knex: fx.knex });
  await seedDemoCareHistory({ store: fx.store, knex: fx.knex, client: env.client, taskQueue: queue });
  return accounts;
};
const archiveOf = async () => {
  const student = (await stack.fx.knex('students').where({ student_no: DEMO_STUDENT.studentNo }).first('id')) as {
    id: string;
  };
  const deps = { knex: stack.fx.knex, store: stack.fx.store, taskQueue: stack.queue, now: Date.now() };
  return loadArchive(deps, counsellor, student.id);
};

describe('the demo’s roster and care history', () => {
  test('When the demo is seeded, then the roster’s reporters sign in to their unit’s page, and the demo student’s archive holds the warning, the interview and the hand-written sections', async () => {
    const accounts = await seedAll();
    expect(accounts).toEqual([
      { username: 'literature-psych-member', role: 'class_psych_member', college: '文学院' },
      { username: 'literature-dorm-officer', role: 'dorm_info_officer', college: '文学院' },
      { username: 'computing-psych-member', role: 'class_psych_member', college: '计算机与信息工程学院' },
      { username: 'computing-dorm-officer', role: 'dorm_info_officer', college: '计算机与信息工程学院' },
    ]);
    const units = await listRoster({ knex: stack.fx.knex, store: stack.fx.store, taskQueue: stack.queue }, admin);
    expect(units.map((u) => [u.collegeId, u.kind, u.name, u.students, u.reporters])).toEqual([
      ['computing', 'class', '计科2401班', 2, 1],
      ['computing', 'dorm', '西区5栋210', 2, 1],
      ['literature', 'class', '汉语言2401班', 4, 1],
      ['literature', 'dorm', '东区3栋201', 2, 1],
    ]);
    for (const r of DEMO_REPORTERS) {
      const page = await (await login(stack.fx.base, r.id)).fetch('/report');
      expect(page.status, r.id).toBe(200);
      expect(await page.text(), r.id).toMatch(
        /<p class="muted" id="unit">[^<]*(汉语言2401班|东区3栋201|计科2401班|西区5栋210)<\/p>/,
      );
    }

    const archive = await archiveOf();
    expect(archive.student).toMatchObject({ name: DEMO_STUDENT.name, className: DEMO_STUDENT.className });
    expect(archive.timeline.map((e) => [e.kind, e.facts.level ?? e.facts.assessment])).toEqual([
      ['screening-warning', 'orange'],
      ['interview', 'mild'],
    ]);
    expect(archive.fields).toMatchObject({
      phone: '13800000101',
      parentsRelation: 'harmonious',
      supportOutcome: '情绪较前平稳，能按时上课',
    });
    const page = await (await login(stack.fx.base, 'literature-counsellor')).fetch(`/archives/${archive.student.id}`);
    expect(await page.text()).toContain('高考发挥失常，进入第二志愿专业');
  });

  test('When the demo is seeded again, then nothing changes and what a visitor changed is kept', async () => {
    const before = await archiveOf();
    await editArchive(
      { knex: stack.fx.knex, store: stack.fx.store, taskQueue: stack.queue, now: Date.now() },
      counsellor,
      before.student.id,
      { phone: '13800009999' },
    );
    const rosterImports = async () =>
      (await stack.fx.store.listAudit({ subjectType: 'school', subjectId: 'demo-school' })).filter(
        (a) => a.action === 'roster.imported',
      ).length;
    expect(await rosterImports()).toBe(1);
    await seedAll();
    const after = await archiveOf();
    expect(after.timeline).toEqual(before.timeline);
    expect(after.fields.phone).toBe('13800009999');
    expect(after.versions).toHaveLength(before.versions.length + 1);
    expect(await rosterImports()).toBe(1);
    expect(await stack.fx.knex('screening_warnings').count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
