/**
 * The printable archive (/archives/:studentId/print), the hand-over export as a page that the
 * browser prints or saves as a PDF: the .docx export's sections in the same order, the student's
 * data, the shipped font's stylesheet; exactly the export's permission (the college's care staff and
 * the counselling centre; another college's counsellor and the student roles 403) and its audit entry
 * ("exported", format print). The archive page links it next to the .docx.
 */
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { editArchive } from '../server/features/archive/use-cases';
import { importWarnings } from '../server/features/screening/use-cases';
import { sessionUser } from './helpers/actors';
import { seedReporters } from './helpers/units';
import { login, webFixture, type WebFixture } from './helpers/web';

const NO = '2024880501';
const NAME = '林打印';
let fx: WebFixture;
let studentId: string;

beforeAll(async () => {
  fx = await webFixture({}, { plan: false });
  await seedReporters(fx.store);
  const counsellor = sessionUser('literature-counsellor', 'counsellor', 'literature');
  const csv = `学号,姓名,学院,班级,预警等级\r\n${NO},${NAME},文学院,汉语言2401,红色`;
  const deps = { knex: fx.knex, store: fx.store, taskQueue: 'none', now: Date.now() - 86_400_000 };
  await importWarnings(deps, counsellor, Buffer.from(csv), 'w.csv');
  studentId = ((await fx.knex('students').where({ student_no: NO }).first('id')) as { id: string }).id;
  await editArchive(deps, counsellor, studentId, {
    phone: '13800001111',
    health: 'poor',
    healthNote: '入睡困难',
    parentsRelation: 'separated',
    familyContacts: '母亲 13900002222',
    lifeEvents: [{ date: '2023-06-07', text: '高考失利后复读一年' }],
    supportGiven: '每两周谈心一次',
  });
});
afterAll(async () => {
  await fx?.close();
});

const exports = async () =>
  (await fx.store.listAudit({ subjectType: 'archive', subjectId: studentId })).filter((a) => a.action === 'exported');

describe('the printable archive', () => {
  test('When the college’s counsellor opens it, then it shows the .docx export’s sections in the same order with the student’s data in the shipped font, and it is audited as an export', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    const archive = await (await counsellor.fetch(`/archives/${studentId}`)).text();
    expect(archive).toMatch(
      new RegExp(
        `id="export" href="/exports/archives/${studentId}.docx">[^<]+</a>\\s*<a class="button" id="print" href="/archives/${studentId}/print">打印版（可存为 PDF）</a>`,
      ),
    );
    const res = await counsellor.fetch(`/archives/${studentId}/print`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    expect(page).toContain('<link rel="stylesheet" href="/assets/archive-print.css">');
    expect(page).toContain('<article class="report archive-print" id="archive-print">');
    expect(page).toContain('data-print');
    for (const data of [
      NAME,
      NO,
      '文学院',
      '13800001111',
      '分居',
      '母亲 13900002222',
      '高考失利后复读一年',
      '红色预警（一级）',
      '每两周谈心一次',
    ])
      expect(page).toContain(data);
    // the health row: the choice and its description, once
    expect(page).toMatch(/<th scope="row">健康状况<\/th><td colspan="3">较差：入睡困难<\/td>/);
    const css = await fetch(`${fx.base}/assets/archive-print.css`);
    expect(css.status).toBe(200);
    expect(await css.text()).toMatch(/@page \{ size: A4;/);
    expect(await exports()).toEqual([
      expect.objectContaining({ actor: 'literature-counsellor', details: { format: 'print' } }),
    ]);

    // the same layout as the .docx: its section headings, in the same order
    const docx = await counsellor.fetch(`/exports/archives/${studentId}.docx`);
    expect(docx.status).toBe(200);
    const xml = await (
      await JSZip.loadAsync(Buffer.from(await docx.arrayBuffer()))
    )
      .file('word/document.xml')!
      .async('string');
    // the .docx's section headings (its Heading2 paragraphs) are the page's, in the same order
    const docxHeadings = [...xml.matchAll(/<w:p>(?:(?!<\/w:p>).)*?w:val="Heading2"(?:(?!<\/w:p>).)*?<\/w:p>/gs)].map(
      (p) => p[0].replace(/<[^>]+>/g, ''),
    );
    const headings = [...page.matchAll(/<section id="print-[a-zA-Z]+"><h2>([^<]+)<\/h2>/g)].map((m) => m[1]!);
    expect(headings).toHaveLength(7);
    expect(headings[0]).toBe('个人情况');
    expect(headings.at(-1)).toBe('心理帮扶情况');
    expect(docxHeadings).toEqual(headings);
    expect((await exports()).map((a) => a.details)).toEqual([{ format: 'print' }, { format: 'docx' }]);
  });

  test('When others ask for it, then the college’s class teacher and the counselling centre may print it; another college’s counsellor and the student roles are refused (403) and nothing is audited for them', async () => {
    const before = (await exports()).map((a) => a.actor);
    for (const user of ['literature-class-teacher', 'admin']) {
      const res = await (await login(fx.base, user)).fetch(`/archives/${studentId}/print`);
      expect(res.status, user).toBe(200);
    }
    for (const user of ['science-counsellor', 'lit-psych-member', 'lit-dorm-officer']) {
      const res = await (await login(fx.base, user)).fetch(`/archives/${studentId}/print`);
      expect(res.status, user).toBe(403);
    }
    expect((await exports()).map((a) => a.actor)).toEqual([...before, 'literature-class-teacher', 'admin']);
    const unknown = await (await login(fx.base, 'admin')).fetch('/archives/no-such-student/print');
    expect(unknown.status).toBe(404);
  });
});
