/**
 * The data requests' register (PIPL Art. 44–47) over the JSON API, on the time-skipping server with
 * the worker: the same use cases and permissions as /admin/data-requests. The counselling centre
 * lists, records and answers; anyone else is refused (403). Errors name the problem: an unknown
 * student or kind (400, nothing stored), an unknown request (404), a request answered twice (409).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importWarnings } from '../server/features/screening/use-cases';
import { sessionUser } from './helpers/actors';
import { login, type Session } from './helpers/web';
import { workerStack, type WorkerStack } from './helpers/worker';

const NO = '2024880701';
let stack: WorkerStack;
let admin: Session;

beforeAll(async () => {
  stack = await workerStack('data-request-api', { plan: false });
  const { fx } = stack;
  const csv = `学号,姓名,学院,班级,预警等级\r\n${NO},接口学生,文学院,汉语言2401,橙色`;
  const counsellor = sessionUser('literature-counsellor', 'counsellor', 'literature');
  await importWarnings(
    { knex: fx.knex, store: fx.store, taskQueue: 'none', now: Date.now() },
    counsellor,
    Buffer.from(csv),
    'w.csv',
  );
  admin = await login(fx.base, 'admin');
});
afterAll(async () => {
  await stack?.close();
});

const record = (s: Session, fields: Record<string, string>) =>
  s.json('/api/data-requests', {
    kind: 'access',
    receivedOn: '2026-12-01',
    request: '申请查阅本人测评结果',
    ...fields,
  });
const error = async (res: Response) => ((await res.json()) as { error: string }).error;

describe('the data requests over the API', () => {
  test('When the counselling centre records a request with an unknown student or kind, then each is named (400) and nothing is stored; others are refused (403)', async () => {
    const unknownStudent = await record(admin, { studentNo: '2099999999' });
    expect(unknownStudent.status).toBe(400);
    expect(await error(unknownStudent)).toBe(
      'the request was not recorded: studentNo (学号): no archive for student number "2099999999"',
    );
    const unknownKind = await record(admin, { studentNo: NO, kind: 'erase-all' });
    expect(unknownKind.status).toBe(400);
    expect(await error(unknownKind)).toBe(
      'the request was not recorded: kind must be one of access, correction, deletion',
    );
    expect(await stack.fx.knex('data_requests').count({ n: '*' })).toEqual([{ n: 0 }]);

    for (const user of ['literature-counsellor', 'literature-college-leader']) {
      const s = await login(stack.fx.base, user);
      expect((await s.fetch('/api/data-requests')).status, user).toBe(403);
      expect((await record(s, { studentNo: NO })).status, user).toBe(403);
    }
  });

  test('When a request is recorded and answered, then the register shows it open with its deadline, then answered; a second answer is refused (409), an unknown request is 404', async () => {
    const created = await record(admin, { studentNo: NO, kind: 'correction', request: '申请更正联系电话' });
    expect(created.status).toBe(201);
    const { id, dueAt } = (await created.json()) as { id: string; dueAt: number };
    expect(dueAt).toBe(Date.UTC(2026, 10, 30, 16) + 16 * 86_400_000); // 2026-12-01 + 15 days, 24:00 in Shanghai

    const list = async () =>
      ((await (await admin.fetch('/api/data-requests')).json()) as { requests: Array<Record<string, unknown>> })
        .requests;
    const student = (await stack.fx.knex('students').where({ student_no: NO }).first('id')) as { id: string };
    expect(await list()).toEqual([
      expect.objectContaining({
        id,
        studentId: student.id,
        studentNo: NO,
        name: '接口学生',
        collegeId: 'literature',
        kind: 'correction',
        request: '申请更正联系电话',
        receivedBy: 'admin',
        dueAt,
        status: 'open',
        answer: null,
        answeredAt: null,
      }),
    ]);

    const counsellor = await login(stack.fx.base, 'literature-counsellor');
    expect((await counsellor.json(`/api/data-requests/${id}/answer`, { answer: '已更正' })).status).toBe(403);
    const empty = await admin.json(`/api/data-requests/${id}/answer`, { answer: ' ' });
    expect(empty.status).toBe(400);
    expect(await error(empty)).toBe('the answer was not recorded: answer (答复) is required');

    const answered = await admin.json(`/api/data-requests/${id}/answer`, { answer: '已更正联系电话' });
    expect(answered.status).toBe(200);
    const { answeredAt } = (await answered.json()) as { answeredAt: number };
    expect(answeredAt).toEqual(expect.any(Number));
    expect(await list()).toEqual([
      expect.objectContaining({ id, status: 'answered', answer: '已更正联系电话', answeredBy: 'admin', answeredAt }),
    ]);

    const again = await admin.json(`/api/data-requests/${id}/answer`, { answer: '再次答复' });
    expect(again.status).toBe(409);
    expect(await error(again)).toBe('this request is already answered');
    const unknown = await admin.json('/api/data-requests/no-such-request/answer', { answer: 'x' });
    expect(unknown.status).toBe(404);
    expect(await error(unknown)).toBe('unknown data request no-such-request');
  });
});
