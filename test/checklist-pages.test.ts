/**
 * The checklist pages for the school admin (issue 12 part 3): the web editor edits, adds, reorders
 * and retires tasks with the due rule picked from a select, every save is a new template version and
 * the running semester keeps the version it started with; a save from an older version is refused;
 * a form with mistakes names them and stores nothing; the xlsx upload stores a new version or lists
 * every problem; a counsellor is refused.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseTemplate } from '../domain/load';
import type { Template } from '../domain/schema';
import { login, webFixture, type Session, type WebFixture } from './helpers/web';

let fx: WebFixture;
let admin: Session;
beforeAll(async () => {
  fx = await webFixture(); // web-2024-autumn is running on runxin-2024-autumn's stored version
  admin = await login(fx.base, 'admin');
});
afterAll(async () => {
  await fx?.close();
});

const ID = 'runxin-2024-autumn';
async function latest(): Promise<Template> {
  const row = (await fx.store.getTemplate(ID))!;
  return parseTemplate('t', row.body);
}
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
/** the edit form's fields as the page shows them for a task (what a browser would send) */
async function fieldsOf(path: string): Promise<Record<string, string>> {
  const page = await (await admin.fetch(path)).text();
  const out: Record<string, string> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = m[2]!;
  for (const m of page.matchAll(/<input name="([^"]+)" id="[^"]+"(?: inputmode="numeric")? value="([^"]*)">/g))
    out[m[1]!] = m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  for (const m of page.matchAll(/<textarea name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) out[m[1]!] = m[2]!;
  for (const m of page.matchAll(/<select name="([^"]+)"[^>]*>(.*?)<\/select>/gs)) {
    const sel = /<option value="([^"]*)" selected>/.exec(m[2]!);
    out[m[1]!] = sel ? sel[1]! : (/<option value="([^"]*)"/.exec(m[2]!)?.[1] ?? '');
  }
  for (const m of page.matchAll(/<input type="checkbox" name="([^"]+)" id="[^"]+" checked>/g)) out[m[1]!] = 'on';
  delete out._csrf;
  return out;
}

describe('web editor', () => {
  test('When the admin edits a task’s due rule from the select, adds a task, moves one and retires one, then each save is a new version and the running semester keeps its own', async () => {
    const start = await latest();
    const semesterBefore = await fx.store.getSemester(fx.semesterId);
    expect(semesterBefore?.templateVersion).toBe(start.version);
    const list = await (await admin.fetch(`/admin/checklists/${ID}/edit`)).text();
    expect(list).toContain('<td>节前最后一个工作日:中秋节、国庆节</td>');
    expect(list).toContain(`使用此清单的学期：${fx.semesterId}（v${start.version}）`);

    // edit: the dorm visits are due by the 20th of September, opening within 10 days of the start
    const task = '2024-09-02-dorm-visits';
    const fields = await fieldsOf(`/admin/checklists/${ID}/tasks/${task}/edit`);
    expect(fields).toMatchObject({
      when: 'm9',
      rule: 'month-last',
      ownerRole: 'counsellor',
      noteRequired: 'on',
      base: String(start.version),
    });
    const saved = await admin.fetch(
      `/admin/checklists/${ID}/tasks/${task}/edit`,
      form({ ...fields, rule: 'month-day', dueDay: '20', withinDays: '10' }),
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/admin/checklists/${ID}/edit?saved=v${start.version + 1}`);
    const v1 = await latest();
    expect(v1.version).toBe(start.version + 1);
    expect(v1.tasks.find((x) => x.id === task)!.due).toEqual({
      type: 'in-month',
      dueDay: 20,
      withinDaysOfSemesterStart: 10,
    });
    expect(v1.tasks.filter((x) => x.id !== task)).toEqual(start.tasks.filter((x) => x.id !== task));

    // add: a week-3 task before Mid-Autumn / National Day is not what we want; a week-3 class meeting by Wednesday
    const blank = await fieldsOf(`/admin/checklists/${ID}/tasks/new/edit`);
    const added = await admin.fetch(
      `/admin/checklists/${ID}/tasks/new/edit`,
      form({
        ...blank,
        when: 'w3',
        titleZh: '召开主题班会',
        ownerRole: 'class_teacher',
        rule: 'week-day',
        weekday: '3',
      }),
    );
    expect(added.status).toBe(303);
    const v2 = await latest();
    expect(v2.tasks.at(-1)).toMatchObject({
      id: 'w3-32',
      week: 3,
      title: { zh: '召开主题班会', en: '召开主题班会' },
      ownerRole: 'class_teacher',
      due: { type: 'in-week', dueDay: 3 },
    });

    // a before-holiday rule with its missing-holiday choices, all from selects and checkboxes
    const reminder = '2024-12-05-holiday-safety-reminder';
    const rf = await fieldsOf(`/admin/checklists/${ID}/tasks/${reminder}/edit`);
    expect(rf).toMatchObject({
      rule: 'before-holiday',
      'holiday-christmas': 'on',
      'holiday-new-year': 'on',
      'ifMissing-christmas': 'skip',
    });
    expect(
      (
        await admin.fetch(
          `/admin/checklists/${ID}/tasks/${reminder}/edit`,
          form({ ...rf, 'holiday-mid-autumn': 'on', 'ifMissing-mid-autumn': 'merge-into:national-day' }),
        )
      ).status,
    ).toBe(303);
    expect((await latest()).tasks.find((x) => x.id === reminder)!.due).toEqual({
      type: 'before-holiday',
      holidays: ['christmas', 'new-year', 'mid-autumn'],
      opensDaysBefore: 7,
      ifMissing: { christmas: 'skip', 'mid-autumn': 'merge-into:national-day' },
    });

    // reorder and retire
    const v3 = await latest();
    const second = v3.tasks[1]!.id;
    expect(
      (await admin.fetch(`/admin/checklists/${ID}/tasks/${second}/up`, form({ base: String(v3.version) }))).status,
    ).toBe(303);
    const v4 = await latest();
    expect(v4.tasks.slice(0, 2).map((x) => x.id)).toEqual([second, v3.tasks[0]!.id]);
    expect(
      (
        await admin.fetch(
          `/admin/checklists/${ID}/tasks/2024-11-06-screen-high-achievers/retire`,
          form({ base: String(v4.version) }),
        )
      ).status,
    ).toBe(303);
    const v5 = await latest();
    expect(v5.version).toBe(start.version + 5);
    expect(v5.tasks.map((x) => x.id)).not.toContain('2024-11-06-screen-high-achievers');
    expect(v5.tasks).toHaveLength(v4.tasks.length - 1);

    // every version is kept; the running semester still plans from the one it started with
    for (let v = start.version; v <= v5.version; v += 1) expect(await fx.store.getTemplate(ID, v)).toBeTruthy();
    expect(await fx.store.getSemester(fx.semesterId)).toEqual(semesterBefore);
    const plan = (await (await admin.fetch(`/api/semesters/${fx.semesterId}/plan`)).json()) as {
      months: Array<{ tasks: Array<{ templateTaskId: string }> }>;
    };
    expect(
      plan.months.flatMap((m) => m.tasks).some((x) => x.templateTaskId === '2024-11-06-screen-high-achievers'),
    ).toBe(true);

    // a save from an older version is refused, nothing stored
    const stale = await admin.fetch(`/admin/checklists/${ID}/tasks/${second}/down`, {
      ...form({ base: String(start.version) }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    expect(stale.status).toBe(409);
    expect((await latest()).version).toBe(v5.version);
  });

  test('When the admin moves a month’s key-care groups to another month and edits a line, then that is a new version; a month already listed is refused', async () => {
    const before = await latest();
    const sept = before.months.find((m) => m.month === 9)!;
    const lines = sept.keyCareGroups.map((g) => g.zh);
    const res = await admin.fetch(
      `/admin/checklists/${ID}/months/9/edit`,
      form({
        base: String(before.version),
        month: '2',
        groups: [...lines.slice(0, 2), '寒假返校后情绪波动的学生'].join('\r\n'),
      }),
    );
    expect(res.status).toBe(303);
    const after = await latest();
    expect(after.version).toBe(before.version + 1);
    expect(after.months.map((m) => m.month)).toEqual(before.months.map((m) => (m.month === 9 ? 2 : m.month)));
    expect(after.months.find((m) => m.month === 2)!.keyCareGroups).toEqual([
      ...sept.keyCareGroups.slice(0, 2),
      { zh: '寒假返校后情绪波动的学生', en: '寒假返校后情绪波动的学生' },
    ]);
    const clash = await admin.fetch(
      `/admin/checklists/${ID}/months/2/edit`,
      form({ base: String(after.version), month: '10', groups: 'x' }),
    );
    expect(clash.status).toBe(400);
    expect(await clash.text()).toContain('<li>10月已有重点关爱人群，请直接编辑那个月</li>');
    expect((await latest()).version).toBe(after.version);
  });

  test('When the form has mistakes, then the page names each and keeps the values, and nothing is stored', async () => {
    const before = await latest();
    const res = await admin.fetch(
      `/admin/checklists/${ID}/tasks/new/edit`,
      form({
        base: String(before.version),
        when: '',
        titleZh: '',
        ownerRole: 'counsellor',
        kind: 'once',
        rule: 'month-day',
        dueDay: '40',
        minFiles: '0',
        textZh: '留着的说明',
      }),
    );
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('<li>“当月第几天” 应为 1 到 31 的整数</li>');
    expect(page).toContain('<li>按月的截止规则需要选择月份</li>');
    expect(page).toContain('<li>“任务内容(标题)” 不能为空</li>');
    expect(page).toContain('>留着的说明</textarea>');
    expect((await latest()).version).toBe(before.version);
  });

  test('When the admin copies a checklist under a new id, then it is that id’s version 1 with the same tasks; a bad or taken id is refused', async () => {
    const src = await latest();
    const json = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const bad = await admin.fetch(`/admin/checklists/${ID}/copy`, {
      ...form({ base: String(src.version), newId: 'Spring!', titleZh: '' }),
      headers: json,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe(
      '新清单标识只能用小写字母、数字和短横线（2 到 63 个字符）；新清单名称不能为空',
    );
    const ok = await admin.fetch(
      `/admin/checklists/${ID}/copy`,
      form({ base: String(src.version), newId: 'runxin-spring', titleZh: '春季学期清单' }),
    );
    expect(ok.headers.get('location')).toBe('/admin/checklists/runxin-spring/edit?saved=v1');
    const copy = parseTemplate('c', (await fx.store.getTemplate('runxin-spring'))!.body);
    expect(copy).toMatchObject({ id: 'runxin-spring', version: 1, title: { zh: '春季学期清单' } });
    expect(copy.tasks).toEqual(src.tasks);
    const taken = await admin.fetch(`/admin/checklists/${ID}/copy`, {
      ...form({ base: String(src.version), newId: 'runxin-spring', titleZh: 'x' }),
      headers: json,
    });
    expect(((await taken.json()) as { error: string }).error).toBe('清单 runxin-spring 已存在');
  });

  test('When a counsellor opens the editor, then it is refused', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    expect((await counsellor.fetch(`/admin/checklists/${ID}/edit`)).status).toBe(403);
    expect(
      (await counsellor.fetch(`/admin/checklists/${ID}/tasks/2024-09-02-dorm-visits/retire`, form({ base: '1' })))
        .status,
    ).toBe(403);
  });
});

describe('xlsx on the web', () => {
  test('When the admin downloads the checklist and uploads it, then it is a new version; a workbook with mistakes lists every one and stores nothing', async () => {
    const before = await latest();
    const dl = await admin.fetch(`/admin/checklists/${ID}/v${before.version}.xlsx`);
    expect(dl.status).toBe(200);
    const xlsx = Buffer.from(await dl.arrayBuffer());
    const up = new FormData();
    up.append('file', new Blob([xlsx]), 'c.xlsx');
    const ok = await admin.fetch('/admin/checklists/import', { method: 'POST', body: up });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(
      `/admin/checklists?done=${encodeURIComponent(`${ID} v${before.version + 1}`)}`,
    );
    expect({ ...(await latest()), version: before.version }).toEqual(before);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
    wb.getWorksheet('任务清单')!.getRow(5).getCell(9).value = '节前:端午';
    wb.getWorksheet('任务清单')!.getRow(6).getCell(8).value = '';
    const bad = new FormData();
    bad.append('file', new Blob([Buffer.from(await wb.xlsx.writeBuffer())]), 'bad.xlsx');
    const refused = await admin.fetch('/admin/checklists/import', { method: 'POST', body: bad });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('<li>第 5 行 “截止规则” 列: 无法识别 “节前:端午”');
    expect(page).toContain('<li>第 6 行 “负责角色” 列: 不能为空');
    expect((await latest()).version).toBe(before.version + 1);
  });
});
