/**
 * The care records over the JSON API (no Temporal needed): the key-care list and the
 * intervention ledger with their rules and errors, the ledger's .xlsx export in appendix 4's
 * column order (audited), enrolment from a crisis case (idempotent), and the care settings'
 * validation.
 */
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCrisisActivities } from '../activities/crisis';
import { createDigestActivities } from '../activities/digest';
import { errorForLog } from '../activities/scrub';
import { careSettingsProblems, DEFAULT_CARE_SETTINGS } from '../domain/care';
import { formatLocal } from '../domain/local-time';
import { login, webFixture, type Session, type WebFixture } from './helpers/web';

let fx: WebFixture;
beforeAll(async () => {
  fx = await webFixture({}, { plan: false });
});
afterAll(async () => {
  await fx?.close();
});

const json = (s: Session, url: string, method: string, body: unknown) =>
  s.fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe('care settings', () => {
  test('When the defaults are checked, then they are valid; when values contradict each other or leave their bounds, then each problem is named by its path', () => {
    expect(careSettingsProblems(DEFAULT_CARE_SETTINGS)).toEqual([]);
    expect(
      careSettingsProblems({
        ...DEFAULT_CARE_SETTINGS,
        screening: { ...DEFAULT_CARE_SETTINGS.screening, redInterviewDays: 5, orangeInterviewDays: 2 },
      }),
    ).toEqual(['screening.orangeInterviewDays: an orange warning cannot be more urgent than a red one']);
    expect(
      careSettingsProblems({
        ...DEFAULT_CARE_SETTINGS,
        crisis: { ...DEFAULT_CARE_SETTINGS.crisis, checkInEveryMinutes: 600 },
      }),
    ).toEqual(['crisis.checkInEveryMinutes: Number must be less than or equal to 480']);
    expect(
      careSettingsProblems({
        ...DEFAULT_CARE_SETTINGS,
        pairing: { ...DEFAULT_CARE_SETTINGS.pairing, remindBeforeDays: 15 },
      }),
    ).toEqual(['pairing.remindBeforeDays: the reminder must come before the talk is due']);
    expect(careSettingsProblems({ crisis: DEFAULT_CARE_SETTINGS.crisis })[0]).toMatch(/^screening: Required/);
  });
});

describe('the key-care list', () => {
  test('When a counsellor adds a student with a month’s key-care group, then the list shows it with the plan; a second entry, a bad number or another name is refused by name', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const reason = { kind: 'group', month: '2024-10', index: 2, zh: '存在寝室人际关系紧张、家庭矛盾突出……的学生' };
    const add = (b: Record<string, unknown>) => json(counsellor, '/api/colleges/literature/key-care', 'POST', b);
    const res = await add({
      studentNo: '2024550001',
      studentName: '吴小北',
      className: '汉语言2402',
      reasons: [reason],
      plan: '班主任每周谈话一次，联系家长',
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const list = (await (await counsellor.fetch('/api/colleges/literature/key-care')).json()) as {
      entries: Array<Record<string, unknown>>;
    };
    expect(list.entries).toMatchObject([
      {
        id,
        student: { studentNo: '2024550001', name: '吴小北', className: '汉语言2402' },
        reasons: [reason],
        plan: '班主任每周谈话一次，联系家长',
        source: 'manual',
      },
    ]);

    const again = await add({ studentNo: '2024550001', studentName: '吴小北', reasons: ['另一原因'] });
    expect([again.status, await errorOf(again)]).toEqual([
      409,
      'this student is already on the key-care list: edit the entry instead',
    ]);
    const badNo = await add({ studentNo: '2024 55', studentName: '某', reasons: ['x'] });
    expect([badNo.status, await errorOf(badNo)]).toEqual([
      400,
      'invalid student number "2024 55" (1–32 letters, digits, _ or -)',
    ]);
    const otherName = await add({ studentNo: '2024550001', studentName: '吴小南', reasons: ['x'] });
    expect([otherName.status, await errorOf(otherName)]).toEqual([
      400,
      'student number 2024550001 is registered under another name: check the number',
    ]);
    const noReason = await add({ studentNo: '2024550002', studentName: '郑一', reasons: [] });
    expect([noReason.status, await errorOf(noReason)]).toEqual([
      400,
      'give at least one reason (a key-care group of the month, or your own words)',
    ]);
    expect(await fx.knex('students').where({ student_no: '2024550002' }).first()).toBeUndefined();

    // the plan is updated; only the leader takes a student off the list, with the reason
    expect((await json(counsellor, `/api/key-care/${id}`, 'PATCH', { plan: '转介心理中心，每周咨询' })).status).toBe(
      204,
    );
    expect((await json(counsellor, `/api/key-care/${id}/remove`, 'POST', { reason: '好转' })).status).toBe(403);
    const leader = await login(fx.base, 'literature-college-leader');
    const noWhy = await json(leader, `/api/key-care/${id}/remove`, 'POST', {});
    expect([noWhy.status, await errorOf(noWhy)]).toEqual([400, 'reason is required']);
    expect((await json(leader, `/api/key-care/${id}/remove`, 'POST', { reason: '经研判风险解除' })).status).toBe(204);
    expect(
      ((await (await leader.fetch('/api/colleges/literature/key-care')).json()) as { entries: unknown[] }).entries,
    ).toEqual([]);
    const row = await fx.knex('key_care_entries').where({ id }).first('status', 'plan', 'removed_reason', 'removed_by');
    expect(row).toEqual({
      status: 'removed',
      plan: '转介心理中心，每周咨询',
      removed_reason: '经研判风险解除',
      removed_by: 'literature-college-leader',
    });
    expect(
      (await fx.store.listAudit({ subjectType: 'key-care', subjectId: id })).map((a) => [a.action, a.actor]),
    ).toEqual([
      ['added', 'literature-counsellor'],
      ['updated', 'literature-counsellor'],
      ['removed', 'literature-college-leader'],
    ]);
  });
});

describe('the intervention ledger', () => {
  test('When an entry and a follow-up are recorded, then the .xlsx export has appendix 4’s columns in order with the entry, and the export is audited', async () => {
    const counsellor = await login(fx.base, 'literature-psych-counsellor');
    const res = await json(counsellor, '/api/colleges/literature/ledger', 'POST', {
      studentNo: '2024550101',
      studentName: '林默',
      gender: '女',
      majorClass: '汉语言文学 2401',
      contact: '138 0000 0000',
      interviewAt: '2024-10-21T15:30:00+08:00',
      categories: ['interpersonal', 'academic'],
      lifeSafety: true,
      description: '宿舍矛盾后持续失眠，情绪低落',
      liaisonUserId: 'literature-counsellor',
      plan: '每周心理咨询一次；班主任每周谈话',
    });
    expect(res.status).toBe(201);
    const { id, seq } = (await res.json()) as { id: string; seq: number };
    expect(seq).toBe(1);
    const teacher = await login(fx.base, 'literature-class-teacher');
    // class teachers add follow-ups but do not keep the ledger itself
    expect(
      (await json(teacher, '/api/colleges/literature/ledger', 'POST', { studentNo: '2024550102', studentName: '甲' }))
        .status,
    ).toBe(403);
    expect(
      (
        await json(teacher, `/api/ledger/${id}/follow-ups`, 'POST', {
          text: '已在心理中心咨询两次，睡眠改善',
          counselling: true,
        })
      ).status,
    ).toBe(201);
    const badCat = await json(counsellor, `/api/ledger/${id}`, 'PATCH', { categories: ['interpersonal', 'gaming'] });
    expect([badCat.status, await errorOf(badCat)]).toEqual([
      400,
      'unknown problem category gaming (one of emotional, personality, interpersonal, adjustment, employment, academic, disorder, physical, other)',
    ]);
    const badLiaison = await json(counsellor, `/api/ledger/${id}`, 'PATCH', { liaisonUserId: 'science-counsellor' });
    expect([badLiaison.status, await errorOf(badLiaison)]).toEqual([
      400,
      'the liaison teacher science-counsellor is not an active member of this college',
    ]);

    const xlsx = await counsellor.fetch('/exports/ledger.xlsx?college=literature');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toContain(
      encodeURIComponent('文学院重点、高危学生心理干预台账.xlsx'),
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const values = (r: number) => (ws.getRow(r).values as unknown[]).slice(1).map((v) => (v == null ? '' : String(v)));
    // seed 003 appendix 4: ××学院重点、高危学生心理干预台账
    expect(values(1)).toEqual([
      '序号',
      '姓名',
      '性别',
      '专业班级',
      '联系方式',
      '约谈时间',
      '问题分类',
      '是否涉及生命安全',
      '主要情况描述',
      '对接老师',
      '干预计划',
      '跟踪情况、是否心理咨询或就医',
    ]);
    const row = values(2);
    expect(row.slice(0, 11)).toEqual([
      '1',
      '林默',
      '女',
      '汉语言文学 2401',
      '138 0000 0000',
      '2024-10-21 15:30',
      '人际交往问题、学业问题',
      '是',
      '宿舍矛盾后持续失眠，情绪低落',
      '文学院辅导员',
      '每周心理咨询一次；班主任每周谈话',
    ]);
    expect(row[11]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} 已在心理中心咨询两次，睡眠改善（心理咨询）$/);
    expect(ws.rowCount).toBe(2);

    const studentId = (await fx.knex('ledger_entries').where({ id }).first('student_id')).student_id as string;
    const reads = await fx.store.listAudit({ subjectType: 'student', subjectId: studentId });
    expect(reads.map((r) => [r.actor, (r.details as { in: string }).in])).toEqual([
      ['literature-psych-counsellor', 'ledger-export'],
    ]);
    expect(
      (await fx.store.listAudit({ subjectType: 'ledger-export', subjectId: 'literature' })).map((a) => [
        a.action,
        a.actor,
      ]),
    ).toEqual([['exported', 'literature-psych-counsellor']]);
    // another college's staff get nothing
    const other = await login(fx.base, 'science-counsellor');
    expect((await other.fetch('/exports/ledger.xlsx?college=literature')).status).toBe(403);
  });
});

describe('enrolment from a crisis case', () => {
  test('When a closed crisis case proposes the ledger and a pairing, then the student enters the key-care list and the ledger once, with one proposed pairing, however often the activity runs', async () => {
    const now = Date.now();
    await fx.knex('students').insert({
      id: 'crisis-stu',
      school_id: 'demo-school',
      college_id: 'science',
      student_no: '2024440001',
      name: '秦川',
      created_at: now,
    });
    await fx.knex('crisis_cases').insert({
      id: 'case-9',
      student_id: 'crisis-stu',
      college_id: 'science',
      situation: 'self_harm_risk',
      place: 'x',
      reported_by: 'science-counsellor',
      occurred_at: now,
      reported_at: now,
      status: 'handed_over',
      escalation_level: 0,
      updated_at: now,
    });
    const { recordCrisisEvent } = createCrisisActivities({ store: fx.store, knex: fx.knex });
    const event = {
      caseId: 'case-9',
      collegeId: 'science',
      step: 'ledger-proposed',
      action: 'ledger-and-pairing-proposed',
      at: now,
      actor: 'system',
      notify: 'college-leader' as const,
      details: { plan: '心理中心每周咨询；辅导员每周谈话；家长每周通话' },
    };
    expect((await recordCrisisEvent(event)).applied).toBe(true);
    expect((await recordCrisisEvent(event)).applied).toBe(false);
    const count = async (table: string) =>
      Number(
        (
          (await fx.knex(table).where({ student_id: 'crisis-stu' }).count({ n: '*' })) as Array<{ n: number | string }>
        )[0]!.n,
      );
    expect([await count('key_care_entries'), await count('ledger_entries'), await count('pairings')]).toEqual([
      1, 1, 1,
    ]);
    const kc = await fx
      .knex('key_care_entries')
      .where({ student_id: 'crisis-stu' })
      .first('reasons', 'source', 'source_id', 'plan');
    // the "five ones" plan becomes the one-student-one-plan and the ledger's 干预计划
    expect(kc).toEqual({
      reasons: JSON.stringify([{ kind: 'crisis', zh: '心理危机个案（有自伤自杀风险）' }]),
      source: 'crisis',
      source_id: 'case-9',
      plan: '心理中心每周咨询；辅导员每周谈话；家长每周通话',
    });
    expect((await fx.knex('ledger_entries').where({ student_id: 'crisis-stu' }).first('plan')).plan).toBe(
      '心理中心每周咨询；辅导员每周谈话；家长每周通话',
    );
    expect(
      await fx.knex('ledger_entries').where({ student_id: 'crisis-stu' }).first('life_safety', 'status'),
    ).toMatchObject({
      status: 'active',
    });
    expect(
      Boolean((await fx.knex('ledger_entries').where({ student_id: 'crisis-stu' }).first('life_safety')).life_safety),
    ).toBe(true);
    expect(await fx.knex('pairings').where({ student_id: 'crisis-stu' }).first('status', 'teacher_user_id')).toEqual({
      status: 'proposed',
      teacher_user_id: null,
    });
    // the college leader is told, without the student's name
    const inbox = (await fx.store.listNotifications('science-college-leader')).filter((n) => n.subjectId === 'case-9');
    expect(inbox.map((n) => n.kind)).toEqual(['crisis_ledger-and-pairing-proposed']);
    expect(JSON.stringify(inbox)).not.toContain('秦川');
  });
});

describe('logs', () => {
  test('When a database error holds a student’s name, then what the app logs of it keeps the code but not the name', async () => {
    // a second student with the same (school, number): the driver's message quotes the statement's values
    const err = await fx
      .knex('students')
      .insert([
        {
          id: 'dup-1',
          school_id: 'demo-school',
          college_id: 'literature',
          student_no: '2024000999',
          name: '欧阳清',
          created_at: 1,
        },
        {
          id: 'dup-2',
          school_id: 'demo-school',
          college_id: 'literature',
          student_no: '2024000999',
          name: '欧阳清',
          created_at: 1,
        },
      ])
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toContain('欧阳清'); // the raw message would leak it
    const logged = errorForLog(err);
    expect(logged).not.toContain('欧阳清');
    expect(logged).toMatch(/^Error: database error SQLITE_CONSTRAINT/);
    expect(errorForLog(new TypeError('x is undefined'))).toMatch(/^TypeError: x is undefined/);
  });
});

describe('local time on pages and exports', () => {
  test('When instants across four years are formatted in zones with and without summer time, then every one equals the calendar reading', () => {
    const wrong: string[] = [];
    for (const zone of ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/Berlin']) {
      for (let ms = Date.UTC(2023, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 97 * 60_000 + 7_000) {
        const want = DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
        if (formatLocal(ms, zone) !== want) wrong.push(`${zone} ${ms}: ${formatLocal(ms, zone)} ≠ ${want}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(formatLocal(Date.UTC(2024, 9, 21, 7, 30), 'Asia/Shanghai')).toBe('2024-10-21 15:30');
    expect(formatLocal(Date.UTC(2024, 11, 31, 16, 0), 'Asia/Shanghai')).toBe('2025-01-01 00:00');
  });
});

describe('the daily digest', () => {
  test('When care work is overdue in a college, then its leader’s digest counts it (no names) and the school’s digest names the college; a held interview no longer counts', async () => {
    const now = Date.UTC(2026, 10, 20, 0, 0);
    await fx.knex('students').insert([
      {
        id: 'dg-1',
        school_id: 'demo-school',
        college_id: 'literature',
        student_no: '2024220001',
        name: '钱多多',
        created_at: now,
      },
      {
        id: 'dg-2',
        school_id: 'demo-school',
        college_id: 'literature',
        student_no: '2024220002',
        name: '孙少少',
        created_at: now,
      },
    ]);
    await fx.knex('screening_batches').insert({
      id: 'dg-batch',
      school_id: 'demo-school',
      name: 'x.csv',
      imported_by: 'admin',
      imported_at: now - 9 * 86_400_000,
      rows: 2,
      sha256: 'dg',
    });
    await fx.knex('screening_warnings').insert([
      {
        id: 'dg-w1',
        batch_id: 'dg-batch',
        student_id: 'dg-1',
        college_id: 'literature',
        level: 'red',
        interview_due_at: now - 86_400_000,
        status: 'open',
        escalation_level: 1,
      },
      {
        id: 'dg-w2',
        batch_id: 'dg-batch',
        student_id: 'dg-2',
        college_id: 'literature',
        level: 'orange',
        interview_due_at: now - 86_400_000,
        status: 'interviewed',
        escalation_level: 1,
      },
    ]);
    await fx.knex('pairings').insert({
      id: 'dg-p',
      college_id: 'literature',
      student_id: 'dg-2',
      teacher_user_id: 'literature-class-teacher',
      status: 'active',
      source: 'manual',
      created_by: 'admin',
      created_at: now - 20 * 86_400_000,
      started_at: now - 20 * 86_400_000,
      escalation_level: 1,
    });
    const { sendDailyDigest } = createDigestActivities({ store: fx.store, knex: fx.knex });
    const result = await sendDailyDigest({ schoolId: 'demo-school', at: now });
    expect(result.inserted).toBeGreaterThan(0);
    const digest = async (user: string) =>
      (await fx.store.listNotifications(user)).filter((n) => n.kind === 'daily_digest');
    const [leader] = await digest('literature-college-leader');
    expect(leader!.title).toContain('心理访谈逾期 1 人，结对谈心逾期 1 人');
    // the science case of an earlier test is still open (handed over, not closed), its pairing only proposed
    expect((await digest('science-college-leader'))[0]!.title).toContain('待安排结对帮扶 1 人，危机个案未结案 1 件');
    const [school] = await digest('admin');
    expect(school!.body).toMatch(/· 文学院：逾期 0 项.*；心理访谈逾期 1 人，结对谈心逾期 1 人/);
    expect(JSON.stringify([leader, school])).not.toMatch(/钱多多|孙少少/);
    expect(await digest('literature-counsellor')).toEqual([]);
  });
});
