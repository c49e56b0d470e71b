/**
 * The class and dorm levels' pages over HTTP: the school admin imports the roster (a refused file
 * lists every problem and stores nothing), and the training per class is recorded by the college's
 * psychology counsellor and shown on the page of the training task.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, webFixture, type Session, type WebFixture } from './helpers/web';
import { ROSTER_CSV, seedReporters } from './helpers/units';

let fx: WebFixture;
let admin: Session;

beforeAll(async () => {
  fx = await webFixture();
  await seedReporters(fx.store);
  admin = await login(fx.base, 'admin');
});
afterAll(async () => {
  await fx?.close();
});

const upload = (s: Session, p: string, csv: string) => {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'roster.csv');
  return s.fetch(p, { method: 'POST', body: form });
};

describe('the roster page', () => {
  test('When a roster with errors is uploaded, then the page lists each problem by line and nothing is stored; a good one is imported', async () => {
    const bad = await upload(admin, '/admin/units/import', `${ROSTER_CSV}\n班级,X9,某班,物理学院,2024999,某某,,`);
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toContain('第 13 行: unknown college &#34;物理学院&#34;');
    expect(await fx.knex('units').count({ n: '*' })).toEqual([{ n: 0 }]);
    const good = await upload(admin, '/admin/units/import', ROSTER_CSV);
    expect([good.status, good.headers.get('location')]).toEqual([303, expect.stringMatching(/^\/admin\/units\?done=/)]);
    const list = await (await admin.fetch('/admin/units')).text();
    expect(list).toContain('汉语言2401班');
    const api = (await (await admin.fetch('/api/units')).json()) as {
      units: Array<{ code: string; students: number }>;
    };
    expect(api.units.map((u) => [u.code, u.students])).toEqual([
      ['HY2401', 3],
      ['HY2402', 1],
      ['D3-201', 2],
      ['SX2401', 1],
    ]);
  });

  test('When the psychology counsellor marks a class trained, then the training task page shows it, by whom and which class is left', async () => {
    const task = (await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'literature' })).find(
      (r) => r.templateTaskId === '2024-10-05-committee-member-training',
    )!;
    const psych = await login(fx.base, 'literature-psych-counsellor');
    const unit = (await fx.knex('units').where({ code: 'HY2401' }).first('id')) as { id: string };
    const q = `semester=${fx.semesterId}&college=literature`;
    const form = new URLSearchParams({ _csrf: psych.csrf, back: `/tasks/${task.id}` });
    const marked = await psych.fetch(`/units/training/${unit.id}?${q}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect([marked.status, marked.headers.get('location')]).toEqual([303, `/tasks/${task.id}`]);
    const page = await (await psych.fetch(`/tasks/${encodeURIComponent(task.id)}`)).text();
    const section = /<section class="card" id="class-training">([\s\S]*?)<\/section>/.exec(page)![1]!;
    expect(section).toMatch(/汉语言2401班：已培训（文学院心理辅导员，/);
    expect(section).toContain('汉语言2402班：未培训');
    // a counsellor of another college may not read it
    const sci = await login(fx.base, 'science-counsellor');
    expect((await sci.fetch(`/api/units/training?${q}`)).status).toBe(403);
  });
});
