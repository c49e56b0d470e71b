/**
 * Finding 6: dates that broke pages for good. Out-of-range dates (1e300, 1e308, 30 February, the
 * year 9999, a crisis "that happened" tomorrow) are refused with a 400 naming the field at every
 * boundary; a bad value already stored is shown as 无效日期 and the page or export answers 200; the
 * migration lists such rows in data_problems without changing them.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseInstant, parseMonth } from '../../domain/dates';
import { formatLocal } from '../../domain/local-time';
import { login, webFixture, type Session, type WebFixture } from '../helpers/web';

const ZONE = 'Asia/Shanghai';
const NOW = Date.UTC(2026, 11, 1, 4, 0); // 2026-12-01 12:00 in Shanghai

/** A Temporal client that records starts and Updates and answers them: the boundary is what is tested here. */
function recordingClient() {
  const calls: Array<{ kind: string; id: string; args: unknown }> = [];
  const client = {
    workflow: {
      start: async (_wf: unknown, opts: { workflowId: string; args: unknown }) => {
        calls.push({ kind: 'start', id: opts.workflowId, args: opts.args });
        return { workflowId: opts.workflowId };
      },
      getHandle: (id: string) => ({
        executeUpdate: async (_u: unknown, opts: { args: unknown }) => {
          calls.push({ kind: 'update', id, args: opts.args });
          return {};
        },
      }),
    },
  } as unknown as Client;
  return { client, calls };
}

let fx: WebFixture;
let rec: ReturnType<typeof recordingClient>;
let counsellor: Session;
let admin: Session;
beforeAll(async () => {
  rec = recordingClient();
  fx = await webFixture({ client: rec.client, now: () => NOW });
  counsellor = await login(fx.base, 'literature-counsellor');
  admin = await login(fx.base, 'admin');
});
afterAll(async () => {
  await fx?.close();
});

const json = (s: Session, url: string, method: string, body: unknown) =>
  s.fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const form = (s: Session, url: string, body: Record<string, string>) =>
  s.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe('the date rule (domain/dates.ts)', () => {
  const rule = { zone: ZONE, now: NOW };
  test('When a date is out of range or not a calendar date, then it is refused naming the field, the value and the window', () => {
    expect(() => parseInstant(1e300, 'occurredAt', rule)).toThrow(
      'occurredAt: 1e+300 is not a date between 2000-01-01 and 2027-12-02',
    );
    expect(() => parseInstant(1e308, 'occurredAt', rule)).toThrow(/^occurredAt: 1e\+308 is not a date between/);
    for (const bad of [
      Number.NaN,
      Infinity,
      -1,
      0,
      1.5,
      '2024-02-30T10:00',
      '9999-12-31T23:59',
      '1999-12-31',
      'yesterday',
      '',
      null,
      {},
    ]) {
      expect(() => parseInstant(bad, 'at', rule), String(bad)).toThrow(/^at: /);
    }
    expect(() => parseInstant(NOW + 60 * 60_000, 'occurredAt', { ...rule, maxFutureMs: 5 * 60_000 })).toThrow(
      `occurredAt: ${NOW + 60 * 60_000} is not a date between 2000-01-01 08:00 and 2026-12-01 12:05`,
    );
    expect(() => parseMonth('2024-13', 'month', rule)).toThrow(
      'month: "2024-13" is not a month (YYYY-MM) between 2000-01 and 2027-12',
    );
  });

  test('When a date is local text, an ISO date-time or epoch ms within the window, then it is the instant in the school’s zone', () => {
    const at = Date.UTC(2024, 9, 21, 7, 30);
    expect(parseInstant('2024-10-21T15:30', 'at', rule)).toBe(at);
    expect(parseInstant('2024-10-21 15:30', 'at', rule)).toBe(at);
    expect(parseInstant('2024-10-21T07:30:00Z', 'at', rule)).toBe(at);
    expect(parseInstant(at, 'at', rule)).toBe(at);
    expect(parseMonth('2024-10', 'month', rule)).toBe('2024-10');
  });

  test('When a stored value is not an instant, then the formatter writes 无效日期 instead of throwing', () => {
    for (const bad of [1e300, 1e308, Number.NaN, Infinity, -1e17]) expect(formatLocal(bad, ZONE)).toBe('无效日期');
    expect(formatLocal(1e300, ZONE, 'invalid date')).toBe('invalid date');
    expect(formatLocal(Date.UTC(2024, 9, 21, 7, 30), ZONE)).toBe('2024-10-21 15:30');
  });
});

describe('every boundary refuses a bad date with 400', () => {
  test('When a ledger entry is added or changed with interviewAt 1e300 (or 30 February), then 400 names interviewAt and nothing is stored', async () => {
    const add = await json(counsellor, '/api/colleges/literature/ledger', 'POST', {
      studentNo: 'D2024001',
      studentName: '周一',
      interviewAt: 1e300,
      categories: [],
      description: 'x',
      plan: 'y',
    });
    expect(add.status).toBe(400);
    expect(await errorOf(add)).toMatch(
      /^interviewAt \(约谈时间\): 1e\+300 is not a date between 2000-01-01 08:00 and 2026-12-01 12:05$/,
    );
    expect(await fx.knex('ledger_entries').where('interview_at', '>', 4e12)).toEqual([]);

    const ok = await json(counsellor, '/api/colleges/literature/ledger', 'POST', {
      studentNo: 'D2024001',
      studentName: '周一',
      interviewAt: '2026-11-30T09:00',
      categories: [],
      description: 'x',
      plan: 'y',
    });
    expect(ok.status).toBe(201);
    const { id } = (await ok.json()) as { id: string };
    for (const bad of [1e300, '2026-02-30T10:00', '9999-01-01T00:00']) {
      const res = await json(counsellor, `/api/ledger/${id}`, 'PATCH', { interviewAt: bad });
      expect(res.status, String(bad)).toBe(400);
      expect(await errorOf(res)).toMatch(/^interviewAt \(约谈时间\): /);
    }
    expect(Number((await fx.knex('ledger_entries').where({ id }).first('interview_at')).interview_at)).toBe(
      Date.UTC(2026, 10, 30, 1, 0),
    );

    // the page form goes back with the message
    const page = await form(counsellor, '/care/ledger?college=literature', {
      studentNo: 'D2024002',
      studentName: '周二',
      interviewAt: '2026-02-30T10:00',
      description: 'x',
      plan: 'y',
    });
    expect(page.status).toBe(303);
    expect(decodeURIComponent(page.headers.get('location') ?? '')).toMatch(
      /error=interviewAt \(约谈时间\): "2026-02-30T10:00" is not a date/,
    );
  });

  test('When a crisis is reported with occurredAt 1e308, 1e300 or tomorrow, then 400 names occurredAt and no case is opened', async () => {
    const before = (await fx.knex('crisis_cases').count({ n: '*' }).first()) as { n: number };
    for (const occurredAt of [1e308, 1e300, NOW + 24 * 3600_000, '2026-02-30T10:00']) {
      const res = await json(counsellor, '/api/crises', 'POST', {
        studentNo: 'D2024010',
        studentName: '吴三',
        situation: 'injury',
        place: '宿舍',
        occurredAt,
      });
      expect(res.status, String(occurredAt)).toBe(400);
      expect(await errorOf(res)).toMatch(
        /^occurredAt \(发生时间\): .* is not a date between 2000-01-01 08:00 and 2026-12-01 12:05$/,
      );
    }
    // the page form comes back (400) with the problem on the field, in Chinese, and the value kept (issue 14)
    const report = { studentNo: 'D2024010', studentName: '吴三', situation: 'injury', place: '宿舍' };
    const page = await form(counsellor, '/crises', { ...report, occurredAt: '2027-06-01T10:00' });
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toMatch(/name="occurredAt"[^>]*value="2027-06-01T10:00"[^>]*aria-invalid/);
    expect(html).toContain('发生时间');
    expect((await fx.knex('crisis_cases').count({ n: '*' }).first()) as { n: number }).toEqual(before);

    const ok = await json(counsellor, '/api/crises', 'POST', {
      studentNo: 'D2024010',
      studentName: '吴三',
      situation: 'self_harm_risk',
      place: '宿舍',
      occurredAt: NOW - 3600_000,
    });
    expect(ok.status).toBe(201);
    const { caseId } = (await ok.json()) as { caseId: string };

    // the hand-over time of the supervision: not a date, or in the future → 400, and no Update is sent
    const updates = rec.calls.length;
    for (const at of [1e300, NOW + 30 * 24 * 3600_000]) {
      const res = await json(counsellor, `/api/crises/${caseId}/hand-over`, 'POST', {
        receivedBy: '家长',
        witnessedBy: 'x',
        at,
      });
      expect(res.status, String(at)).toBe(400);
      expect(await errorOf(res)).toMatch(/^at \(交接时间\): /);
    }
    expect(rec.calls.length).toBe(updates);
  });

  test('When a key-care reason names a month that does not exist, then 400 names the month', async () => {
    const res = await json(counsellor, '/api/colleges/literature/key-care', 'POST', {
      studentNo: 'D2024020',
      studentName: '郑四',
      reasons: [{ kind: 'group', month: '2024-13', index: 1, zh: '某组' }],
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatch(/^reasons\[0\]\.month: "2024-13" is not a month/);
  });

  test('When a task’s due date is moved to the year 9999, then 400 names the new due date', async () => {
    const task = (await fx.knex('task_instances').where({ college_id: 'literature' }).first('id')) as { id: string };
    const res = await json(admin, `/api/tasks/${encodeURIComponent(task.id)}/due`, 'POST', {
      due: '9999-12-31 23:59',
      reason: 'x',
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatch(/^due: "9999-12-31 23:59" is not a date between/);
  });
});

describe('a bad date already stored', () => {
  test('When a ledger entry, a follow-up, a crisis case and a task hold 1e300/1e308, then /care, the crisis page and the exports answer 200 showing 无效日期', async () => {
    const studentId = randomUUID();
    await fx.knex('students').insert({
      id: studentId,
      school_id: 'demo-school',
      college_id: 'literature',
      student_no: 'BAD0001',
      name: '坏日期',
      class_name: null,
      created_at: NOW,
    });
    const entryId = randomUUID();
    await fx.knex('ledger_entries').insert({
      id: entryId,
      student_id: studentId,
      college_id: 'literature',
      seq: 900,
      source: 'manual',
      source_id: null,
      status: 'active',
      created_at: NOW,
      updated_at: NOW,
      interview_at: 1e300,
      categories: '[]',
      life_safety: false,
      description: 'd',
      plan: 'p',
      gender: '',
      major_class: '',
      contact: '',
    });
    await fx.knex('ledger_follow_ups').insert({
      id: randomUUID(),
      entry_id: entryId,
      at: 1e308,
      by: 'literature-counsellor',
      text: 't',
      counselling: false,
      hospital: false,
    });
    const caseId = randomUUID();
    await fx.knex('crisis_cases').insert({
      id: caseId,
      student_id: studentId,
      college_id: 'literature',
      situation: 'injury',
      place: 'x',
      reported_by: 'literature-counsellor',
      occurred_at: 1e308,
      reported_at: NOW,
      status: 'open',
      escalation_level: 0,
      updated_at: NOW,
    });
    const task = (await fx.knex('task_instances').where({ college_id: 'literature' }).first('id')) as { id: string };
    await fx.knex('task_instances').where({ id: task.id }).update({ completed_at: 1e300 });

    const care = await counsellor.fetch('/care?college=literature');
    expect(care.status).toBe(200);
    expect(await care.text()).toContain('无效日期');
    const crisis = await counsellor.fetch(`/crises/${caseId}`);
    expect(crisis.status).toBe(200);
    expect(await crisis.text()).toContain('无效日期');
    const csv = await counsellor.fetch('/exports/ledger.csv?college=literature');
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('无效日期');
    expect((await counsellor.fetch('/exports/ledger.xlsx?college=literature')).status).toBe(200);
    const tasks = await admin.fetch(`/exports/tasks.csv?semester=${fx.semesterId}&college=literature`);
    expect(tasks.status).toBe(200);
    expect(await tasks.text()).toContain('无效日期');
    expect((await admin.fetch(`/tasks/${encodeURIComponent(task.id)}`)).status).toBe(200);
  });

  test('When the migration runs over such rows, then it lists each in data_problems (table, row, column, value) without changing it, and the admin sees the list', async () => {
    const migration = (await import('../../migrations/20241201000200_flag_bad_dates')) as {
      up: (k: unknown) => Promise<void>;
      down: (k: unknown) => Promise<void>;
    };
    await migration.down(fx.knex);
    await migration.up(fx.knex);
    const problems = (await fx.knex('data_problems').select('table_name', 'column_name', 'value')) as Array<{
      table_name: string;
      column_name: string;
      value: string;
    }>;
    expect(problems).toEqual(
      expect.arrayContaining([
        { table_name: 'ledger_entries', column_name: 'interview_at', value: '1e+300' },
        { table_name: 'ledger_follow_ups', column_name: 'at', value: '1e+308' },
        { table_name: 'crisis_cases', column_name: 'occurred_at', value: '1e+308' },
        { table_name: 'task_instances', column_name: 'completed_at', value: '1e+300' },
      ]),
    );
    // nothing is changed
    expect(
      Number((await fx.knex('crisis_cases').where('occurred_at', '>', 1e307).first('occurred_at')).occurred_at),
    ).toBe(1e308);
    // the school admin sees them; no one else
    const res = await admin.fetch('/api/admin/data-problems');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      problems: Array<{ table: string; column: string; value: string; rowId: string }>;
    };
    expect(body.problems.map((p) => `${p.table}.${p.column}`)).toEqual(
      expect.arrayContaining(['ledger_entries.interview_at', 'crisis_cases.occurred_at']),
    );
    expect((await counsellor.fetch('/api/admin/data-problems')).status).toBe(403);
  });
});
