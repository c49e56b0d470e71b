/**
 * Issue 10, findings 1 and 2: one college can neither move nor read another college's students.
 *  - a screening import naming another college's student number is refused by line, without
 *    naming the owner college, and nothing of the file is stored;
 *  - a crisis report naming another college's student number is accepted, shows the reporter only
 *    what they typed, and is routed at once to the owner college and the school;
 *  - the key-care, ledger and pairing forms answer a foreign student number (or student id)
 *    exactly as a never-seen one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { until } from '../helpers/wait';
import { workerStack, type WorkerStack } from '../helpers/worker';
import { login, type Session, type WebFixture } from '../helpers/web';

let stack: WorkerStack;
let fx: WebFixture;
/** science's students, whose stored data must never reach literature's staff */
const SECRET = { no: '2024777001', name: '秘藏名', className: '数学秘密班' };
const SECRET2 = { no: '2024777002', name: '隐二名', className: '统计秘密班' };
let secretId: string;

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number(((await fx.knex(table).where(where).count({ n: '*' })) as [{ n: number | string }])[0].n);
const json = (s: Session, p: string, method: string, body?: unknown) => s.json(p, body, { method });

beforeAll(async () => {
  stack = await workerStack('cross-college', { plan: false });
  ({ fx } = stack);
  secretId = randomUUID();
  await fx.knex('students').insert({
    id: secretId,
    school_id: 'demo-school',
    college_id: 'science',
    student_no: SECRET.no,
    name: SECRET.name,
    class_name: SECRET.className,
    created_at: Date.now(),
  });
  await fx.knex('students').insert({
    id: randomUUID(),
    school_id: 'demo-school',
    college_id: 'science',
    student_no: SECRET2.no,
    name: SECRET2.name,
    class_name: SECRET2.className,
    created_at: Date.now(),
  });
});
afterAll(() => stack?.close());

const stored = () => fx.knex('students').where({ id: secretId }).first('name', 'college_id', 'class_name');
const untouched = { name: SECRET.name, college_id: 'science', class_name: SECRET.className };

describe('finding 1: a screening import cannot move a student to another college', () => {
  const upload = (s: Session, rows: string[]) => {
    const f = new FormData();
    f.append(
      'file',
      new Blob([['学号,姓名,学院,班级,预警等级', ...rows].join('\r\n')], { type: 'text/csv' }),
      `screening-${randomUUID()}.csv`,
    );
    return s.fetch('/api/screening/imports', { method: 'POST', body: f });
  };

  test("When a counsellor imports a file naming another college's student number, then that line is refused without naming the college, and nothing of the file is stored", async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const [students, batches, warnings] = [
      await count('students'),
      await count('screening_batches'),
      await count('screening_warnings'),
    ];
    const res = await upload(counsellor, [
      '2024880001,新同学,文学院,汉语言2401,红色',
      `${SECRET.no},改名字,文学院,汉语言2402,橙色`,
    ]);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain(`第 3 行: student number "${SECRET.no}" cannot be imported by this college`);
    for (const owner of ['science', '数学与统计学院', 'Mathematics', SECRET.name, SECRET.className])
      expect(error).not.toContain(owner);
    expect(await stored()).toEqual(untouched);
    expect([await count('students'), await count('screening_batches'), await count('screening_warnings')]).toEqual([
      students,
      batches,
      warnings,
    ]);
  });

  test('When the school admin imports a row that would move a student to another college, then it is refused too, by line', async () => {
    const admin = await login(fx.base, 'admin');
    const res = await upload(admin, [`${SECRET.no},改名字,literature,汉语言2402,红色`]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(
      `第 2 行: student number "${SECRET.no}" cannot be imported by this college`,
    );
    expect(await stored()).toEqual(untouched);
  });

  test("When the owner college imports its own student, then the row is taken (and updates the student's name and class)", async () => {
    const owner = await login(fx.base, 'science-counsellor');
    const other = '2024777099';
    await fx.knex('students').insert({
      id: randomUUID(),
      school_id: 'demo-school',
      college_id: 'science',
      student_no: other,
      name: '旧名',
      class_name: null,
      created_at: Date.now(),
    });
    const res = await upload(owner, [`${other},新名,science,数学2401,红色`]);
    expect(res.status).toBe(201);
    expect(await fx.knex('students').where({ student_no: other }).first('name', 'college_id', 'class_name')).toEqual({
      name: '新名',
      college_id: 'science',
      class_name: '数学2401',
    });
  });
});

describe('finding 2: a crisis report naming another college’s student', () => {
  test('When literature reports a crisis on a science student number, then it is accepted, the reporter sees only what they typed, and the case is routed to science and the school', async () => {
    const reporter = await login(fx.base, 'literature-counsellor');
    const res = await json(reporter, '/api/crises', 'POST', {
      studentNo: SECRET.no,
      studentName: '小秘',
      className: '不清楚',
      situation: 'injury',
      place: '图书馆',
    });
    expect(res.status).toBe(201);
    const { caseId } = (await res.json()) as { caseId: string };

    // routed at once: the owner college holds the case, the timeline says so, and both are told
    const row = (await fx.knex('crisis_cases').where({ id: caseId }).first()) as Record<string, unknown>;
    expect([row.college_id, row.student_id, row.routed_from_college_id]).toEqual(['science', secretId, 'literature']);
    const routed = (await fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId })).find(
      (e) => e.action === 'routed',
    );
    expect(routed?.details).toMatchObject({ from: 'literature', to: 'science' });
    const kinds = async (u: string) =>
      (await fx.store.listNotifications(u)).filter((n) => n.subjectId === caseId).map((n) => n.kind);
    await until('the crisis reaches the owner college', async () =>
      (await kinds('science-counsellor')).includes('crisis_reported'),
    );
    expect((await kinds('science-counsellor')).sort()).toEqual(['crisis_reported', 'crisis_routed']);
    expect(await kinds('science-college-leader')).toContain('crisis_routed');
    expect(await kinds('admin')).toContain('crisis_routed');
    expect(await kinds('literature-college-leader')).toEqual([]);
    expect(await stored()).toEqual(untouched);

    // the reporter: what they typed, the case's progress, nothing stored about the student
    const api = await reporter.fetch(`/api/crises/${caseId}`);
    expect(api.status).toBe(200);
    const body = await api.text();
    for (const secret of [SECRET.name, SECRET.className, 'science', '数学与统计学院'])
      expect(body).not.toContain(secret);
    const read = JSON.parse(body) as {
      student: { name: string; studentNo: string; className: string | null };
      case: { routed: boolean; status: string };
      timeline: Array<{ action: string }>;
    };
    expect(read.student).toEqual({ studentNo: SECRET.no, name: '小秘', className: '不清楚' });
    expect(read.case).toMatchObject({ routed: true, status: 'open' });
    expect(read.timeline.map((e) => e.action)).toContain('routed');
    const page = await reporter.fetch(`/crises/${caseId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const secret of [SECRET.name, SECRET.className, '数学与统计学院']) expect(html).not.toContain(secret);
    expect(html).toContain('小秘');
    expect(html).toContain('id="routed"');
    expect(html).not.toContain('id="step-on-scene"');
    const fragment = await (await reporter.fetch(`/crises/${caseId}?fragment=timeline`)).text();
    expect(fragment).not.toContain('数学与统计学院');
    // the reporter cannot act on it
    expect((await json(reporter, `/api/crises/${caseId}/on-scene`, 'POST', {})).status).toBe(403);

    // the owner college sees the registered student and what was reported, and acts
    const owner = await login(fx.base, 'science-counsellor');
    const ownerRead = (await (await owner.fetch(`/api/crises/${caseId}`)).json()) as { student: { name: string } };
    expect(ownerRead.student.name).toBe(SECRET.name);
    expect((await json(owner, `/api/crises/${caseId}/on-scene`, 'POST', {})).status).toBe(200);
  });

  test('When the reporter is of another college than both, then the case is still readable to nobody else of their college', async () => {
    const reporter = await login(fx.base, 'literature-counsellor');
    const { caseId } = (await (
      await json(reporter, '/api/crises', 'POST', {
        studentNo: SECRET2.no,
        studentName: '某生',
        situation: 'danger_to_others',
        place: '操场',
      })
    ).json()) as { caseId: string };
    const colleague = await login(fx.base, 'literature-college-leader');
    expect((await colleague.fetch(`/api/crises/${caseId}`)).status).toBe(403);
  });
});

describe('finding 2: the student-number oracle is closed in the care forms', () => {
  /** the response with the caller's own values (ids, the number typed) masked */
  const shape = async (res: Response, typed: string[]) => {
    let text = await res.text();
    for (const t of typed) text = text.split(t).join('<typed>');
    // ids, and the ledger's running number (序号), differ between any two entries
    return {
      status: res.status,
      body: text
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
        .replace(/"seq":\d+/g, '"seq":<n>'),
    };
  };
  let n = 0;
  const fresh = () => `2024889${String(++n).padStart(3, '0')}`;

  const forms: Array<{ name: string; user: string; path: string; extra: Record<string, unknown> }> = [
    {
      name: 'key-care',
      user: 'literature-counsellor',
      path: '/api/colleges/literature/key-care',
      extra: { reasons: ['情绪低落'], plan: '每周谈话' },
    },
    {
      name: 'ledger',
      user: 'literature-counsellor',
      path: '/api/colleges/literature/ledger',
      extra: { description: '情况' },
    },
    {
      name: 'pairing',
      user: 'literature-college-leader',
      path: '/api/colleges/literature/pairings',
      extra: { teacherUserId: 'literature-class-teacher' },
    },
  ];

  for (const f of forms) {
    test(`When the ${f.name} form names another college's student number, then it answers exactly as for a never-seen number, and the student is untouched`, async () => {
      const s = await login(fx.base, f.user);
      const neverSeen = fresh();
      const a = await shape(await json(s, f.path, 'POST', { studentNo: neverSeen, studentName: '甲', ...f.extra }), [
        neverSeen,
      ]);
      const b = await shape(await json(s, f.path, 'POST', { studentNo: SECRET.no, studentName: '甲', ...f.extra }), [
        SECRET.no,
      ]);
      expect(b).toEqual(a);
      // again: both are now known to this college under the typed name
      const a2 = await shape(await json(s, f.path, 'POST', { studentNo: neverSeen, studentName: '乙', ...f.extra }), [
        neverSeen,
      ]);
      const b2 = await shape(await json(s, f.path, 'POST', { studentNo: SECRET.no, studentName: '乙', ...f.extra }), [
        SECRET.no,
      ]);
      expect(b2).toEqual(a2);
      expect(await stored()).toEqual(untouched);
      // the college's list shows what it typed, never the registered name
      const list = await (await s.fetch(f.path)).text();
      expect(list).not.toContain(SECRET.name);
      expect(
        await count(f.name === 'key-care' ? 'key_care_entries' : f.name === 'ledger' ? 'ledger_entries' : 'pairings', {
          student_id: secretId,
        }),
      ).toBe(0);
    });

    test(`When the ${f.name} form names another college's student by id, then it answers exactly as for an unknown id`, async () => {
      const s = await login(fx.base, f.user);
      const unknown = randomUUID();
      const a = await shape(await json(s, f.path, 'POST', { studentId: unknown, ...f.extra }), [unknown]);
      const b = await shape(await json(s, f.path, 'POST', { studentId: secretId, ...f.extra }), [secretId]);
      expect(b).toEqual(a);
      expect(a.status).toBe(404);
    });
  }

  const pages: Array<{ user: string; path: string; extra: Record<string, string> }> = [
    {
      user: 'literature-counsellor',
      path: '/care/key-care?college=literature',
      extra: { reasons: '情绪低落', plan: '每周谈话' },
    },
    { user: 'literature-counsellor', path: '/care/ledger?college=literature', extra: { description: '情况' } },
    {
      user: 'literature-college-leader',
      path: '/care/pairings?college=literature',
      extra: { teacherUserId: 'literature-class-teacher' },
    },
  ];
  for (const p of pages) {
    test(`When the page form ${p.path} names another college's student number, then it redirects exactly as for a never-seen number`, async () => {
      const s = await login(fx.base, p.user);
      const post = async (studentNo: string, studentName: string) => {
        const res = await s.fetch(p.path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: s.csrf, studentNo, studentName, ...p.extra }),
        });
        return { status: res.status, location: (res.headers.get('location') ?? '').split(studentNo).join('<typed>') };
      };
      // a science student of its own, unknown to literature so far
      const foreign = { id: randomUUID(), no: fresh(), name: '理科生', className: '数学2403' };
      await fx.knex('students').insert({
        id: foreign.id,
        school_id: 'demo-school',
        college_id: 'science',
        student_no: foreign.no,
        name: foreign.name,
        class_name: foreign.className,
        created_at: Date.now(),
      });
      const neverSeen = fresh();
      expect(await post(foreign.no, '丙')).toEqual(await post(neverSeen, '丙'));
      expect(await post(foreign.no, '丁')).toEqual(await post(neverSeen, '丁'));
      expect(await fx.knex('students').where({ id: foreign.id }).first('name', 'college_id', 'class_name')).toEqual({
        name: foreign.name,
        college_id: 'science',
        class_name: foreign.className,
      });
    });
  }

  test('When a crisis report names an unknown number, then it opens in the reporter’s college (unchanged)', async () => {
    const reporter = await login(fx.base, 'literature-counsellor');
    const no = fresh();
    const { caseId } = (await (
      await json(reporter, '/api/crises', 'POST', {
        studentNo: no,
        studentName: '新生',
        situation: 'injury',
        place: '食堂',
      })
    ).json()) as { caseId: string };
    const row = (await fx.knex('crisis_cases').where({ id: caseId }).first()) as Record<string, unknown>;
    expect([row.college_id, row.routed_from_college_id]).toEqual(['literature', null]);
  });
});
