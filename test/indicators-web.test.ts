/**
 * The indicators over HTTP (test/helpers/web.ts): who may see them (the school admin every college, a
 * college leader their own college's row only, a counsellor nothing), the school's figures form (field-
 * named problems, nothing stored; a valid save is a version), the page showing the seed 004 norms beside
 * the school's values, and the CSV and xlsx exports.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, webFixture, type Session, type WebFixture } from './helpers/web';

let fx: WebFixture;
let admin: Session;
let leader: Session;
let counsellor: Session;
let colleges: string[];

const figures = () => ({
  school: { centreStaff: 2, courseHours: 32, courseCredits: 2 },
  colleges: Object.fromEntries(
    colleges.map((id) => [
      id,
      {
        freshmen: 1000,
        freshmenScreened: id === 'science' ? 600 : 1000,
        returning: 3000,
        returningScreened: 3000,
        staff: 0,
        courseHours: null,
        courseCredits: null,
      },
    ]),
  ),
});

beforeAll(async () => {
  fx = await webFixture();
  colleges = (await fx.store.listColleges('demo-school')).map((c) => c.id);
  [admin, leader, counsellor] = await Promise.all([
    login(fx.base, 'admin'),
    login(fx.base, 'literature-college-leader'),
    login(fx.base, 'literature-counsellor'),
  ]);
});
afterAll(async () => fx?.close());

const q = () => `semester=${encodeURIComponent(fx.semesterId)}`;
const postJson = (s: Session, p: string, body: unknown) =>
  s.fetch(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('who sees the indicators', () => {
  test('When a counsellor asks, then the page, the JSON, the exports and the form are refused', async () => {
    for (const p of [
      '/indicators',
      '/api/indicators',
      '/exports/indicators.csv',
      '/exports/indicators.xlsx',
      '/indicators/inputs',
    ]) {
      const res = await counsellor.fetch(`${p}?${q()}`);
      expect(res.status, p).toBe(403);
    }
    expect((await postJson(counsellor, `/api/indicators/inputs?${q()}`, figures())).status).toBe(403);
  });

  test('When a college leader asks, then only their college’s row comes back, with no school value and no other college', async () => {
    const res = await leader.fetch(`/api/indicators?${q()}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      school: boolean;
      indicators: Array<{ school: unknown; colleges: Array<{ collegeId: string }>; worst: unknown[] }>;
    };
    expect(body.school).toBe(false);
    for (const i of body.indicators) {
      expect(i.school).toBeNull();
      expect(i.colleges.map((c) => c.collegeId)).toEqual(['literature']);
      expect(i.worst).toEqual([]);
    }
    const html = await (await leader.fetch(`/indicators?${q()}`)).text();
    expect(html).toContain('文学院');
    expect(html).not.toContain('数学与统计学院');
    expect(html).not.toContain('/indicators/inputs');
  });

  test('When a college leader enters the figures, then it is refused', async () => {
    expect((await postJson(leader, `/api/indicators/inputs?${q()}`, figures())).status).toBe(403);
    expect((await leader.fetch(`/indicators/inputs?${q()}`)).status).toBe(403);
  });
});

describe("the school's figures and the page", () => {
  test('When the figures are wrong, then every problem is named by its field and nothing is stored', async () => {
    const bad = figures();
    bad.school.courseHours = -4;
    bad.colleges.science!.freshmenScreened = 1200;
    const res = await postJson(admin, `/api/indicators/inputs?${q()}`, bad);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain('school.courseHours: must not be negative');
    expect(error).toContain('colleges.science.freshmenScreened: must not exceed colleges.science.freshmen');

    // the form says it in the page's words, and keeps what was typed
    const form = new URLSearchParams({ _csrf: admin.csrf, 'school.centreStaff': 'x', 'school.courseHours': '32' });
    const page = await admin.fetch(`/indicators/inputs?${q()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('全校 · 心理中心专职教师（人）：必须是数字');
    expect(html).toContain('文学院 · 新生人数：必填');
    expect(html).toMatch(/name="school.courseHours"[^>]*value="32"/);

    const stored = (await (await admin.fetch(`/api/indicators/inputs?${q()}`)).json()) as {
      latest: unknown;
      versions: unknown[];
    };
    expect(stored).toMatchObject({ latest: null, versions: [] });
  });

  test('When valid figures are saved twice, then each is a version with who and when', async () => {
    const first = await postJson(admin, `/api/indicators/inputs?${q()}`, {
      ...figures(),
      school: { centreStaff: 1, courseHours: 30, courseCredits: 2 },
    });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ version: 1 });
    const second = await postJson(admin, `/api/indicators/inputs?${q()}`, figures());
    expect(await second.json()).toEqual({ version: 2 });
    const html = await (await admin.fetch(`/indicators/inputs?${q()}`)).text();
    expect(html).toContain('学生工作处管理员');
    expect(html).toMatch(/name="school.centreStaff"[^>]*value="2"/);
  });

  test('When the admin opens the page, then the seed 004 norms stand beside the school’s values with verdicts and the worst colleges', async () => {
    // two weeks of one literature class were due: one filed, one missed
    const week = (n: number, status: string, filedAt: number | null) => ({
      id: `${fx.semesterId}/lit-class-1/w${n}`,
      school_id: 'demo-school',
      college_id: 'literature',
      semester_id: fx.semesterId,
      unit_kind: 'class',
      unit_id: 'lit-class-1',
      week_no: n,
      open_at: Date.UTC(2024, 8, 2 + 7 * n), // weeks of September 2024, inside the demo semester
      due_at: Date.UTC(2024, 8, 6 + 7 * n, 10),
      status,
      filed_at: filedAt,
    });
    await fx.knex('unit_report_weeks').insert([week(1, 'filed', Date.UTC(2024, 8, 12, 9)), week(2, 'overdue', null)]);
    const res = await admin.fetch(`/indicators?${q()}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const card = (id: string) =>
      html.slice(html.indexOf(`id="ind-${id}"`), html.indexOf('</section>', html.indexOf(`id="ind-${id}"`)));
    // 2 full-time staff for 32,000 students: 1:16000 against 1:4000
    expect(card('staffing')).toContain('师生比不低于 1:4000，且全校至少 2 名专职教师');
    expect(card('staffing')).toContain('1:16000');
    expect(card('staffing')).toContain('data-verdict="not-met"');
    expect(card('course')).toContain('32–36 学时');
    expect(card('course')).toContain('data-verdict="met"');
    expect(card('freshmenScreening')).toMatch(/<li data-college="science">数学与统计学院：60%/);
    expect(card('classReports')).toContain('data-verdict="not-met"');
    expect(card('classReports')).toMatch(/<li data-college="literature">文学院：50%/);
    expect(html).toContain('第 2 版');
    const en = await (await admin.fetch(`/indicators?${q()}&lang=en`)).text();
    expect(en).toContain('at least 1 per 4,000 students, and at least 2 per school');
  });
});

describe('the exports', () => {
  test('When the admin downloads the CSV, then it has a row per indicator for the school and each college', async () => {
    const res = await admin.fetch(`/exports/indicators.csv?${q()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('mental-health-indicators_');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM, so Chinese Excel reads it
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe('指标,范围,标准,数值,完成数/配备数,应完成数/学生数,比例,结论,依据');
    expect(lines).toHaveLength(1 + 8 * (1 + colleges.length));
    expect(lines).toContainEqual(expect.stringMatching(/^专职心理健康教育教师配备,全校,.*,2,32000,,未达标,/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^新生心理普测覆盖率,数学与统计学院,.*,600,1000,60\.0%,未达标,/),
    );
  });

  test('When a college leader downloads the xlsx, then it holds their college’s rows only', async () => {
    const res = await leader.fetch(`/exports/indicators.xlsx?${q()}`);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const units = new Set<string>();
    ws.eachRow((row, n) => {
      if (n > 1) units.add(String(row.getCell(2).value));
    });
    expect([...units]).toEqual(['文学院']);
    expect(ws.rowCount).toBe(1 + 8);
  });
});
