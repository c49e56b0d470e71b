/**
 * Screening follow-up: the import (all rows validated first, nothing written on any problem, the
 * same file twice is one batch, GBK files) over a real SQLite store, and the follow-up workflow
 * with its activities on the time-skipping server: reminder, level 1 and level 2 at their exact
 * instants; an interview recorded on day 5 with a high-risk assessment; a record missing a step.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDeliveryActivities, createOutbox } from '../notifications/outbox';
import { createScreeningActivities } from '../activities/screening';
import { DEMO_COLLEGES } from '../db/demo';
import type { SessionUser } from '../server/platform/auth/context';
import { ImportError } from '../server/platform/csv';
import { importWarnings, recordInterview, screeningWorkflowId } from '../server/features/screening/use-cases';
import { TaskRejectedError } from '../server/features/tasks/use-cases';
import { recordInterviewUpdate, type InterviewRecord } from '../contracts';
import { timeSkippingEnv, uniqueQueue, workflowBundle } from './helpers/temporal';
import { webFixture, type WebFixture } from './helpers/web';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const admin: SessionUser = {
  id: 'admin',
  username: 'admin',
  displayName: '管理员',
  role: 'school_admin',
  collegeId: null,
  schoolId: 'demo-school',
};
const staff = (
  college: string,
  role: 'counsellor' | 'college_leader' | 'class_teacher' | 'psych_counsellor',
): SessionUser => ({
  id: `${college}-${role.replace('_', '-')}`,
  username: `${college}-${role.replace('_', '-')}`,
  displayName: role,
  role,
  collegeId: college,
  schoolId: 'demo-school',
});

const csv = (rows: string[][], eol = '\n') =>
  rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join(eol) + eol;
const count = async (fx: WebFixture, table: string, where: Record<string, unknown> = {}) =>
  Number(((await fx.knex(table).where(where).count({ n: '*' })) as [{ n: number | string }])[0].n);

// ---------------------------------------------------------------------------------------------
// (a) the import

const LEVEL_CELLS = ['红色', '橙色', 'red', 'orange', '一级', '二级', 'level-1', 'level-2', 'Orange', '一级预警'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const studentNo = (i: number) => `2024${String(i).padStart(5, '0')}`;
const goodRow = (i: number): string[] => {
  const c = DEMO_COLLEGES[i % DEMO_COLLEGES.length]!;
  return [
    studentNo(i),
    `${SURNAMES[i % 10]}同学${i}`,
    i % 2 ? c.name : c.id,
    i % 50 === 0 ? `${c.name}2024级,${i % 3}班` : `2024级${(i % 4) + 1}班`,
    LEVEL_CELLS[(i * 7) % LEVEL_CELLS.length]!,
  ];
};
const expectedLevel = (i: number) => (/红|red|一级|level-1/i.test(goodRow(i)[4]!) ? 'red' : 'orange');

/** line number (header = 1) → a bad version of that row */
const BAD: Record<number, (row: string[]) => string[]> = {
  3: (r) => [r[0]!, r[1]!, '物理学院', r[3]!, r[4]!], // unknown college (Chinese name)
  101: (r) => [r[0]!, r[1]!, r[2]!, r[3]!, '黄色'], // bad level
  222: (r) => ['', r[1]!, r[2]!, r[3]!, r[4]!], // empty student number
  345: (r) => [studentNo(0), r[1]!, r[2]!, r[3]!, r[4]!], // the student of line 2 again
  468: (r) => [r[0]!, '', r[2]!, r[3]!, r[4]!], // empty name
  512: (r) => [r[0]!, r[1]!, r[2]!, r[3]!, ''], // empty level
  640: (r) => [...r, 'extra'], // more fields than the header
  777: (r) => ['2024 777', r[1]!, r[2]!, r[3]!, r[4]!], // invalid student number
  888: (r) => [r[0]!, r[1]!, 'physics', r[3]!, r[4]!], // unknown college (id)
  1001: (r) => [studentNo(500), r[1]!, r[2]!, r[3]!, r[4]!], // the student of line 502 again
};
const HEADER_EN = ['studentNo', 'name', 'college', 'class', 'level'];

describe('screening import', () => {
  let fx: WebFixture;
  const now = Date.UTC(2024, 9, 15, 2); // 2024-10-15 10:00 in Shanghai
  const deps = () => ({ knex: fx.knex, store: fx.store, taskQueue: 'unused', now });
  /** the file's student of row 5, known from an earlier crisis report of its college under another name (a file never moves a student to another college: test/security/cross-college.test.ts) */
  let knownId: string;

  beforeAll(async () => {
    fx = await webFixture({}, { plan: false });
    knownId = randomUUID();
    await fx.knex('students').insert({
      id: knownId,
      school_id: 'demo-school',
      college_id: DEMO_COLLEGES[5]!.id,
      student_no: studentNo(5),
      name: '旧名字',
      class_name: null,
      created_at: now - DAY,
    });
  });
  afterAll(async () => fx?.close());

  test('When 10 of 1,000 rows are bad, then every bad line is listed and nothing is imported; fixed, 1,000 warnings are; again, nothing changes', async () => {
    const good = Array.from({ length: 1000 }, (_, i) => goodRow(i));
    const bad = good.map((r, i) => BAD[i + 2]?.(r) ?? r);
    const badFile = Buffer.from('\uFEFF' + csv([HEADER_EN, ...bad]), 'utf8');

    const err = await importWarnings(deps(), admin, badFile, 'bad.csv').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    const problems = (err as ImportError).problems;
    expect(problems.map((p) => Number(/^第 (\d+) 行: /.exec(p)?.[1]))).toEqual(Object.keys(BAD).map(Number));
    expect(problems.find((p) => p.startsWith('第 345 行'))).toMatch(/appears again \(first on line 2\)/);
    expect(problems.find((p) => p.startsWith('第 3 行'))).toMatch(/unknown college "物理学院"/);
    expect(problems.find((p) => p.startsWith('第 101 行'))).toMatch(/unknown warning level "黄色"/);
    expect(await count(fx, 'screening_batches')).toBe(0);
    expect(await count(fx, 'screening_warnings')).toBe(0);
    expect(await count(fx, 'students')).toBe(1);
    expect(await count(fx, 'audit_events', { subject_type: 'screening-batch' })).toBe(0);

    const fixed = Buffer.from('\uFEFF' + csv([HEADER_EN, ...good]), 'utf8');
    const first = await importWarnings(deps(), admin, fixed, 'screening-2024-10.csv');
    expect(first).toMatchObject({ warnings: 1000, duplicate: false });
    expect(await count(fx, 'screening_warnings', { batch_id: first.batchId })).toBe(1000);
    expect(await count(fx, 'students')).toBe(1000); // 999 new, the known one kept its id
    const reds = Array.from({ length: 1000 }, (_, i) => expectedLevel(i)).filter((l) => l === 'red').length;
    expect(reds).toBeGreaterThan(300);
    expect(reds).toBeLessThan(700);
    expect(await count(fx, 'screening_warnings', { level: 'red', interview_due_at: now + 3 * DAY })).toBe(reds);
    expect(await count(fx, 'screening_warnings', { level: 'orange', interview_due_at: now + 7 * DAY })).toBe(
      1000 - reds,
    );
    expect(await count(fx, 'screening_warnings', { status: 'open', escalation_level: 0 })).toBe(1000);
    // the known student: same opaque id, the file's name, college and class
    expect(await fx.knex('students').where({ id: knownId }).first('name', 'college_id', 'class_name')).toEqual({
      name: goodRow(5)[1],
      college_id: DEMO_COLLEGES[5]!.id,
      class_name: goodRow(5)[3],
    });
    const w5 = await fx.knex('screening_warnings').where({ student_id: knownId }).first('level', 'college_id');
    expect(w5).toEqual({ level: expectedLevel(5), college_id: DEMO_COLLEGES[5]!.id });
    // a quoted class name with a comma survives
    expect(
      (
        await fx
          .knex('students')
          .where({ student_no: studentNo(50) })
          .first('class_name')
      ).class_name,
    ).toBe(goodRow(50)[3]);
    expect(
      await fx
        .knex('screening_batches')
        .where({ id: first.batchId })
        .first('name', 'rows', 'imported_by', 'imported_at'),
    ).toEqual({
      name: 'screening-2024-10.csv',
      rows: 1000,
      imported_by: 'admin',
      imported_at: now,
    });

    const again = await importWarnings({ ...deps(), now: now + HOUR }, admin, fixed, 'copy of screening.csv');
    expect(again).toEqual({ batchId: first.batchId, warnings: 1000, duplicate: true });
    expect(await count(fx, 'screening_batches')).toBe(1);
    expect(await count(fx, 'screening_warnings')).toBe(1000);
    expect(await count(fx, 'students')).toBe(1000);
  });

  test('When the file is GBK with Chinese headers (Excel on Chinese Windows), then the Chinese names are imported intact', async () => {
    const text = csv(
      [
        ['学号', '姓名', '学院', '班级', '预警等级'],
        ['2023G0001', '欧阳娜娜', '医学院', '临床医学2023级1班', '一级预警'],
        ['2023G0002', '司马懿', '外国语学院', '英语2023级2班', '橙色'],
        ['2023G0003', '诸葛亮', 'business', '', '二级'],
      ],
      '\r\n',
    );
    const bytes = iconv.encode(text, 'gbk');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(); // really not UTF-8
    const r = await importWarnings({ ...deps(), now: now + DAY }, admin, bytes, '筛查预警.csv');
    expect(r).toMatchObject({ warnings: 3, duplicate: false });
    const rows = (await fx
      .knex('screening_warnings as w')
      .join('students as s', 's.id', 'w.student_id')
      .where('w.batch_id', r.batchId)
      .orderBy('s.student_no')
      .select('s.name', 's.class_name', 'w.college_id', 'w.level')) as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      { name: '欧阳娜娜', class_name: '临床医学2023级1班', college_id: 'medicine', level: 'red' },
      { name: '司马懿', class_name: '英语2023级2班', college_id: 'languages', level: 'orange' },
      { name: '诸葛亮', class_name: null, college_id: 'business', level: 'orange' },
    ]);
  });

  test('When the database refuses a screening write, then the activity fails without the SQL (which holds the record) and writes nothing', async () => {
    const { id } = (await fx.knex('screening_warnings').first('id')) as { id: string };
    await fx.knex.raw(
      "CREATE TRIGGER refuse_screening BEFORE UPDATE ON screening_warnings BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    try {
      const { recordScreeningEvent } = createScreeningActivities({ store: fx.store, knex: fx.knex });
      const record: InterviewRecord = {
        rapport: '睡眠差',
        emotions: '焦虑',
        socialFunctioning: '独来独往',
        coping: '回避',
        riskOfExtremeThoughts: '无',
        assessment: 'severe',
        needsCounselling: true,
        needsCrisisIntervention: false,
      };
      const err = await recordScreeningEvent({
        warningId: id,
        collegeId: 'literature',
        warningLevel: 'red',
        dueAt: now,
        step: 'interviewed',
        action: 'interviewed',
        at: now,
        actor: 'x',
        notify: null,
        interview: record,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(
        /^could not write screening\..+\/interviewed: database error SQLITE_CONSTRAINT/,
      );
      expect((err as Error).message).not.toMatch(/睡眠差|record/);
      expect(await count(fx, 'audit_events', { event_key: `screening.${id}/interviewed` })).toBe(0); // rolled back with the row
    } finally {
      await fx.knex.raw('DROP TRIGGER refuse_screening');
    }
  });

  test("When a counsellor's file has a row of another college, then that line is refused and nothing is imported", async () => {
    const file = Buffer.from(
      csv([
        HEADER_EN,
        ['2025C0001', '甲', 'literature', '', 'red'],
        ['2025C0002', '乙', '数学与统计学院', '', 'orange'],
      ]),
    );
    const err = await importWarnings(deps(), staff('literature', 'counsellor'), file, 'x.csv').catch((e: unknown) => e);
    expect((err as ImportError).problems).toEqual([
      expect.stringMatching(/^第 3 行: college "数学与统计学院" is not yours/),
    ]);
    expect(await count(fx, 'students', { student_no: '2025C0001' })).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// (b) the follow-up workflow over a real store

/**
 * A fresh time-skipping server per test: a rejected Update can leave its time-skipping lock held,
 * after which a later sleep or result() in the same server never returns.
 */
async function withServer(
  fn: (ctx: { env: TestWorkflowEnvironment; fx: WebFixture; queue: string }) => Promise<void>,
): Promise<void> {
  const env = await timeSkippingEnv();
  const fx = await webFixture({}, { plan: false });
  try {
    const queue = uniqueQueue('screening');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queue,
      workflowBundle: await workflowBundle(),
      activities: {
        ...createScreeningActivities({ store: fx.store, knex: fx.knex }),
        ...createDeliveryActivities({ outbox: createOutbox({ knex: fx.knex, channels: {} }) }),
      },
    });
    await worker.runUntil(fn({ env, fx, queue }));
  } finally {
    await fx.close();
    await env.teardown();
  }
}

/** Imports one warned student of the literature college; returns the warning and the instants. */
async function importOne(ctx: { env: TestWorkflowEnvironment; fx: WebFixture; queue: string }, level: string) {
  const t0 = await ctx.env.currentTimeMs();
  const file = Buffer.from(csv([HEADER_EN, ['2024L0001', '林黛玉', '文学院', '汉语言2024级1班', level]]));
  const deps = { knex: ctx.fx.knex, store: ctx.fx.store, client: ctx.env.client, taskQueue: ctx.queue, now: t0 };
  const batch = await importWarnings(deps, admin, file, 'one.csv');
  const warningId = String((await ctx.fx.knex('screening_warnings').where({ batch_id: batch.batchId }).first('id')).id);
  const until = async (offset: number) => ctx.env.sleep(t0 + offset - (await ctx.env.currentTimeMs()));
  const audit = async (n: number) => {
    for (let i = 0; i < 100; i++) {
      const events = await ctx.fx.store.listAudit({ subjectType: 'screening', subjectId: warningId });
      if (events.length >= n) return events;
      await new Promise((r) => setTimeout(r, 50));
    }
    return ctx.fx.store.listAudit({ subjectType: 'screening', subjectId: warningId });
  };
  const inbox = async (step: string) =>
    (await ctx.fx
      .knex('notifications')
      .where({ event_key: `screening.${warningId}/${step}` })
      .orderBy('recipient_user_id')
      .select('recipient_user_id', 'title', 'body')) as Array<{
      recipient_user_id: string;
      title: string;
      body: string;
    }>;
  return {
    t0,
    warningId,
    batch,
    deps,
    file,
    handle: ctx.env.client.workflow.getHandle(screeningWorkflowId(warningId)),
    until,
    audit,
    inbox,
  };
}

const RECORD: InterviewRecord = {
  rapport: '食欲差，入睡困难，适应较慢',
  emotions: '情绪低落，担心学业',
  socialFunctioning: '与室友关系紧张，较少与父母联系',
  coping: '独处、回避',
  riskOfExtremeThoughts: '近两周有过轻生念头，未有计划',
  assessment: 'high_risk',
  needsCounselling: true,
  needsCrisisIntervention: false,
};

describe('screening follow-up workflow', () => {
  test('When a red warning is not interviewed, then the reminder comes at due − 1 day, level 1 at due (3 days after import), level 2 two days later', async () => {
    await withServer(async (ctx) => {
      const w = await importOne(ctx, '红色');
      expect(w.batch).toMatchObject({ warnings: 1, duplicate: false });
      await w.until(5 * DAY + HOUR);
      const events = await w.audit(3);
      expect(events.map((e) => [e.action, e.at - w.t0, e.actor])).toEqual([
        ['reminded', 2 * DAY, 'timer'],
        ['overdue', 3 * DAY, 'timer'],
        ['escalated', 5 * DAY, 'timer'],
      ]);
      expect(events.map((e) => e.eventKey)).toEqual(
        ['reminder', 'overdue', 'escalated'].map((s) => `screening.${w.warningId}/${s}`),
      );
      expect(
        await ctx.fx
          .knex('screening_warnings')
          .where({ id: w.warningId })
          .first('status', 'escalation_level', 'interview_due_at'),
      ).toEqual({ status: 'open', escalation_level: 2, interview_due_at: w.t0 + 3 * DAY });

      // who is told, and never the student's name
      expect((await w.inbox('reminder')).map((n) => n.recipient_user_id)).toEqual([
        'literature-counsellor',
        'literature-psych-counsellor',
      ]);
      expect((await w.inbox('overdue')).map((n) => n.recipient_user_id)).toEqual([
        'literature-college-leader',
        'literature-counsellor',
        'literature-psych-counsellor',
      ]);
      expect((await w.inbox('escalated')).map((n) => n.recipient_user_id)).toEqual(['admin']);
      const all = await ctx.fx.knex('notifications').where({ subject_type: 'screening' }).select('title', 'body');
      expect(all).toHaveLength(6);
      expect(JSON.stringify(all)).not.toMatch(/林黛玉|2024L0001/);

      // the workflow carries ids only: its id and its input name no student
      const history = await w.handle.fetchHistory();
      const input = Buffer.from(
        history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!,
      ).toString();
      expect(input).toContain(w.warningId);
      expect(input).not.toMatch(/林黛玉|2024L0001|汉语言/);

      // the same file again: the same batch, no second workflow
      const runId = (await w.handle.describe()).runId;
      expect(await importWarnings({ ...w.deps, now: w.t0 + 5 * DAY }, admin, w.file, 'one.csv')).toEqual({
        batchId: w.batch.batchId,
        warnings: 1,
        duplicate: true,
      });
      expect((await w.handle.describe()).runId).toBe(runId);
      await w.handle.terminate('test over');
    });
  }, 60_000);

  test('When an orange warning is interviewed on day 5 with a high-risk assessment, then the record is stored and the key-care list and ledger are proposed, with no escalation', async () => {
    await withServer(async (ctx) => {
      const w = await importOne(ctx, '橙色');
      await w.until(5 * DAY);
      const state = await recordInterview(
        { client: ctx.env.client, knex: ctx.fx.knex },
        staff('literature', 'class_teacher'),
        w.warningId,
        RECORD,
      );
      expect(state).toMatchObject({
        status: 'interviewed',
        escalationLevel: 0,
        remindersSent: 0,
        assessment: 'high_risk',
        proposedForKeyCare: true,
        interviewedBy: 'literature-class-teacher',
      });
      expect(await w.handle.result()).toMatchObject({ status: 'interviewed', escalationLevel: 0 });

      const events = await w.audit(2);
      expect(events.map((e) => [e.action, e.actor])).toEqual([
        ['interviewed', 'literature-class-teacher'],
        ['key-care-and-ledger-proposed', 'system'],
      ]);
      expect(events[0]!.at - w.t0).toBeGreaterThanOrEqual(5 * DAY);
      expect(events[0]!.at - w.t0).toBeLessThan(5 * DAY + HOUR);
      expect(events[0]!.details).toEqual({
        assessment: 'high_risk',
        needsCounselling: true,
        needsCrisisIntervention: false,
        late: false,
      });
      const row = await ctx.fx
        .knex('screening_warnings')
        .where({ id: w.warningId })
        .first('status', 'escalation_level', 'interviewed_at', 'record');
      expect(row).toMatchObject({ status: 'interviewed', escalation_level: 0, interviewed_at: events[0]!.at });
      expect(JSON.parse(String(row.record))).toEqual(RECORD);
      expect((await w.inbox('key-care-and-ledger-proposed')).map((n) => n.recipient_user_id)).toEqual([
        'literature-college-leader',
      ]);
      expect(await ctx.fx.knex('notifications').where({ subject_type: 'screening' }).count({ n: '*' })).toEqual([
        { n: 1 },
      ]);
      // the time passes the old deadline: nothing more happens
      await w.until(10 * DAY);
      expect(await ctx.fx.store.listAudit({ subjectType: 'screening', subjectId: w.warningId })).toHaveLength(2);
    });
  }, 60_000);

  test('When the interview record misses a step or comes from another college, then it is refused with the reason and nothing is stored', async () => {
    await withServer(async (ctx) => {
      const w = await importOne(ctx, 'red');
      const { coping: _c, ...missingCoping } = RECORD;
      const actor = { userId: 'literature-counsellor', role: 'counsellor', collegeId: 'literature' };
      const refused = await w.handle
        .executeUpdate(recordInterviewUpdate, { args: [{ actor, record: missingCoping as InterviewRecord }] })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      const reason = ((refused as WorkflowUpdateFailedError).cause as Error).message;
      expect(reason).toMatch(/incomplete: coping \(第四步/);
      expect(reason).not.toMatch(/食欲|轻生/); // the record's text never becomes a failure message

      await expect(
        recordInterview({ client: ctx.env.client, knex: ctx.fx.knex }, staff('literature', 'counsellor'), w.warningId, {
          ...RECORD,
          assessment: 'fine' as never,
        }),
      ).rejects.toThrow(TaskRejectedError);
      await expect(
        w.handle.executeUpdate(recordInterviewUpdate, {
          args: [{ actor: { ...actor, collegeId: 'science' }, record: RECORD }],
        }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      await expect(
        recordInterview(
          { client: ctx.env.client, knex: ctx.fx.knex },
          staff('science', 'counsellor'),
          w.warningId,
          RECORD,
        ),
      ).rejects.toThrow(/another college/);
      expect(await ctx.fx.knex('screening_warnings').where({ id: w.warningId }).first('status', 'record')).toEqual({
        status: 'open',
        record: null,
      });

      // a complete record is then accepted (poll describe(): after rejections result() can hang)
      const state = await recordInterview(
        { client: ctx.env.client, knex: ctx.fx.knex },
        staff('literature', 'counsellor'),
        w.warningId,
        {
          ...RECORD,
          assessment: 'mild',
          needsCounselling: false,
        },
      );
      expect(state).toMatchObject({ status: 'interviewed', proposedForKeyCare: false });
      for (let i = 0; i < 100 && (await w.handle.describe()).status.name !== 'COMPLETED'; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect((await w.handle.describe()).status.name).toBe('COMPLETED');
      expect((await w.audit(1)).map((e) => e.action)).toEqual(['interviewed']);
    });
  }, 60_000);
});
