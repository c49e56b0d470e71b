/**
 * The weekly class and dorm reports on the time-skipping server (issue 16 part 2), with the real
 * activities over SQLite and an e-mail channel that records what it sends:
 *  - one unitReports workflow for the college: a week filed in time; a week missed, reminded, overdue
 *    and escalated to the class teacher and the counsellors;
 *  - a concern: in the counsellor's inbox at once and sent on their channel; answered by opening a
 *    crisis case through the crisis feature; another one missed, escalated at its deadline.
 * The plan's weeks are placed after the test server's clock (their dating in the school calendar is
 * domain/units.ts reportWeeks, tested in units-domain.test.ts).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOutbox } from '../notifications/outbox';
import type { EmailChannel, EmailMessage } from '../notifications/email';
import { allActivities } from '../server/worker';
import { unitReportsWorkflow } from '../workflows';
import { unitConcernWorkflowId, unitReportsWorkflowId, type UnitReportWeekPlan } from '../contracts/units';
import {
  fileConcern,
  fileNothingUnusual,
  importRosterAndStartReports,
  reporterHome,
  respondToConcern,
} from '../server/features/units/use-cases';
import { demoDb, type DemoDb } from './helpers/demo-db';
import { timeSkippingEnv, uniqueQueue, workflowBundle } from './helpers/temporal';
import { DAY, HOUR } from './helpers/tasks';
import { importDemoRoster, ROSTER_CSV, seedReporters, sessionOf } from './helpers/units';

const SEMESTER = 'units-ts-2024-autumn';

let env: TestWorkflowEnvironment;
let fx: DemoDb;
let queue: string;
let worker: Worker;
let running: Promise<void>;
let weeks: UnitReportWeekPlan[] = [];
const mails: EmailMessage[] = [];
const delivered: string[] = [];

const email: EmailChannel = {
  from: 'rx@demo-school.example.cn',
  send: async (m) => void mails.push(m),
  messageIdFor: (eventKey, id) => `<${id}.${eventKey.replace(/[^A-Za-z0-9]/g, '')}@test>`,
  close: () => undefined,
};

beforeAll(async () => {
  env = await timeSkippingEnv();
  fx = await demoDb('units-ts', { semesterId: SEMESTER });
  await seedReporters(fx.store);
  await importDemoRoster({ store: fx.store, knex: fx.db });
  queue = uniqueQueue('units');
  const real = allActivities({
    knex: fx.db,
    client: env.client,
    outbox: createOutbox({ knex: fx.db, channels: { email } }),
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: queue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...real,
      planUnitReports: async () => ({ weeks }),
      deliverNotifications: async (req: { eventKey: string }) => {
        delivered.push(req.eventKey);
        return real.deliverNotifications(req);
      },
    },
  });
  running = worker.run();
}, 60_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  await fx?.close();
  await env?.teardown();
});

const deps = (now: number) => ({ store: fx.store, knex: fx.db, client: env.client, taskQueue: queue, now: () => now });
const weekRow = (code: string) =>
  fx
    .db('unit_report_weeks')
    .join('units', 'units.id', 'unit_report_weeks.unit_id')
    .where('units.code', code)
    .first('unit_report_weeks.*');
const inboxKinds = async (user: string) => (await fx.store.listNotifications(user)).map((n) => n.kind).sort();

describe('the weekly report of a college', () => {
  test('When one class files in time and a class and a dorm miss the week, then the first is filed, the others are reminded, overdue and escalated to their class teacher and the counsellor', async () => {
    const t0 = await env.currentTimeMs();
    weeks = [{ weekNo: 1, openAt: t0 + HOUR, remindAt: t0 + DAY, dueAt: t0 + 2 * DAY, escalateAt: t0 + 3 * DAY }];
    const handle = await env.client.workflow.start(unitReportsWorkflow, {
      args: [{ semesterId: SEMESTER, collegeId: 'literature' }],
      taskQueue: queue,
      workflowId: unitReportsWorkflowId(SEMESTER, 'literature'),
    });
    await env.sleep(2 * HOUR);
    const member = await sessionOf(fx.store, 'lit-psych-member');
    const filedAt = await env.currentTimeMs();
    await fileNothingUnusual(deps(filedAt), member);
    expect((await reporterHome(deps(filedAt), member)).filedThisWeek).toBe(true);
    expect(await handle.result()).toEqual({ steps: 4 });

    const filed = await weekRow('HY2401');
    expect([filed.status, Number(filed.filed_at), filed.reminded_at]).toEqual(['filed', filedAt, null]);
    for (const code of ['HY2402', 'D3-201']) {
      const missed = await weekRow(code);
      expect([missed.status, Number(missed.due_at), Number(missed.reminded_at), Number(missed.escalated_at)]).toEqual([
        'escalated',
        t0 + 2 * DAY,
        t0 + DAY,
        t0 + 3 * DAY,
      ]);
    }
    // the reporters of the missed units were reminded and told it is overdue; the one who filed, nothing
    expect(await inboxKinds('lit-psych-member-2')).toEqual(['unit_report_overdue', 'unit_report_reminder']);
    expect(await inboxKinds('lit-dorm-officer')).toEqual(['unit_report_overdue', 'unit_report_reminder']);
    expect(await inboxKinds('lit-psych-member')).toEqual([]);
    // the reporter, who has no inbox page, reads them on their own report page, newest first
    const missedHome = await reporterHome(
      deps(await env.currentTimeMs()),
      await sessionOf(fx.store, 'lit-psych-member-2'),
    );
    expect(missedHome.notices.map((n) => n.title)).toEqual(
      (await fx.store.listNotifications('lit-psych-member-2')).map((n) => n.title),
    );
    expect(missedHome.notices).toHaveLength(2);
    expect((await reporterHome(deps(filedAt), member)).notices).toEqual([]);
    // the escalation goes to the counsellor and the class teacher of the missed class, once each
    const escalated = (await fx.store.listNotifications('literature-counsellor')).filter(
      (n) => n.kind === 'unit_report_escalated',
    );
    expect(escalated.map((n) => n.body)).toEqual([
      expect.stringMatching(/^未提交：宿舍 东区3栋201、班级 汉语言2402班。/),
    ]);
    expect(await inboxKinds('literature-class-teacher')).toEqual(['unit_report_escalated']);
    // every step with recipients went out on the channel: the counsellor's escalation by e-mail
    const key = (step: string) => `unit-reports.${SEMESTER}.literature/w01/${step}`;
    expect(delivered).toEqual(expect.arrayContaining([key('reminded'), key('overdue'), key('escalated')]));
    expect(mails.filter((m) => m.to === 'literature-counsellor@demo-school.example.cn').map((m) => m.subject)).toEqual([
      expect.stringContaining('未提交第 1 周心理周报'),
    ]);
    // the science college's units are not this workflow's
    expect(await fx.db('unit_report_weeks').where({ college_id: 'science' }).count({ n: '*' })).toEqual([{ n: 0 }]);
  }, 120_000);
});

describe("a concern's follow-up", () => {
  test('When a reporter raises a concern, then the counsellor has it at once and by e-mail, and their response opens a crisis case', async () => {
    const t0 = await env.currentTimeMs();
    await fx
      .db('unit_report_weeks')
      .where({ college_id: 'literature' })
      .update({ open_at: t0 - HOUR });
    const member = await sessionOf(fx.store, 'lit-psych-member');
    const classmate = (await reporterHome(deps(t0), member)).classmates.find((s) => s.name === '张二')!;
    const { reportId, respondBy } = await fileConcern(deps(t0), member, {
      studentId: classmate.id,
      category: 'self_harm',
      note: '说过不想活了',
    });
    expect(respondBy).toBe(t0 + DAY);
    // in the inbox when the filing returns (the same transaction); the workflow sends it on the channel
    const raised = (await fx.store.listNotifications('literature-counsellor')).filter((n) => n.subjectId === reportId);
    expect(raised.map((n) => n.kind)).toEqual(['unit_concern']);
    const handle = env.client.workflow.getHandle(unitConcernWorkflowId(reportId));
    await env.sleep(HOUR);
    expect(delivered).toContain(`unit-concern.${reportId}/raised`);
    expect(
      mails.some(
        (m) => m.to === 'literature-counsellor@demo-school.example.cn' && m.subject.includes('反映了一名同学'),
      ),
    ).toBe(true);
    // nothing of the student leaves the system
    expect(mails.map((m) => `${m.subject} ${m.text}`).join(' ')).not.toMatch(/张二|不想活/);

    // a class teacher may not answer; the counsellor opens a crisis case through the crisis feature
    const teacher = await sessionOf(fx.store, 'literature-class-teacher');
    await expect(respondToConcern(deps(t0), teacher, reportId, { response: 'noted' })).rejects.toThrow(/may respond/);
    const counsellor = await sessionOf(fx.store, 'literature-counsellor');
    const now = await env.currentTimeMs();
    const { ref } = await respondToConcern(deps(now), counsellor, reportId, {
      response: 'crisis',
      situation: 'self_harm_risk',
      place: '东区3栋201',
      note: '已到宿舍陪同',
    });
    const crisis = await fx.db('crisis_cases').where({ id: ref }).first();
    const student = await fx.db('students').where({ id: classmate.id }).first('id');
    expect([crisis.student_id, crisis.college_id, crisis.reported_by]).toEqual([
      student.id,
      'literature',
      'literature-counsellor',
    ]);
    expect(await handle.result()).toEqual({ responded: true });
    const row = await fx.db('unit_reports').where({ id: reportId }).first();
    expect([row.follow_up, row.response, row.response_ref, row.responded_by]).toEqual([
      'responded',
      'crisis',
      ref,
      'literature-counsellor',
    ]);
    // answered in time: no escalation
    expect(delivered).not.toContain(`unit-concern.${reportId}/overdue`);
    await expect(respondToConcern(deps(now), counsellor, reportId, { response: 'noted' })).rejects.toThrow(
      /answered already/,
    );
  }, 120_000);

  test('When a concern is not answered by its deadline, then it escalates to the counsellor and the college leader, then to the school', async () => {
    const t0 = await env.currentTimeMs();
    const officer = await sessionOf(fx.store, 'lit-dorm-officer');
    const roommate = (await reporterHome(deps(t0), officer)).classmates[0]!;
    const { reportId } = await fileConcern(deps(t0), officer, {
      studentId: roommate.id,
      category: 'routine',
      note: '连续几晚不回宿舍',
    });
    await env.sleep(DAY + HOUR);
    const row = await fx.db('unit_reports').where({ id: reportId }).first();
    expect(row.follow_up).toBe('overdue');
    const of = async (user: string) =>
      (await fx.store.listNotifications(user)).filter((n) => n.subjectId === reportId).map((n) => n.title);
    expect(await of('literature-college-leader')).toEqual(['反映的情况超期未跟进']);
    expect(await of('admin')).toEqual([]);
    await env.sleep(DAY);
    expect(await of('admin')).toEqual(['学院未跟进心理委员反映的情况（已上报学校）']);
    expect(delivered).toEqual(
      expect.arrayContaining([`unit-concern.${reportId}/overdue`, `unit-concern.${reportId}/school`]),
    );
    // a late answer still closes it
    const leader = await sessionOf(fx.store, 'literature-college-leader');
    await respondToConcern(deps(await env.currentTimeMs()), leader, reportId, { response: 'noted', note: '已谈话' });
    expect(await env.client.workflow.getHandle(unitConcernWorkflowId(reportId)).result()).toEqual({ responded: true });
  }, 120_000);

  test('When the counsellor answers with a key-care entry or a screening interview, then the care and screening features open them for the student', async () => {
    const t0 = await env.currentTimeMs();
    const member = await sessionOf(fx.store, 'lit-psych-member');
    const [a, b] = (await reporterHome(deps(t0), member)).classmates;
    const counsellor = await sessionOf(fx.store, 'literature-counsellor');
    const first = await fileConcern(deps(t0), member, { studentId: a!.id, category: 'family', note: '家中有变故' });
    const keyCare = await respondToConcern(deps(t0), counsellor, first.reportId, {
      response: 'key_care',
      plan: '每周谈心一次',
    });
    const entry = await fx.db('key_care_entries').where({ id: keyCare.ref }).first();
    expect([entry.student_id, entry.college_id, entry.plan, entry.status]).toEqual([
      a!.id,
      'literature',
      '每周谈心一次',
      'active',
    ]);
    const second = await fileConcern(deps(t0), member, { studentId: b!.id, category: 'study', note: '多门课缺考' });
    const interview = await respondToConcern(deps(t0), counsellor, second.reportId, {
      response: 'interview',
      level: 'red',
    });
    const warning = await fx.db('screening_warnings').where({ batch_id: interview.ref }).first();
    expect([warning.student_id, warning.college_id, warning.level, warning.status]).toEqual([
      b!.id,
      'literature',
      'red',
      'open',
    ]);
    const rows = await fx
      .db('unit_reports')
      .whereIn('id', [first.reportId, second.reportId])
      .orderBy('filed_at')
      .select('response', 'follow_up');
    expect(rows.map((r: { response: string; follow_up: string }) => [r.response, r.follow_up]).sort()).toEqual([
      ['interview', 'responded'],
      ['key_care', 'responded'],
    ]);
  }, 120_000);

  test('When the school admin imports the roster while the semester runs, then the weekly reports of every college start without a further step', async () => {
    const now = await env.currentTimeMs();
    const ids = (await fx.store.listColleges('demo-school')).map((c) => unitReportsWorkflowId(SEMESTER, c.id));
    const running = async () => {
      const found: string[] = [];
      for (const id of ids)
        try {
          if ((await env.client.workflow.getHandle(id).describe()).status.name === 'RUNNING') found.push(id);
        } catch {
          // not started
        }
      return found;
    };
    const already = await running();
    await fx.store.setSemesterStatus(SEMESTER, 'running', { workflowId: `semester-${SEMESTER}`, startedAt: now });
    const result = await importRosterAndStartReports(
      deps(now),
      await sessionOf(fx.store, 'admin'),
      Buffer.from(ROSTER_CSV, 'utf8'),
    );
    expect(result.reportsStarted).toBe(ids.length - already.length);
    expect((await running()).sort()).toEqual([...ids].sort());
    // a second import starts nothing again
    const again = await importRosterAndStartReports(
      deps(now),
      await sessionOf(fx.store, 'admin'),
      Buffer.from(ROSTER_CSV, 'utf8'),
    );
    expect(again.reportsStarted).toBe(0);
    // clean-up: a weekly cycle that already ended on its own (the test server's clock runs on) is fine
    for (const id of ids.filter((i) => !already.includes(i)))
      await env.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch((e: unknown) => {
          if (!(e instanceof WorkflowNotFoundError)) throw e;
        });
  }, 120_000);
});
