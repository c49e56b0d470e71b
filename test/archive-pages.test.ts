/**
 * The counselling centre's archive pages over HTTP: the data requests' register (record a request;
 * a refused form names every problem, keeps what was typed and stores nothing) and the retention
 * settings page (a bad value named and kept; a good one saved). Others are refused. The care page's
 * student cells link to the archive.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { staffUser } from './helpers/actors';
import { importWarningsOf } from './helpers/records';
import { login, webFixture, type Session, type WebFixture } from './helpers/web';

let fx: WebFixture;
let admin: Session;
const form = (s: Session, path: string, fields: Record<string, string>) =>
  s.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': s.csrf },
    body: new URLSearchParams({ ...fields, _csrf: s.csrf }).toString(),
  });
/** The register's form sent by the admin: a request received on 2026-12-01. */
const dataRequest = (studentNo: string, kind: string, request: string) =>
  form(admin, '/admin/data-requests', { studentNo, kind, receivedOn: '2026-12-01', request });

beforeAll(async () => {
  fx = await webFixture({}, { plan: false });
  const counsellor = staffUser('literature-counsellor', 'counsellor', 'literature');
  const now = Date.now() - 86_400_000;
  await importWarningsOf({ knex: fx.knex, store: fx.store, now }, counsellor, [
    { no: '2024880401', name: '页面学生', level: '橙色' },
  ]);
  admin = await login(fx.base, 'admin');
});
afterAll(async () => {
  await fx?.close();
});

describe('the data requests’ register page', () => {
  test('When the form has problems, then the page names them, keeps what was typed and stores nothing; a good form is recorded and listed', async () => {
    const bad = await dataRequest('2099999999', 'access', '申请查阅本人测评结果');
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toContain('no archive for student number &#34;2099999999&#34;');
    expect(page).toContain('申请查阅本人测评结果</textarea>');
    expect(await fx.knex('data_requests').count({ n: '*' })).toEqual([{ n: 0 }]);

    const good = await dataRequest('2024880401', 'correction', '申请更正联系电话');
    expect(good.status).toBe(303);
    const register = await (await admin.fetch('/admin/data-requests')).text();
    expect(register).toMatch(
      /<tr data-status="open">.*2024880401.*页面学生.*更正、补充.*2026-12-01.*申请更正联系电话.*2026-12-16/s,
    );
    const counsellor = await login(fx.base, 'literature-counsellor');
    expect((await counsellor.fetch('/admin/data-requests')).status).toBe(403);
  });
});

describe('links to the archive from the care pages', () => {
  test('When care staff open the care page, then the student cells link to the student’s archive, which opens', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const student = (await fx.knex('students').where({ student_no: '2024880401' }).first('id')) as { id: string };
    const care = await (await counsellor.fetch('/care?college=literature')).text();
    expect(care).toContain(`<a href="/archives/${student.id}" class="archive-link">页面学生</a>`);
    expect((await counsellor.fetch(`/archives/${student.id}`)).status).toBe(200);
  });
});

describe('the archive settings page', () => {
  test('When a retention is not a whole number, then the page names it and keeps it; a good one is saved and shown', async () => {
    const page = await (await admin.fetch('/admin/archive-settings')).text();
    expect(page).toContain('name="retentionDays" min="1" max="3650" required value="365"');
    const bad = await form(admin, '/admin/archive-settings', { retentionDays: '两年', dataRequestDays: '15' });
    expect(bad.status).toBe(400);
    const badPage = await bad.text();
    expect(badPage).toContain('retentionDays: a whole number of days');
    expect(badPage).toContain('value="两年"');
    expect((await form(admin, '/admin/archive-settings', { retentionDays: '730', dataRequestDays: '10' })).status).toBe(
      303,
    );
    const saved = await (await admin.fetch('/admin/archive-settings')).text();
    expect(saved).toContain('value="730"');
    expect(saved).toContain('name="dataRequestDays" min="1" max="30" required value="10"');
  });
});
