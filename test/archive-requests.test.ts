/**
 * The data requests' use cases (PIPL Art. 44–47) without Temporal: only the counselling centre
 * records and answers them; every problem of a request is named and nothing is stored; the
 * deadline is the end of the school's Nth day after the day received; an unknown or answered
 * request is refused by name; the register lists open requests first.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dataRequestDeadline, dataRequestProblems } from '../domain/archive-requests';
import {
  answerDataRequest,
  changeArchiveSettings,
  listDataRequests,
  recordDataRequest,
  type ArchiveDeps,
} from '../server/features/archive/use-cases';
import { staffUser } from './helpers/actors';
import { demoDb, type DemoDb } from './helpers/demo-db';
import { importWarningsOf } from './helpers/records';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3, 4); // 2026-12-03 12:00 in Shanghai
const admin = staffUser('admin', 'school_admin', null);
const counsellor = staffUser('literature-counsellor', 'counsellor', 'literature');

let d: DemoDb;
const deps = (now = NOW): ArchiveDeps => ({ knex: d.db, store: d.store, taskQueue: 'none', now });
beforeAll(async () => {
  d = await demoDb('data-request-uc');
  await importWarningsOf(deps(NOW - 30 * DAY), counsellor, [{ no: '2024880301', name: '申请人丙', level: '橙色' }]);
});
afterAll(async () => {
  await d?.close();
});

describe('recording a data request', () => {
  test('When a counsellor records one, then it is refused: the counselling centre records them', async () => {
    await expect(
      recordDataRequest(deps(), counsellor, {
        studentNo: '2024880301',
        kind: 'access',
        receivedOn: '2026-12-03',
        request: 'x',
      }),
    ).rejects.toThrow('only the counselling centre (school administration) may do this');
  });

  test('When the form has several problems, then each is named and nothing is stored', async () => {
    const e = (await recordDataRequest(deps(), admin, {
      studentNo: '2099000000',
      kind: 'erase-all',
      receivedOn: '2026-12-25',
      request: '  ',
    }).catch((x: unknown) => x)) as Error & { status?: number };
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^the request was not recorded: /);
    for (const part of [
      'studentNo (学号): no archive for student number "2099000000"',
      'kind must be one of access, correction, deletion',
      'request (请求内容) is required',
      'receivedOn (收到日期)',
    ])
      expect(e.message).toContain(part);
    expect(await d.db('data_requests').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('When a request is recorded, then its deadline is the end of the school’s 15th day after the day received (or the school’s own number of days), and it is audited by opaque ids', async () => {
    const received = Date.UTC(2026, 11, 1, 16); // 2026-12-02 00:00 in Shanghai
    const first = await recordDataRequest(deps(), admin, {
      studentNo: '2024880301',
      kind: 'deletion',
      receivedOn: '2026-12-02',
      request: '申请删除已毕业学期的访谈记录',
    });
    expect(first.dueAt).toBe(received + 16 * DAY); // 2026-12-18 24:00
    expect(first.dueAt).toBe(dataRequestDeadline(received, 15));
    await changeArchiveSettings(deps(), admin, { retentionDays: 365, dataRequestDays: 10 });
    const second = await recordDataRequest(deps(), admin, {
      studentNo: '2024880301',
      kind: 'access',
      receivedOn: '2026-12-03',
      request: '申请查阅',
    });
    expect(second.dueAt).toBe(received + DAY + 11 * DAY);
    const student = (await d.db('students').where({ student_no: '2024880301' }).first('id')) as { id: string };
    const audit = await d.store.listAudit({ subjectType: 'archive', subjectId: student.id });
    expect(audit.filter((a) => a.action === 'data-request-received').map((a) => a.details)).toEqual([
      { request: first.id, kind: 'deletion', dueAt: first.dueAt },
      { request: second.id, kind: 'access', dueAt: second.dueAt },
    ]);
    // the register: open ones by deadline, with the student for the counselling centre
    const register = await listDataRequests(deps(), admin);
    expect(register.map((r) => [r.id, r.student_no, r.kind])).toEqual([
      [second.id, '2024880301', 'access'],
      [first.id, '2024880301', 'deletion'],
    ]);
    await expect(listDataRequests(deps(), counsellor)).rejects.toThrow(/counselling centre/);
  });
});

describe('answering a data request', () => {
  test('When the answer is empty, the request unknown or the user not the counselling centre, then it is refused by name and nothing changes', async () => {
    const [open] = await listDataRequests(deps(), admin);
    await expect(answerDataRequest(deps(), admin, open!.id, ' ')).rejects.toThrow(
      'the answer was not recorded: answer (答复) is required',
    );
    await expect(answerDataRequest(deps(), admin, 'no-such-request', 'x')).rejects.toThrow(
      'unknown data request no-such-request',
    );
    await expect(answerDataRequest(deps(), counsellor, open!.id, 'x')).rejects.toThrow(/counselling centre/);
    await d.db('data_requests').where({ id: open!.id }).update({ status: 'answered' });
    await expect(answerDataRequest(deps(), admin, open!.id, 'x')).rejects.toThrow('this request is already answered');
    expect(dataRequestProblems({ kind: 'access', request: 'a\u0007b' })[0]).toMatch(/^request \(请求内容\): /);
  });
});
