/**
 * Reporting and following a crisis case over HTTP, with the real crisis workflows and activities
 * on the time-skipping server: the student is visible only to the college's care staff and the
 * counselling centre, every read is audited, and the workflow history holds no student name.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { workerStack, type WorkerStack } from './helpers/worker';
import { login, type WebFixture } from './helpers/web';

let stack: WorkerStack;
let env: TestWorkflowEnvironment;
let fx: WebFixture;
const NAME = '李晓雨';

beforeAll(async () => {
  stack = await workerStack('crisis-http', { plan: false });
  ({ env, fx } = stack);
});
afterAll(() => stack?.close());

describe('POST /api/crises', () => {
  test('When a class teacher reports a risk of self-harm, then care staff are told at once, the case page shows the timeline, and no student name reaches Temporal', async () => {
    const teacher = await login(fx.base, 'literature-class-teacher');
    const res = await teacher.json('/api/crises', {
      studentNo: '2024010203',
      studentName: NAME,
      className: '汉语言 2401',
      situation: 'self_harm_risk',
      place: '3 号宿舍楼',
    });
    expect(res.status).toBe(201);
    const { caseId } = (await res.json()) as { caseId: string };
    for (let i = 0; i < 50 && !(await fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId })).length; i++)
      await new Promise((r) => setTimeout(r, 100));

    // the college's care staff and leader are notified; the school admin is not (yet)
    const kinds = async (u: string) =>
      (await fx.store.listNotifications(u)).filter((n) => n.subjectId === caseId).map((n) => n.kind);
    expect(await kinds('literature-counsellor')).toEqual(['crisis_reported']);
    expect(await kinds('literature-college-leader')).toEqual(['crisis_reported']);
    expect(await kinds('science-counsellor')).toEqual([]);
    // notification text never names the student
    expect(JSON.stringify(await fx.store.listNotifications('literature-counsellor'))).not.toContain(NAME);

    // on scene, a guardian, a check-in
    const counsellor = await login(fx.base, 'literature-counsellor');
    const step = (s: string, body: object = {}) =>
      counsellor.fetch(`/api/crises/${caseId}/${s}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await step('on-scene')).status).toBe(200);
    expect((await step('guardian', { guardianUserId: 'literature-counsellor' })).status).toBe(200);
    expect((await step('check-in', { note: '情绪平稳' })).status).toBe(200);
    const early = await step('five-ones', { leaderUserId: 'literature-college-leader', team: 'a,b', followUp: 'x' });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: string }).error).toBe('only a college leader may do this');

    // the case page: the student for the care staff, with the timeline; the read is audited
    const page = await (await counsellor.fetch(`/crises/${caseId}`)).text();
    expect(page).toContain(NAME);
    expect(page).toContain('on-scene');
    const api = (await (await counsellor.fetch(`/api/crises/${caseId}`)).json()) as {
      timeline: Array<{ action: string }>;
      student: { name: string };
    };
    expect(api.student.name).toBe(NAME);
    expect(api.timeline.map((e) => e.action)).toEqual(['reported', 'on-scene', 'guardian-assigned', 'check-in']);
    const studentId = (await fx.knex('crisis_cases').where({ id: caseId }).first('student_id')).student_id as string;
    const reads = await fx.store.listAudit({ subjectType: 'student', subjectId: studentId });
    expect(reads.map((r) => [r.action, r.actor])).toEqual([
      ['viewed', 'literature-counsellor'],
      ['viewed', 'literature-counsellor'],
    ]);

    // another college's staff see nothing of it
    const other = await login(fx.base, 'science-counsellor');
    expect((await other.fetch(`/api/crises/${caseId}`)).status).toBe(403);
    expect((await other.fetch(`/crises/${caseId}`)).status).toBe(403);

    // the raw workflow histories hold ids only
    for (const workflowId of [`crisis.${caseId}`, `supervision.${caseId}`]) {
      const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId },
      });
      const bytes = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
      expect(bytes.includes(Buffer.from(NAME))).toBe(false);
      expect(bytes.includes(Buffer.from('2024010203'))).toBe(false);
      expect(bytes.includes(Buffer.from(caseId))).toBe(true); // the check can see what is there
    }
  }, 60_000);

  test('When a case is reported with a known student number but another name, then it is opened all the same and the page asks to check who the student is', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const report = (name: string) =>
      counsellor.fetch('/api/crises', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ studentNo: '2024010555', studentName: name, situation: 'injury', place: '食堂' }),
      });
    const first = (await (await report('周明')).json()) as { caseId: string };
    const second = await report('周敏');
    expect(second.status).toBe(201);
    const { caseId } = (await second.json()) as { caseId: string };
    const api = (await (await counsellor.fetch(`/api/crises/${caseId}`)).json()) as {
      student: { name: string };
      case: { reportedName: string | null };
    };
    expect([api.student.name, api.case.reportedName]).toEqual(['周明', '周敏']);
    expect(
      (
        (await (await counsellor.fetch(`/api/crises/${first.caseId}`)).json()) as {
          case: { reportedName: string | null };
        }
      ).case.reportedName,
    ).toBeNull();
    const page = await (await counsellor.fetch(`/crises/${caseId}`)).text();
    expect(page).toContain('id="name-mismatch"');
    expect(page).toContain('上报姓名为“周敏”');
  });

  test('When a supervision step is sent for a case without special supervision, then it is 409 saying so, and the case is not marked as stopped', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const res = await counsellor.fetch('/api/crises', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ studentNo: '2024010777', studentName: '吴伤', situation: 'injury', place: '操场' }),
    });
    const { caseId } = (await res.json()) as { caseId: string };
    for (const step of ['guardian', 'check-in', 'hand-over']) {
      const r = await counsellor.fetch(`/api/crises/${caseId}/${step}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'x', guardianUserId: 'literature-counsellor', receivedBy: '家长' }),
      });
      expect([step, r.status, ((await r.json()) as { error: string }).error]).toEqual([
        step,
        409,
        'this case has no 24-hour special supervision: it starts only with a risk of self-harm',
      ]);
    }
    expect(await fx.knex('crisis_cases').where({ id: caseId }).first('workflow_ended_at')).toEqual({
      workflow_ended_at: null,
    });
  });

  test('When staff of another college report for this college, then it is 403', async () => {
    const other = await login(fx.base, 'science-counsellor');
    const report = { studentNo: '1', studentName: 'x', collegeId: 'literature', situation: 'injury', place: 'y' };
    const res = await other.json('/api/crises', report);
    expect(res.status).toBe(403);
  });
});

describe('screening over HTTP', () => {
  const csv = (rows: string[]) =>
    new Blob([['学号,姓名,学院,班级,预警等级', ...rows].join('\r\n')], { type: 'text/csv' });
  test('When a counsellor imports warnings and records an interview, then deadlines run and the record is kept; the same file again is a no-op', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const file = csv(['2024990001,王一,文学院,汉语言2401,红色', '2024990002,赵二,文学院,汉语言2401,橙色']);
    const form = () => {
      const f = new FormData();
      f.append('file', file, '普测预警.csv');
      return f;
    };
    const first = await counsellor.fetch('/api/screening/imports', { method: 'POST', body: form() });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ warnings: 2, duplicate: false });
    expect((await counsellor.fetch('/api/screening/imports', { method: 'POST', body: form() })).status).toBe(200);
    const list = (await (await counsellor.fetch('/api/screening/warnings')).json()) as {
      warnings: Array<{ id: string; level: string; interviewDueAt: number }>;
    };
    expect(list.warnings.map((w) => w.level).sort()).toEqual(['orange', 'red']);
    expect(JSON.stringify(list)).not.toContain('王一');
    const red = list.warnings.find((w) => w.level === 'red')!;
    for (let i = 0; i < 50; i++) {
      const d = await env.client.workflow
        .getHandle(`screening.${red.id}`)
        .describe()
        .catch(() => null);
      if (d) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const record = {
      rapport: '身体状况良好',
      emotions: '近期焦虑',
      socialFunctioning: '人际正常',
      coping: '会向朋友倾诉',
      riskOfExtremeThoughts: '否认',
      assessment: 'mild',
      needsCounselling: true,
      needsCrisisIntervention: false,
    };
    const other = await login(fx.base, 'science-counsellor');
    const refused = await other.fetch(`/api/screening/warnings/${red.id}/interview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ record }),
    });
    expect(refused.status).toBe(403);
    const ok = await counsellor.fetch(`/api/screening/warnings/${red.id}/interview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ record }),
    });
    expect(ok.status).toBe(200);
    const row = await fx.knex('screening_warnings').where({ id: red.id }).first('status', 'record');
    expect(row.status).toBe('interviewed');
    expect(JSON.parse(row.record as string)).toMatchObject({ assessment: 'mild', needsCounselling: true });
  }, 60_000);

  test('When a file has rows of another college for a counsellor, then it is refused by line number and nothing is stored', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const f = new FormData();
    f.append(
      'file',
      csv(['2024990101,孙三,文学院,汉语言2401,红色', '2024990102,周四,数学与统计学院,数学2401,红色']),
      'x.csv',
    );
    const res = await counsellor.fetch('/api/screening/imports', { method: 'POST', body: f });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('第 3 行');
    expect(await fx.knex('students').where({ student_no: '2024990101' }).first()).toBeUndefined();
  });
});
