/**
 * The student-care pages over real HTTP and a real read model (no Temporal: the key-care list,
 * the ledger, the care settings and the pages themselves; the pairing, interview and crisis
 * Updates are covered over the JSON API by the timeskip tests). Forms are posted as a browser
 * does: urlencoded, with the page's `_csrf` field, then the 303 back is followed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getCareSettings } from '../db/repositories/care';
import { DEFAULT_CARE_SETTINGS, LEDGER_COLUMNS } from '../domain/care';
import { login, webFixture, type Session, type WebFixture } from './helpers/web';

let fx: WebFixture;
/** "now" for the app: 15 Oct 2024, 12:00 in Shanghai */
const NOW = Date.UTC(2024, 9, 15, 4);

beforeAll(async () => {
  fx = await webFixture({ now: () => NOW });
  await fx.knex('students').insert({
    id: 'stu-w',
    school_id: 'demo-school',
    college_id: 'literature',
    student_no: 'W2024001',
    name: '赵预警',
    class_name: '汉语言1班',
    created_at: NOW,
  });
  await fx.knex('screening_batches').insert({
    id: 'batch-1',
    school_id: 'demo-school',
    name: 'b.csv',
    imported_by: 'admin',
    imported_at: NOW,
    rows: 1,
    sha256: 'x',
  });
  await fx.knex('screening_warnings').insert({
    id: 'warn-1',
    batch_id: 'batch-1',
    student_id: 'stu-w',
    college_id: 'literature',
    level: 'red',
    interview_due_at: NOW + 3 * 86_400_000,
    status: 'open',
    escalation_level: 0,
  });
  await fx.knex('crisis_cases').insert({
    id: 'case-1',
    student_id: 'stu-w',
    college_id: 'literature',
    situation: 'self_harm_risk',
    place: '图书馆',
    reported_by: 'literature-counsellor',
    occurred_at: NOW,
    reported_at: NOW,
    status: 'supervising',
    escalation_level: 0,
    updated_at: NOW,
  });
});
afterAll(async () => {
  await fx.close();
});

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

async function getPage(s: Session, path: string): Promise<string> {
  const res = await s.fetch(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

/** The page's CSRF field, as a browser would post it. */
function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  expect(m, 'the page has a CSRF field').not.toBeNull();
  return decode(m![1]!);
}

/** Posts a form (urlencoded; repeated fields for arrays) with the CSRF field only, no header. */
function postForm(
  s: Session,
  path: string,
  csrf: string,
  fields: Record<string, string | string[]>,
): Promise<Response> {
  const body = new URLSearchParams({ _csrf: csrf });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return s.fetch(path, {
    method: 'POST',
    csrf: false,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
}

/** Follows a 303 back and returns the page. */
async function followed(s: Session, res: Response): Promise<string> {
  expect(res.status).toBe(303);
  return getPage(s, res.headers.get('location')!.replace(/#.*$/, ''));
}

/** The cells of the ledger table's rows, by column key, in document order. */
function ledgerRows(page: string): Array<Array<[string, string]>> {
  const table = /<table id="ledger-table">([\s\S]*?)<\/table>/.exec(page)![1]!;
  return [...table.matchAll(/<tr data-id="[^"]+">([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td data-col="(\w+)">([\s\S]*?)<\/td>/g)].map((c) => [
      c[1]!,
      decode(
        c[2]!
          .replace(/<details>[\s\S]*<\/details>/, '')
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      ),
    ]),
  );
}

describe('GET /care and the key-care forms', () => {
  test('When a counsellor adds a student to the key-care list through the form, then the student appears on /care with the reasons and the plan', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const page = await getPage(counsellor, '/care');
    expect(page).toContain('文学院');
    expect(page).toContain('action="/care/key-care?college=literature"');
    // October's key-care groups first: the red screening warning group is October's second (index 1)
    const group = /value="(group:2024-10:1\|[^"]+)"/.exec(page);
    expect(group).not.toBeNull();
    const groupValue = decode(group![1]!);
    expect(groupValue).toContain('心理普测红色预警');
    expect(page.indexOf('group:2024-10:0|')).toBeLessThan(page.indexOf('group:2024-09:0|'));

    const res = await postForm(counsellor, '/care/key-care?college=literature', csrfOf(page), {
      studentNo: 'K2024001',
      studentName: '李关爱',
      className: '汉语言2班',
      reasons: [groupValue, '寝室矛盾'],
      plan: '每周谈心一次，联系家长',
    });
    expect(res.headers.get('location')).toBe('/care?college=literature&done=1#key-care');
    const after = await followed(counsellor, res);
    const table = /<table id="key-care-table">([\s\S]*?)<\/table>/.exec(after)![1]!;
    expect(table).toContain('李关爱');
    expect(table).toContain('K2024001 · 汉语言2班');
    expect(table).toContain(groupValue.split('|')[1]!);
    expect(table).toContain('寝室矛盾');
    expect(table).toContain('每周谈心一次，联系家长');
    expect(after).toContain('id="done"');

    const entry = await fx
      .knex('key_care_entries as k')
      .join('students as s', 's.id', 'k.student_id')
      .where('s.student_no', 'K2024001')
      .first('k.reasons', 'k.plan', 'k.student_id');
    expect(JSON.parse(entry.reasons)).toEqual([
      { kind: 'group', month: '2024-10', index: 1, zh: groupValue.split('|')[1] },
      { kind: 'other', zh: '寝室矛盾' },
    ]);
    // the page's read of the student is audited: one view per page load, whatever lists the student is on
    const views = async () =>
      (await fx.store.listAudit({ subjectType: 'student', subjectId: entry.student_id })).filter(
        (a) => a.action === 'viewed' && a.actor === 'literature-counsellor',
      );
    const before = await views();
    expect(before.length).toBeGreaterThan(0);
    expect((await counsellor.fetch('/care?college=literature')).status).toBe(200);
    const after2 = await views();
    expect(after2).toHaveLength(before.length + 1);
    expect(after2.at(-1)!.details).toEqual({ in: 'care-page' });
  });

  test('When the key-care form gives no reason, then the page shows the error and nothing is stored', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const csrf = csrfOf(await getPage(counsellor, '/care'));
    const noReason = { studentNo: 'K2024009', studentName: '钱无因', className: '', reasons: '', plan: '计划' };
    const res = await postForm(counsellor, '/care/key-care?college=literature', csrf, noReason);
    expect(res.headers.get('location')).toMatch(/^\/care\?college=literature&error=/);
    const page = await followed(counsellor, res);
    expect(page).toMatch(/<p class="error" id="error" role="alert">give at least one reason/);
    expect(await fx.knex('students').where({ student_no: 'K2024009' }).first()).toBeUndefined();
    expect(page).not.toContain('钱无因');
  });

  test('When the plan is edited by form and the college leader takes the student off with a reason, then the list follows; a counsellor may not take students off', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const leader = await login(fx.base, 'literature-college-leader');
    const id = (
      (await fx
        .knex('key_care_entries as k')
        .join('students as s', 's.id', 'k.student_id')
        .where('s.student_no', 'K2024001')
        .first('k.id')) as { id: string }
    ).id;
    const page = await getPage(counsellor, '/care');
    expect(page).not.toContain(`action="/care/key-care/${id}/remove"`);
    const edited = await followed(
      counsellor,
      await postForm(counsellor, `/care/key-care/${id}`, csrfOf(page), { plan: '每两周谈心一次' }),
    );
    expect(edited).toContain('每两周谈心一次');
    expect(
      (await postForm(counsellor, `/care/key-care/${id}/remove`, csrfOf(page), { reason: '情况好转' })).status,
    ).toBe(403);

    const leaderPage = await getPage(leader, '/care');
    expect(leaderPage).toContain(`action="/care/key-care/${id}/remove"`);
    const noReason = await followed(
      leader,
      await postForm(leader, `/care/key-care/${id}/remove`, csrfOf(leaderPage), { reason: '' }),
    );
    expect(noReason).toContain('reason is required');
    const removed = await followed(
      leader,
      await postForm(leader, `/care/key-care/${id}/remove`, csrfOf(leaderPage), { reason: '情况好转，经评估移出' }),
    );
    expect(/<table id="key-care-table">([\s\S]*?)<\/table>/.exec(removed)![1]).not.toContain('李关爱');
    expect(await fx.knex('key_care_entries').where({ id }).first('status', 'removed_reason')).toEqual({
      status: 'removed',
      removed_reason: '情况好转，经评估移出',
    });
  });

  test('When science staff open the literature care page, then it is 403; an unknown college is 404', async () => {
    const sci = await login(fx.base, 'science-counsellor');
    expect((await sci.fetch('/care?college=literature')).status).toBe(403);
    expect((await sci.fetch('/care?college=nowhere')).status).toBe(404);
    const own = await getPage(sci, '/care');
    expect(own).toContain('数学与统计学院');
    expect(own).not.toContain('赵预警');
  });

  test('When the school admin opens the care page, then a college is picked from a select', async () => {
    const admin = await login(fx.base, 'admin');
    const page = await getPage(admin, '/care?college=literature');
    expect(page).toMatch(/<select name="college"><option value="literature" selected>文学院<\/option>/);
    expect(page).toContain('name="overrideReason"');
  });
});

describe('the intervention ledger forms', () => {
  test('When a ledger entry is added by form, then it appears in the table in appendix 4’s column order, with its follow-up', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const page = await getPage(counsellor, '/care');
    expect(page).toContain('href="/exports/ledger.xlsx?college=literature"');
    expect(page).toContain('href="/exports/ledger.csv?college=literature"');
    const res = await postForm(counsellor, '/care/ledger?college=literature', csrfOf(page), {
      studentNo: 'L2024002',
      studentName: '王台账',
      className: '汉语言3班',
      gender: '女',
      majorClass: '汉语言文学2023级3班',
      contact: '13800000000',
      interviewAt: '2024-10-14T09:30',
      categories: ['emotional', 'academic'],
      lifeSafety: '1',
      description: '情绪低落两周',
      liaisonUserId: 'literature-psych-counsellor',
      plan: '每周心理辅导',
    });
    expect(res.headers.get('location')).toBe('/care?college=literature&done=1#ledger');
    const after = await followed(counsellor, res);
    const headers = [
      .../<table id="ledger-table"><thead><tr>([\s\S]*?)<\/tr>/.exec(after)![1]!.matchAll(/<th>(.*?)<\/th>/g),
    ].map((x) => x[1]);
    expect(headers).toEqual(LEDGER_COLUMNS.map((c) => c.zh));
    const [row] = ledgerRows(after);
    expect(row!.map(([k]) => k)).toEqual(LEDGER_COLUMNS.map((c) => c.key));
    expect(Object.fromEntries(row!)).toEqual({
      seq: '1',
      name: '王台账 L2024002',
      gender: '女',
      majorClass: '汉语言文学2023级3班',
      contact: '13800000000',
      interviewAt: '2024-10-14 09:30',
      categories: '情感问题、学业问题',
      lifeSafety: '是',
      description: '情绪低落两周',
      liaison: '文学院心理辅导员',
      plan: '每周心理辅导',
      followUp: '',
    });

    const id = /<table id="ledger-table">[\s\S]*?<tr data-id="([^"]+)">/.exec(after)![1]!;
    const teacher = await login(fx.base, 'literature-class-teacher');
    const teacherPage = await getPage(teacher, '/care');
    expect(teacherPage).not.toContain('id="add-ledger"'); // class teachers read the ledger and add follow-ups
    const withFollowUp = await followed(
      teacher,
      await postForm(teacher, `/care/ledger/${id}/follow-ups`, csrfOf(teacherPage), {
        text: '已转介心理中心',
        counselling: '1',
      }),
    );
    expect(Object.fromEntries(ledgerRows(withFollowUp)[0]!).followUp).toBe(
      '2024-10-15 12:00 已转介心理中心（心理咨询） 文学院班主任',
    );
  });

  test('When the ledger form names an unknown problem category, then the error is shown and nothing is stored', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const csrf = csrfOf(await getPage(counsellor, '/care'));
    const page = await followed(
      counsellor,
      await postForm(counsellor, '/care/ledger?college=literature', csrf, {
        studentNo: 'L2024003',
        studentName: '孙分类',
        categories: 'gaming',
      }),
    );
    expect(page).toContain('unknown problem category gaming');
    expect(await fx.knex('students').where({ student_no: 'L2024003' }).first()).toBeUndefined();
  });
});

describe('GET /screening/warnings/:id', () => {
  test('When the literature counsellor opens a warning, then the interview page shows the student and the five steps; science staff get 403', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const page = await getPage(counsellor, '/screening/warnings/warn-1');
    expect(page).toContain('赵预警');
    const steps = [...page.matchAll(/<textarea id="step-\w+" name="(\w+)"/g)].map((x) => x[1]);
    expect(steps).toEqual(['rapport', 'emotions', 'socialFunctioning', 'coping', 'riskOfExtremeThoughts']);
    for (const name of [
      '第一步 建立师生关系、生理状况与适应情况',
      '第二步 评估情绪',
      '第三步 评估社会功能',
      '第四步 评估应对方式',
      '第五步 危险性评估',
    ])
      expect(page).toContain(name);
    for (const a of ['正常', '轻微心理困扰', '严重心理困扰', '特别严重', '高危人群']) expect(page).toContain(a);
    expect(page).toContain('name="needsCounselling" value="yes"');
    expect(page).toContain('name="needsCrisisIntervention" value="no"');
    const audit = await fx.store.listAudit({ subjectType: 'student', subjectId: 'stu-w' });
    expect(
      audit.some(
        (a) => a.actor === 'literature-counsellor' && JSON.stringify(a.details).includes('screening-warning:warn-1'),
      ),
    ).toBe(true);

    for (const who of ['science-counsellor', 'science-college-leader']) {
      const other = await login(fx.base, who);
      expect((await other.fetch('/screening/warnings/warn-1')).status, who).toBe(403);
    }
    const admin = await getPage(await login(fx.base, 'admin'), '/screening/warnings/warn-1');
    expect(admin).not.toContain('id="interview"'); // the counselling centre reads; the college records
  });

  test('When the interview form misses a step, then it comes back with the reason as written', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const csrf = csrfOf(await getPage(counsellor, '/screening/warnings/warn-1'));
    const res = await postForm(counsellor, '/screening/warnings/warn-1/interview', csrf, {
      rapport: '已建立关系',
      emotions: '情绪低落',
      assessment: 'mild',
      needsCounselling: 'yes',
      needsCrisisIntervention: 'no',
    });
    const page = await followed(counsellor, res);
    expect(page).toContain('socialFunctioning (第三步 评估社会功能) is missing');
  });
});

describe('crisis report and case forms', () => {
  test('When care staff open the report form, then it asks for the student, the situation, the place and the time; the admin also picks the college', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const page = await getPage(counsellor, '/crises/new');
    for (const x of [
      'name="studentNo"',
      'name="studentName"',
      'value="injury"',
      'value="danger_to_others"',
      'value="self_harm_risk"',
      'name="place"',
      'type="datetime-local" name="occurredAt"',
      'value="2024-10-15T12:00"',
    ])
      expect(page).toContain(x);
    expect(page).not.toContain('name="collegeId"');
    expect(await getPage(await login(fx.base, 'admin'), '/crises/new')).toContain('name="collegeId"');
    // a problem comes back on the form itself, in Chinese, with what was entered (issue 14)
    const noPlace = { studentNo: 'C1', studentName: '周', situation: 'injury', place: '' };
    const bad = await postForm(counsellor, '/crises', csrfOf(page), { ...noPlace, occurredAt: '2024-10-15T11:00' });
    expect(bad.status).toBe(400);
    const again = await bad.text();
    expect(again).toContain('请填写地点。');
    expect(again).toContain('<option value="injury" selected>');
  });

  test('When the case page is opened, then each step has its form and the deadlines come from the case’s durations', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const page = await getPage(counsellor, '/crises/case-1');
    for (const step of ['on-scene', 'school-notified', 'action', 'guardian', 'check-in', 'hand-over', 'five-ones'])
      expect(page).toContain(`action="/crises/case-1/${step}"`);
    for (const d of ['counselling-centre', 'security-office', 'clinic'])
      expect(page).toContain(`name="departments" value="${d}"`);
    expect(page).toContain('到场确认截止：2024-10-15 12:30'); // the default 30 minutes (no stored durations)
    expect(page).toContain('通知学校部门截止：2024-10-15 13:00');
    expect(page).toContain('特别监护（24 小时）结束：2024-10-16 12:00');
    expect((await postForm(counsellor, '/crises/case-1/nonsense', csrfOf(page), {})).status).toBe(404);
    expect((await (await login(fx.base, 'science-counsellor')).fetch('/crises/case-1')).status).toBe(403);
  });
});

describe('GET/POST /admin/care-settings', () => {
  const form = (over: Record<string, string> = {}) => ({
    ...Object.fromEntries(
      Object.entries(DEFAULT_CARE_SETTINGS).flatMap(([section, values]) =>
        Object.entries(values).map(([k, v]) => [`${section}.${k}`, String(v)]),
      ),
    ),
    ...over,
  });

  test('When the admin submits an out-of-bounds value, then the form comes back naming the field and nothing is saved; a valid one is saved and audited', async () => {
    const admin = await login(fx.base, 'admin');
    const page = await getPage(admin, '/admin/care-settings');
    for (const name of Object.keys(form())) expect(page).toContain(`name="${name}"`);
    expect(page).toContain('默认 30 分钟，范围 5–240');

    const bad = await postForm(
      admin,
      '/admin/care-settings',
      csrfOf(page),
      form({ 'crisis.onSceneAckMinutes': '999' }),
    );
    expect(bad.status).toBe(400);
    const shown = await bad.text();
    expect(shown).toContain('上报后到场确认时限（crisis.onSceneAckMinutes）');
    expect(shown).toContain('value="999"');
    expect(await getCareSettings(fx.knex, 'demo-school')).toEqual(DEFAULT_CARE_SETTINGS);

    const ok = await postForm(
      admin,
      '/admin/care-settings',
      csrfOf(page),
      form({ 'crisis.onSceneAckMinutes': '45', 'pairing.maxStudentsPerTeacher': '6' }),
    );
    expect([ok.status, ok.headers.get('location')]).toEqual([303, '/admin/care-settings?done=1']);
    const saved = await getCareSettings(fx.knex, 'demo-school');
    expect(saved.crisis.onSceneAckMinutes).toBe(45);
    expect(saved.pairing.maxStudentsPerTeacher).toBe(6);
    expect(await getPage(admin, '/admin/care-settings?done=1')).toContain('value="45"');
    const audit = await fx.store.listAudit({ subjectType: 'care-settings', subjectId: 'demo-school' });
    expect(audit.map((a) => [a.action, a.actor])).toContainEqual(['changed', 'admin']);
  });

  test('When staff open the care settings, then it is 403; the navigation links them only for the admin', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    expect((await counsellor.fetch('/admin/care-settings')).status).toBe(403);
    const staffPage = await getPage(counsellor, '/care');
    expect(staffPage).toContain('<a href="/care">关爱工作</a>');
    expect(staffPage).not.toContain('href="/admin/care-settings"');
    expect(await getPage(await login(fx.base, 'admin'), '/care')).toContain(
      '<a href="/admin/care-settings">关爱时限设置</a>',
    );
  });
});
