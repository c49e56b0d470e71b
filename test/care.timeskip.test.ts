/**
 * Student care over HTTP with the real workflows and activities on the time-skipping server:
 * a high-risk interview puts the student on the key-care list and the ledger and proposes a
 * pairing; pairing respects the per-teacher limit (the school admin may exceed it with a reason)
 * and runs the talk clock; the monthly ledger duty holds the checklist task until the ledger is
 * followed up; the school's care settings change the durations a new crisis case runs with.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { taskInputOf } from './helpers/tasks';
import { eventually } from './helpers/wait';
import { addActivePairing, addStudent, HIGH_RISK_INTERVIEW } from './helpers/records';
import { workerStack, type WorkerStack } from './helpers/worker';
import type { TaskInstanceRow } from '../db/store';
import { DEFAULT_CARE_SETTINGS } from '../domain/care';
import { completeTask, TaskRejectedError } from '../server/features/tasks/use-cases';
import { login, type Session, type WebFixture } from './helpers/web';

const MIN = 60_000;

let stack: WorkerStack;
let env: TestWorkflowEnvironment;
let fx: WebFixture;

beforeAll(async () => {
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  stack = await workerStack('care-http', { taskModel: 'per-task' });
  ({ env, fx } = stack);
});
afterAll(() => stack?.close());

const json = (s: Session, url: string, method: string, body: unknown) => s.json(url, body, { method });

describe('a high-risk interview enters care', () => {
  test('When the interview finds a high risk, then the student is on the key-care list and the ledger with a proposed pairing; the sixth student of a teacher needs the admin’s reason; a talk restarts the clock', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const f = new FormData();
    f.append(
      'file',
      new Blob(['学号,姓名,学院,班级,预警等级\r\n2024880001,陈思远,文学院,汉语言2401,红色'], { type: 'text/csv' }),
      'warn.csv',
    );
    expect((await counsellor.fetch('/api/screening/imports', { method: 'POST', body: f })).status).toBe(201);
    const warning = (await fx.knex('screening_warnings').first('id', 'student_id')) as {
      id: string;
      student_id: string;
    };
    await eventually(
      'the follow-up workflow',
      () =>
        env.client.workflow
          .getHandle(`screening.${warning.id}`)
          .describe()
          .catch(() => null),
      Boolean,
    );
    const record = HIGH_RISK_INTERVIEW;
    expect((await json(counsellor, `/api/screening/warnings/${warning.id}/interview`, 'POST', { record })).status).toBe(
      200,
    );

    // the enrolment is written with the proposal (one transaction in the activity)
    await eventually(
      'the enrolment',
      () => fx.knex('pairings').where({ student_id: warning.student_id }).first(),
      Boolean,
    );
    const keyCare = (await (await counsellor.fetch('/api/colleges/literature/key-care')).json()) as {
      entries: Array<{ student: { name: string }; source: string; reasons: Array<{ kind: string; zh: string }> }>;
    };
    expect(keyCare.entries).toHaveLength(1);
    expect(keyCare.entries[0]).toMatchObject({ student: { name: '陈思远' }, source: 'screening' });
    expect(keyCare.entries[0]!.reasons[0]).toMatchObject({ kind: 'screening' });
    expect(keyCare.entries[0]!.reasons[0]!.zh).toContain('高危');
    const ledger = (await (await counsellor.fetch('/api/colleges/literature/ledger')).json()) as {
      entries: Array<{ seq: number; lifeSafety: boolean; interviewAt: number | null; source: string }>;
    };
    expect(ledger.entries).toMatchObject([{ seq: 1, lifeSafety: true, source: 'screening' }]);
    expect(ledger.entries[0]!.interviewAt).toBeGreaterThan(0);
    const pairings = (await (await counsellor.fetch('/api/colleges/literature/pairings')).json()) as {
      pairings: Array<{ id: string; status: string; teacherUserId: string | null }>;
    };
    expect(pairings.pairings).toMatchObject([{ status: 'proposed', teacherUserId: null }]);
    const proposed = pairings.pairings[0]!.id;
    // every read of student data is in the audit log: who, what, when
    const reads = await fx.store.listAudit({ subjectType: 'student', subjectId: warning.student_id });
    expect(reads.map((r) => [r.action, r.actor, (r.details as { in: string }).in])).toEqual([
      ['viewed', 'literature-counsellor', 'key-care-list'],
      ['viewed', 'literature-counsellor', 'ledger'],
      ['viewed', 'literature-counsellor', 'pairings'],
    ]);
    // other colleges see none of it
    const other = await login(fx.base, 'science-counsellor');
    expect((await other.fetch('/api/colleges/literature/key-care')).status).toBe(403);

    // the class teacher already has 5 students
    for (let i = 1; i <= 5; i++) {
      const studentNo = `20248800${10 + i}`;
      await addStudent(fx.knex, { id: `busy-${i}`, collegeId: 'literature', studentNo, name: `学生${i}` });
      await addActivePairing(fx.knex, { id: `busy-${i}`, studentId: `busy-${i}` });
    }
    const leader = await login(fx.base, 'literature-college-leader');
    const byLeader = await json(leader, '/api/colleges/literature/pairings', 'POST', {
      pairingId: proposed,
      teacherUserId: 'literature-class-teacher',
    });
    expect(byLeader.status).toBe(409);
    expect(((await byLeader.json()) as { error: string }).error).toMatch(
      /already has 5 students \(at most 5\); the school administration may allow more/,
    );
    const admin = await login(fx.base, 'admin');
    const noReason = await json(admin, '/api/colleges/literature/pairings', 'POST', {
      pairingId: proposed,
      teacherUserId: 'literature-class-teacher',
    });
    expect(noReason.status).toBe(409);
    expect(((await noReason.json()) as { error: string }).error).toMatch(/record the reason/);
    expect((await fx.knex('pairings').where({ id: proposed }).first('status')).status).toBe('proposed');
    const ok = await json(admin, '/api/colleges/literature/pairings', 'POST', {
      pairingId: proposed,
      teacherUserId: 'literature-class-teacher',
      overrideReason: '学院辅导员紧缺，由班主任兼任',
    });
    expect(ok.status).toBe(201);
    expect(
      await fx.knex('pairings').where({ id: proposed }).first('status', 'teacher_user_id', 'override_reason'),
    ).toEqual({
      status: 'active',
      teacher_user_id: 'literature-class-teacher',
      override_reason: '学院辅导员紧缺，由班主任兼任',
    });
    expect(
      (await fx.store.listAudit({ subjectType: 'pairing', subjectId: proposed })).map((a) => [a.action, a.actor]),
    ).toEqual([['assigned-over-limit', 'admin']]);
    // a pairing may be arranged by a leader only
    expect(
      (
        await json(counsellor, '/api/colleges/literature/pairings', 'POST', {
          pairingId: proposed,
          teacherUserId: 'literature-counsellor',
        })
      ).status,
    ).toBe(403);

    // the talk clock runs: a talk by the paired teacher restarts it; someone else's is refused as written
    const teacher = await login(fx.base, 'literature-class-teacher');
    const refused = await json(counsellor, `/api/pairings/${proposed}/talks`, 'POST', { note: '谈话' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe(
      'only the paired teacher or the college leader may record a talk',
    );
    const talk = await json(teacher, `/api/pairings/${proposed}/talks`, 'POST', { note: '谈心 30 分钟，情绪较前稳定' });
    expect(talk.status).toBe(200);
    const { lastTalkAt } = (await talk.json()) as { lastTalkAt: number };
    await eventually(
      'the talk in the read model',
      () => fx.knex('pairings').where({ id: proposed }).first('last_talk_at'),
      (r) => Number(r?.last_talk_at) === lastTalkAt,
    );
    // the clock shown is the one the workflow runs with, even after the school changes the setting
    expect(
      (
        await json(admin, '/api/care/settings', 'PUT', {
          settings: { ...DEFAULT_CARE_SETTINGS, pairing: { ...DEFAULT_CARE_SETTINGS.pairing, talkEveryDays: 7 } },
        })
      ).status,
    ).toBe(200);
    const after = (await (await teacher.fetch('/api/colleges/literature/pairings')).json()) as {
      pairings: Array<{ id: string; nextTalkDueAt: number | null }>;
    };
    expect(after.pairings.find((p) => p.id === proposed)!.nextTalkDueAt).toBe(lastTalkAt + 15 * 86_400_000);
    expect((await json(admin, '/api/care/settings', 'PUT', { settings: DEFAULT_CARE_SETTINGS })).status).toBe(200);
    // ended by the leader: the workflow closes and the row says why
    expect(
      (await json(leader, `/api/pairings/${proposed}/end`, 'POST', { reason: '已转介专科医院，由心理中心跟进' }))
        .status,
    ).toBe(204);
    await eventually(
      'the end in the read model',
      () => fx.knex('pairings').where({ id: proposed }).first('status'),
      (r) => r?.status === 'ended',
    );
  }, 90_000);
});

describe('the monthly ledger duty', () => {
  test('When the ledger has an entry without a follow-up this month, then the monthly key-care task is refused naming the entry; after a follow-up it completes', async () => {
    const row: TaskInstanceRow = (
      await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'science' })
    ).find((r) => r.templateTaskId === '2024-11-01-update-key-care-list')!;
    expect(taskInputOf(row).evidence.ledgerMonthlyReview).toBe(true);
    await stack.startTask(row);

    // an entry made in October, not followed up in November
    await fx.knex('students').insert({
      id: 'sci-stu',
      school_id: 'demo-school',
      college_id: 'science',
      student_no: '2024770001',
      name: '刘一',
      created_at: Date.now(),
    });
    await fx.knex('ledger_entries').insert({
      id: 'sci-led',
      student_id: 'sci-stu',
      college_id: 'science',
      seq: 3,
      categories: '["academic"]',
      life_safety: false,
      description: '学业困难',
      plan: '每两周约谈',
      source: 'manual',
      status: 'active',
      created_at: Date.UTC(2024, 9, 10),
      updated_at: Date.UTC(2024, 9, 10),
    });
    // the rule lives in the use case: a completion that comes by no HTTP route (a script, the CLI,
    // an integration) is refused the same way
    const direct = await completeTask(env.client, fx.store, row.id, {
      actor: { userId: 'science-counsellor', role: 'counsellor', collegeId: 'science' },
      note: '本月重点关爱名单已更新',
      files: [],
    }).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(TaskRejectedError);
    expect((direct as Error).message).toContain('entries no. 3 have no follow-up this month');
    expect((await fx.store.getTaskInstance(row.id))?.status).not.toBe('completed');
    const staff = await login(fx.base, 'science-counsellor');
    const complete = () => {
      const f = new FormData();
      f.append('note', '本月重点关爱名单已更新');
      return staff.fetch(`/api/tasks/${encodeURIComponent(row.id)}/complete`, { method: 'POST', body: f });
    };
    // the task page says so, with a link to the ledger
    const taskPage = await (await staff.fetch(`/tasks/${encodeURIComponent(row.id)}`)).text();
    expect(taskPage).toContain('id="ledger-duty"');
    expect(taskPage).toContain('href="/care?college=science"');
    const refused = await complete();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toContain('entries no. 3 have no follow-up this month');
    expect((await fx.store.getTaskInstance(row.id))?.status).not.toBe('completed');

    expect(
      (
        await json(staff, '/api/ledger/sci-led/follow-ups', 'POST', {
          text: '已约谈，补考复习计划已定',
          counselling: true,
        })
      ).status,
    ).toBe(201);
    const done = await complete();
    expect(done.status).toBe(200);
    expect(((await done.json()) as { task: { status: string } }).task.status).toBe('completed');
  }, 60_000);
});

describe('care settings', () => {
  test('When the school shortens the on-scene acknowledgement to 10 minutes, then a new case escalates at 10 minutes; an out-of-bounds value is refused by name', async () => {
    const admin = await login(fx.base, 'admin');
    const bad = await json(admin, '/api/care/settings', 'PUT', {
      settings: { ...DEFAULT_CARE_SETTINGS, crisis: { ...DEFAULT_CARE_SETTINGS.crisis, onSceneAckMinutes: 1000 } },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /crisis\.onSceneAckMinutes: Number must be less than or equal to 240/,
    );
    const counsellor = await login(fx.base, 'literature-counsellor');
    expect((await json(counsellor, '/api/care/settings', 'PUT', { settings: DEFAULT_CARE_SETTINGS })).status).toBe(403);
    const settings = { ...DEFAULT_CARE_SETTINGS, crisis: { ...DEFAULT_CARE_SETTINGS.crisis, onSceneAckMinutes: 10 } };
    expect((await json(admin, '/api/care/settings', 'PUT', { settings })).status).toBe(200);
    expect(((await (await admin.fetch('/api/care/settings')).json()) as { settings: unknown }).settings).toEqual(
      settings,
    );

    const res = await json(counsellor, '/api/crises', 'POST', {
      studentNo: '2024660001',
      studentName: '何二',
      situation: 'injury',
      place: '操场',
    });
    expect(res.status).toBe(201);
    const { caseId } = (await res.json()) as { caseId: string };
    const row = (await fx.knex('crisis_cases').where({ id: caseId }).first('reported_at', 'durations')) as {
      reported_at: number;
      durations: string;
    };
    expect(JSON.parse(row.durations)).toMatchObject({ onSceneAckMs: 10 * MIN, schoolNotifyMs: 60 * MIN });
    await eventually(
      'the report',
      () => fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId }),
      (a) => a.length > 0,
    );
    await env.sleep(11 * MIN);
    const missed = await eventually(
      'the level-1 escalation',
      () => fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId }),
      (a) => a.some((e) => e.action === 'on-scene-missed'),
    );
    expect(missed.find((e) => e.action === 'on-scene-missed')!.at).toBe(Number(row.reported_at) + 10 * MIN);
    // the case page shows the case's own deadline
    const page = (await (await counsellor.fetch(`/api/crises/${caseId}`)).json()) as {
      case: { durations: { onSceneAckMs: number } };
    };
    expect(page.case.durations.onSceneAckMs).toBe(10 * MIN);
  }, 60_000);
});
