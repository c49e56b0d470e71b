/**
 * Checklists as xlsx (issue 12 part 3): the stored 2024 checklist exported and imported back is the
 * same template; a workbook with mistakes gets every problem by row and column in Chinese and
 * nothing stored; a file that is not a workbook, too large or without the header is refused clearly;
 * the CLI exports a stored version and imports a file as a new version.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore, type Store } from '../db/store';
import { ChecklistXlsxError, checklistFromXlsx, checklistToXlsx, TASK_COLUMNS } from '../domain/checklist-xlsx';
import { loadTemplateFile } from '../domain/load';
import { exportChecklist, importChecklist } from '../server/features/checklists/use-cases/xlsx';
import { registerDataFiles } from '../server/features/semesters/use-cases/setup';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);
const template2024 = loadTemplateFile(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data;

let dir: string;
let db: Knex;
let store: Store;
let dbFile: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-xlsx-'));
  dbFile = path.join(dir, 'app.sqlite');
  db = createKnex({ sqliteFile: dbFile });
  await migrateLatest(db);
  store = createStore(db);
  await registerDataFiles(store, {
    templateFile: path.join(ROOT, 'checklists', 'runxin-2024-autumn.json'),
    calendarFile: path.join(ROOT, 'calendars', '2024-autumn.json'),
  });
});
afterAll(async () => {
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** the workbook with `edit` applied to its task sheet */
async function edited(edit: (ws: ExcelJS.Worksheet, col: (name: string) => number) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await checklistToXlsx(template2024)) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('任务清单')!;
  const col = (name: string) => TASK_COLUMNS.indexOf(name as (typeof TASK_COLUMNS)[number]) + 1;
  edit(ws, col);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChecklistXlsxError);
  return (e as ChecklistXlsxError).problems;
}

describe('xlsx round trip', () => {
  test('When the stored 2024 checklist is exported and imported back, then the parsed template is the same, field for field', async () => {
    const { template, xlsx } = await exportChecklist(store, 'runxin-2024-autumn', template2024.version);
    const back = await checklistFromXlsx(xlsx);
    expect(back).toEqual(template);
    expect(back).toEqual(template2024);
    // what a staff member sees: Chinese headers and words, not codes
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('任务清单')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...TASK_COLUMNS]);
    const row9 = ws.getRow(9); // 2024-09-08: the holiday reminder
    expect(row9.getCell(1).value).toBe('9月');
    expect(row9.getCell(8).value).toBe('辅导员');
    expect(row9.getCell(9).value).toBe('节前最后一个工作日:中秋节、国庆节');
    expect(row9.getCell(11).value).toBe('中秋节:并入国庆节');
    expect(ws.getRow(2).getCell(9).value).toBe('当月最后一个工作日，且开学后14天内');
    expect(wb.getWorksheet('每月重点关爱人群')!.getRow(2).getCell(1).value).toBe('9月');
  });

  test('When a workbook edits rules, reminders, evidence and weeks in words, then the template reads them', async () => {
    const xlsx = await edited((ws, col) => {
      const r = ws.getRow(3);
      r.getCell(col('月份或周次')).value = '第3周';
      r.getCell(col('截止规则')).value = '当周周三前';
      r.getCell(col('提醒')).value = '提前2天, 提前4小时';
      r.getCell(col('升级')).value = '逾期1天后上报学校';
      r.getCell(col('佐证要求')).value = '须填写说明；至少2个文件；文件类型：图片';
      const r2 = ws.getRow(4);
      r2.getCell(col('截止规则')).value = '当月第15天前';
      const r3 = ws.addRow([]);
      r3.getCell(col('月份或周次')).value = '12月';
      r3.getCell(col('任务内容(标题)')).value = '新增任务';
      r3.getCell(col('负责角色')).value = '班主任';
      r3.getCell(col('截止规则')).value = '考试周后第一个工作日';
      r3.getCell(col('提前开放天数')).value = 3;
    });
    const t = await checklistFromXlsx(xlsx);
    const x = t.tasks[1]!;
    expect(x).toMatchObject({
      week: 3,
      due: { type: 'in-week', dueDay: 3 },
      ladder: { remindBefore: ['P2D', 'PT4H'], level2After: 'P1D' },
      evidence: { note: 'required', minFiles: 2, accept: ['image'] },
    });
    expect(x.month).toBeUndefined();
    expect(t.tasks[2]!.due).toEqual({ type: 'in-month', dueDay: 15 });
    expect(t.tasks.at(-1)).toMatchObject({
      id: 'm12-32',
      month: 12,
      kind: 'once',
      ownerRole: 'class_teacher',
      title: { zh: '新增任务', en: '新增任务' },
      due: { type: 'after-exam-weeks', opensDaysBefore: 3 },
    });
  });
});

describe('xlsx errors', () => {
  test('When a workbook has mistakes in several rows and columns, then every one is named by row and column in Chinese, and nothing is stored', async () => {
    const xlsx = await edited((ws, col) => {
      ws.getRow(5).getCell(col('截止规则')).value = '节前:端午';
      ws.getRow(6).getCell(col('负责角色')).value = '校长';
      ws.getRow(7).getCell(col('月份或周次')).value = '13月';
      ws.getRow(8).getCell(col('提醒')).value = '三天前';
      ws.getRow(9).getCell(col('缺少节日时')).value = '中秋节:合并';
      ws.getRow(10).getCell(col('任务标识')).value = '2024-09-01-kickoff-meeting';
      ws.getRow(11).getCell(col('佐证要求')).value = '须盖章';
    });
    const before = await db('templates').count({ n: '*' }).first();
    const problems = await problemsOf(importChecklist(store, xlsx));
    expect(problems).toEqual([
      '第 5 行 “截止规则” 列: 无法识别 “节前:端午”（写法见 “填写说明” 表，如 当月最后一个工作日、节前最后一个工作日:国庆节、每周、考试周）',
      '第 6 行 “负责角色” 列: 无法识别 “校长”（可选: 学院领导、心理辅导员、辅导员、班主任）',
      '第 7 行 “月份或周次” 列: 无法识别 “13月”（写法如 9月 或 第3周）',
      '第 8 行 “提醒” 列: 无法识别 “三天前”（写法如 提前3天,提前1天，或 不提醒）',
      '第 9 行 “缺少节日时” 列: 无法识别 “中秋节:合并”（写法如 中秋节:并入国庆节 或 圣诞节:跳过）',
      '第 10 行 “任务标识” 列: “2024-09-01-kickoff-meeting” 重复（第 2 行也用了）',
      '第 11 行 “佐证要求” 列: 无法识别 “须盖章”（可写: 须填写说明、说明可选、至少N个文件、每项活动至少N张照片、文件类型:图片、PDF、须更新本月干预台账）',
    ]);
    expect(await db('templates').count({ n: '*' }).first()).toEqual(before);
  });

  test('When the file is not a workbook, too large, or lacks the header, then it is refused saying so', async () => {
    expect(await problemsOf(checklistFromXlsx(Buffer.from('月份或周次,任务内容\n9月,开会\n')))).toEqual([
      '这不是 xlsx 文件（Excel 工作簿）：请在 Excel 或 WPS 中 “另存为 .xlsx”',
    ]);
    expect(
      (
        await problemsOf(checklistFromXlsx(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(6 * 1024 * 1024)])))
      )[0],
    ).toMatch(/^文件太大（6\.0 MB），最大 5 MB$/);
    expect(
      (await problemsOf(checklistFromXlsx(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]))))[0],
    ).toMatch(/^无法读取这个 xlsx 文件/);
    const noHeader = await edited((ws) => {
      ws.getRow(1).getCell(9).value = '截止';
      ws.getRow(1).getCell(8).value = null;
    });
    expect(await problemsOf(checklistFromXlsx(noHeader))).toEqual([
      '“任务清单” 表第 1 行缺少列: 负责角色、截止规则（表头应为: 月份或周次、任务编号、任务标识、任务类型、任务内容(标题)、英文标题、任务说明、负责角色、截止规则、提前开放天数、缺少节日时、提醒、升级、佐证要求）',
    ]);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['x']);
    expect(await problemsOf(checklistFromXlsx(Buffer.from(await wb.xlsx.writeBuffer())))).toEqual([
      '缺少 “任务清单” 工作表（找到的工作表：Sheet1）',
    ]);
  });
});

describe('CLI', () => {
  test('When a stored version is exported and imported by the CLI, then the import is stored as the next version, the old one unchanged', async () => {
    const out = path.join(dir, 'c.xlsx');
    const { DATABASE_URL: _pg, ...rest } = process.env;
    const env = { ...rest, SQLITE_FILE: dbFile };
    const cli = path.join(ROOT, 'scripts', 'semester.ts');
    /** scripts/semester.ts checklist … on the test's SQLite file */
    const checklist = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', cli, 'checklist', ...args], { env, cwd: ROOT, timeout: 60_000 });
    const version = String(template2024.version);
    const ex = await checklist('export', '--id', 'runxin-2024-autumn', '--version', version, '--out', out);
    expect(ex.stdout).toContain(`checklist runxin-2024-autumn v${template2024.version}: 31 tasks →`);
    const before = await store.getTemplate('runxin-2024-autumn', template2024.version);
    const im = await checklist('import', '--file', out, '--id', 'runxin-2024-autumn');
    expect(im.stdout).toContain(`checklist runxin-2024-autumn v${template2024.version + 1}: 31 tasks stored`);
    expect(await store.getTemplate('runxin-2024-autumn', template2024.version)).toEqual(before);
    const stored = JSON.parse(
      (await store.getTemplate('runxin-2024-autumn', template2024.version + 1))!.body,
    ) as unknown;
    expect(stored).toEqual({ ...template2024, version: template2024.version + 1 });
    // a bad file: the problems on stderr, exit 1
    const bad = path.join(dir, 'bad.xlsx');
    fs.writeFileSync(bad, 'not a workbook');
    const err = await checklist('import', '--file', bad, '--id', 'runxin-2024-autumn').then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('这不是 xlsx 文件');
  }, 120_000);
});
