/**
 * Idempotent writes from clients (issue 15): a retry with the same Idempotency-Key (or the same
 * hidden `_idem` form field) returns the first result and acts once; the key used again with
 * another request is 422. Real task and crisis workflows on the time-skipping server.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { crisisWorkflowId } from '../server/features/crisis/use-cases';
import { until } from './helpers/wait';
import { plannedTask } from './helpers/tasks';
import { login, type Session, type WebFixture } from './helpers/web';
import { workerStack, type WorkerStack } from './helpers/worker';

let stack: WorkerStack;
let env: TestWorkflowEnvironment;
let fx: WebFixture;

beforeAll(async () => {
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  stack = await workerStack('idempotency', { taskModel: 'per-task' });
  ({ env, fx } = stack);
});
afterAll(() => stack?.close());

const taskOf = (college: string, templateTaskId: string) => plannedTask(fx, college, templateTaskId);

const post = (s: Session, url: string, body: unknown, key?: string) =>
  s.json(url, body, { headers: key ? { 'idempotency-key': key } : {} });

/** completions recorded in the task's audit log, once the read model shows the completion (written by an activity) */
async function completions(taskId: string): Promise<number> {
  await until(`${taskId} completed`, async () => (await fx.store.getTaskInstance(taskId))?.status === 'completed');
  const audit = await fx.store.listAudit({ subjectType: 'task', subjectId: taskId });
  return audit.filter((a) => a.action.startsWith('completed')).length;
}

describe('Idempotency-Key on the JSON API', () => {
  test('When a completion is retried with the same key, then the retry gets the first result (not 409) and one completion is recorded; the key with another note is 422', async () => {
    const task = await taskOf('literature', '2024-10-01-update-key-care-list');
    await stack.startTask(task);
    const staff = await login(fx.base, 'literature-counsellor');
    const url = `/api/tasks/${encodeURIComponent(task.id)}/complete`;
    const first = await post(staff, url, { note: '已更新名单' }, 'complete-1');
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    const retry = await post(staff, url, { note: '已更新名单' }, 'complete-1');
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(firstBody);
    expect(await completions(task.id)).toBe(1);
    const other = await post(staff, url, { note: '另一条说明' }, 'complete-1');
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: string }).error).toMatch(
      /Idempotency-Key was already used for another request/,
    );
    // without a key, a second completion is refused as before
    expect((await post(staff, url, { note: '已更新名单' })).status).toBe(409);
  });

  test('When a completion is retried after the first answer was lost (no stored response), then the Update id returns the first result', async () => {
    const task = await taskOf('science', '2024-10-01-update-key-care-list');
    await stack.startTask(task);
    const staff = await login(fx.base, 'science-counsellor');
    const url = `/api/tasks/${encodeURIComponent(task.id)}/complete`;
    const first = await post(staff, url, { note: '已完成' }, 'lost-answer');
    expect(first.status).toBe(200);
    // as if the web process died after the Update and before storing the response
    await fx.knex('idempotency_keys').where({ key: 'lost-answer' }).update({ status: null, body: null, claimed_at: 0 });
    const retry = await post(staff, url, { note: '已完成' }, 'lost-answer');
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { task: { status: string } }).task.status).toBe('completed');
    expect(await completions(task.id)).toBe(1);
  });

  test('When a crisis report is retried with the same key, then the same case comes back and one case and one workflow exist', async () => {
    const teacher = await login(fx.base, 'literature-class-teacher');
    const body = { studentNo: '2024017777', studentName: '孙小雨', situation: 'injury', place: '操场' };
    const first = await post(teacher, '/api/crises', body, 'report-1');
    expect(first.status).toBe(201);
    const { caseId } = (await first.json()) as { caseId: string };
    const retry = await post(teacher, '/api/crises', body, 'report-1');
    expect(retry.status).toBe(201);
    expect(((await retry.json()) as { caseId: string }).caseId).toBe(caseId);
    // the stored response lost too: the case id fixed by the key finds the same case
    await fx.knex('idempotency_keys').where({ key: 'report-1' }).update({ status: null, body: null, claimed_at: 0 });
    const again = await post(teacher, '/api/crises', body, 'report-1');
    expect(((await again.json()) as { caseId: string }).caseId).toBe(caseId);
    const student = (await fx.knex('students').where({ student_no: '2024017777' }).first('id')) as { id: string };
    expect(await fx.knex('crisis_cases').where({ student_id: student.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
    expect((await env.client.workflow.getHandle(crisisWorkflowId(caseId)).describe()).status.name).toBeDefined();
    // a different teacher's same key is their own key: a second, separate report
    const other = await login(fx.base, 'literature-counsellor');
    const theirs = await post(other, '/api/crises', body, 'report-1');
    expect(theirs.status).toBe(201);
    expect(((await theirs.json()) as { caseId: string }).caseId).not.toBe(caseId);
  });

  test('When a key-care add is retried, then the first 201 body comes back and one row is stored; another body with the key is 422', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const reason = { kind: 'group', month: '2024-10', index: 2, zh: '存在寝室人际关系紧张、家庭矛盾突出……的学生' };
    const body = {
      studentNo: '2024558888',
      studentName: '钱小东',
      className: '汉语言2402',
      reasons: [reason],
      plan: '每周谈话',
    };
    const first = await post(counsellor, '/api/colleges/literature/key-care', body, 'kc-1');
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const retry = await post(counsellor, '/api/colleges/literature/key-care', body, 'kc-1');
    expect(retry.status).toBe(201);
    expect(await retry.json()).toEqual(firstBody);
    const student = (await fx.knex('students').where({ student_no: '2024558888' }).first('id')) as { id: string };
    expect(await fx.knex('key_care_entries').where({ student_id: student.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(
      (await post(counsellor, '/api/colleges/literature/key-care', { ...body, plan: '每月谈话' }, 'kc-1')).status,
    ).toBe(422);
    expect((await post(counsellor, '/api/colleges/literature/key-care', body, 'bad key with spaces')).status).toBe(400);
  });
});

describe('the hidden _idem field of forms', () => {
  test('When a page form is sent twice with the same _idem, then it acts once and both answers go back to the page', async () => {
    const counsellor = await login(fx.base, 'science-counsellor');
    const page = await (await counsellor.fetch('/care?college=science')).text();
    const form = /<form class="card" id="add-key-care"[\s\S]*?<\/form>/.exec(page)?.[0] ?? '';
    const idem = /name="_idem" value="([^"]+)"/.exec(form)?.[1];
    expect(idem).toBeTruthy();
    const send = () =>
      counsellor.fetch('/care/key-care?college=science', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          _csrf: counsellor.csrf,
          _idem: idem!,
          studentNo: '2024559999',
          studentName: '李小西',
          className: '物理2401',
          reasons: '学业压力大',
          plan: '每周谈话',
        }).toString(),
      });
    const a = await send();
    const b = await send();
    expect(a.status).toBe(303);
    expect(b.status).toBe(303);
    expect(b.headers.get('location')).toBe(a.headers.get('location'));
    const student = (await fx.knex('students').where({ student_no: '2024559999' }).first('id')) as
      { id: string } | undefined;
    expect(student, a.headers.get('location') ?? '').toBeDefined();
    expect(await fx.knex('key_care_entries').where({ student_id: student!.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
    // each page load has its own key
    const again = await (await counsellor.fetch('/care?college=science')).text();
    expect(/name="_idem" value="([^"]+)"/.exec(again)?.[1]).not.toBe(idem);
  });
});
