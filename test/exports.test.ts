/**
 * Exports (CSV, XLSX) and the iCalendar feed over real HTTP (port 0) and a real SQLite read model
 * planned from the 2024 autumn checklist for two colleges. Authentication is faked here only: the
 * header x-test-user names the signed-in user.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedDemoSchool } from '../db/demo';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore, type Store, type TaskInstanceRow } from '../db/store';
import { planSemester, type PlannedTask } from '../domain/planner';
import { ForbiddenError, UnauthorizedError } from '../server/platform/auth/context';
import type { AppDeps } from '../server/platform/deps';
import { createExportsRouter } from '../server/features/exports/router';
import { createSemester, NotFoundError, registerDataFiles } from '../server/features/semesters/use-cases/setup';
import { sessionUserOf } from './helpers/units';

const ROOT = path.resolve(__dirname, '..');
const SEMESTER = 'exp-2024-autumn';
const A = 'literature'; // 文学院
const B = 'science'; // 数学与统计学院
/** mid-November 2024 in Shanghai: September and October are past due. */
const NOW = Date.UTC(2024, 10, 15, 4);

let dir: string;
let db: Knex;
let store: Store;
let server: Server;
let base: string;
let tasks: PlannedTask[];
const monthsOf = (college: string) => new Set(tasks.filter((t) => t.collegeId === college).map((t) => t.month)).size;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-exports-'));
  db = createKnex({ sqliteFile: path.join(dir, 'app.sqlite') });
  await migrateLatest(db);
  store = createStore(db);
  await seedDemoSchool(store);
  const { template, calendar } = await registerDataFiles(store, {
    templateFile: path.join(ROOT, 'checklists/runxin-2024-autumn.json'),
    calendarFile: path.join(ROOT, 'calendars/2024-autumn.json'),
  });
  const ref = { templateId: template.id, templateVersion: template.version, calendarId: calendar.id };
  await createSemester(store, { id: SEMESTER, schoolId: 'demo-school', ...ref });
  tasks = planSemester({ semesterId: SEMESTER, template, calendar, colleges: [{ id: A }, { id: B }] }).tasks;
  await store.upsertPlannedTasks(tasks);
  // another school's semester, for the 404
  await store.upsertSchool({ id: 'other-school', name: '另一所大学', nameEn: 'Other', timezone: 'Asia/Shanghai' });
  await createSemester(store, { id: 'other-sem', schoolId: 'other-school', ...ref });

  const users = new Map((await store.listUsers()).map((u) => [u.username, u.id]));
  const counsellorA = tasks.filter((t) => t.collegeId === A && t.ownerRole === 'counsellor');
  const step = async (task: PlannedTask, key: string, patch: Partial<TaskInstanceRow>) => {
    await store.applyTaskTransition({
      taskId: task.id,
      patch,
      audit: { eventKey: `${task.id}:${key}`, action: key, actor: 'test', at: task.dueAt },
      notifications: [],
    });
  };
  await step(counsellorA[0]!, 'completed', {
    status: 'completed',
    completedAt: counsellorA[0]!.dueAt - 3_600_000,
    completedBy: users.get(`${A}-counsellor`)!,
    note: '=HYPERLINK("http://evil.example","点我"), 第二行\n"引号"',
  });
  await step(counsellorA[1]!, 'waived', { status: 'waived', waivedReason: '-1+1 调休' });
  await step(counsellorA[2]!, 'escalated', { status: 'overdue', escalationLevel: 2, note: '@SUM(A1)' });
  const scienceTask = tasks.find((t) => t.collegeId === B)!;
  await step(scienceTask, 'completed', {
    status: 'completed',
    late: true,
    completedAt: scienceTask.dueAt + 86_400_000,
    completedBy: users.get(`${B}-counsellor`)!,
  });

  const deps: AppDeps = {
    store,
    knex: db,
    schoolId: 'demo-school',
    temporalUiUrl: 'http://127.0.0.1:8233',
    publicUrl: '', // the server's address once it listens (below)
    namespace: 'default',
    taskQueue: 'test',
    checkTemporal: async () => {},
    evidenceDir: path.join(dir, 'evidence'),
    secureCookies: false,
    sessionIdleMs: 3_600_000,
    loginMaxAttempts: 5,
    loginWindowMs: 60_000,
    now: () => NOW,
  };
  const app = express();
  app.use(async (req: Request, _res: Response, next: NextFunction) => {
    const u = await store.findUserByUsername(req.get('x-test-user') ?? '');
    if (u) req.user = sessionUserOf(u);
    next();
  });
  app.use(createExportsRouter(deps));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      err instanceof UnauthorizedError
        ? 401
        : err instanceof ForbiddenError
          ? 403
          : err instanceof NotFoundError
            ? 404
            : 500;
    if (status === 500) console.error(err);
    res.status(status).json({ error: (err as Error).message });
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deps.publicUrl = base;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, user?: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${url}`, { headers: { ...(user ? { 'x-test-user': user } : {}), ...headers }, redirect: 'manual' });
const post = (url: string, user: string, json = true) =>
  fetch(`${base}${url}`, {
    method: 'POST',
    headers: { 'x-test-user': user, ...(json ? { accept: 'application/json' } : {}) },
    redirect: 'manual',
  });

/** RFC 4180 parser: quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (quoted || (ch !== ',' && ch !== '\r')) cell += ch;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++; // the \n of CRLF
    }
  }
  return rows;
}

async function csv(url: string, user: string): Promise<{ res: globalThis.Response; rows: string[][]; raw: Buffer }> {
  const res = await get(url, user);
  expect(res.status).toBe(200);
  const raw = Buffer.from(await res.arrayBuffer());
  return { res, raw, rows: parseCsv(raw.toString('utf8').replace(/^\uFEFF/, '')) };
}

const COMPLIANCE_HEADERS = [
  '学院',
  '月份',
  '计划任务',
  '按时完成',
  '逾期完成',
  '未到期',
  '逾期未完成',
  '已豁免',
  '已预警',
  '完成率',
];
const TASK_HEADERS = [
  '任务编号',
  '学院',
  '月份',
  '任务',
  '类型',
  '负责角色',
  '开始时间',
  '截止时间',
  '状态',
  '预警级别',
  '完成时间',
  '完成人',
  '是否逾期完成',
  '备注/豁免理由',
];

describe('compliance export', () => {
  test('When the school admin exports CSV, then it is UTF-8 with a BOM, CRLF, Chinese headers and every college-month', async () => {
    const { res, raw, rows } = await csv(`/exports/compliance.csv?semester=${SEMESTER}`, 'admin');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent(`心理健康工作完成情况_${SEMESTER}.csv`)}`,
    );
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(raw.toString('utf8')).not.toMatch(/[^\r]\n/);
    expect(rows[0]).toEqual(COMPLIANCE_HEADERS);
    expect(rows.length - 1).toBe(monthsOf(A) + monthsOf(B));
    const sept = rows.find((r) => r[0] === '文学院' && r[1] === '2024-09')!;
    const planned = tasks.filter((t) => t.collegeId === A && t.month === '2024-09').length;
    expect(Number(sept[2])).toBe(planned);
    expect(sept[9]).toMatch(/^\d+\.\d%$/);
  });

  test('When a college leader exports, then only their college is in it; staff and strangers are refused', async () => {
    const { rows } = await csv(`/exports/compliance.csv?semester=${SEMESTER}`, `${A}-college-leader`);
    expect(rows.length - 1).toBe(monthsOf(A));
    expect(new Set(rows.slice(1).map((r) => r[0]))).toEqual(new Set(['文学院']));
    expect((await get(`/exports/compliance.csv?semester=${SEMESTER}`, `${A}-counsellor`)).status).toBe(403);
    expect((await get(`/exports/compliance.csv?semester=${SEMESTER}`)).status).toBe(401);
  });

  test('When the semester is unknown or another school’s, then it is 404', async () => {
    expect((await get('/exports/compliance.csv?semester=nope', 'admin')).status).toBe(404);
    expect((await get('/exports/compliance.xlsx?semester=other-sem', 'admin')).status).toBe(404);
    expect((await get('/exports/tasks.csv?semester=nope', `${A}-counsellor`)).status).toBe(404);
  });

  test('When exported as XLSX, then it parses back with a bold frozen header and one row per college-month', async () => {
    const res = await get(`/exports/compliance.xlsx?semester=${SEMESTER}`, 'admin');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(COMPLIANCE_HEADERS);
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.rowCount - 1).toBe(monthsOf(A) + monthsOf(B));
    expect(typeof ws.getRow(2).getCell(3).value).toBe('number');
    expect(ws.getRow(2).getCell(10).numFmt).toBe('0.0%');
  });
});

describe('task ledger export', () => {
  test('When the school admin exports the ledger, then every task of the semester is a row, in school time', async () => {
    const { res, rows } = await csv(`/exports/tasks.csv?semester=${SEMESTER}`, 'admin');
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('心理健康工作任务台账'));
    expect(rows[0]).toEqual(TASK_HEADERS);
    expect(rows.length - 1).toBe(tasks.length);
    const first = rows.find((r) => r[0] === tasks[0]!.id)!;
    expect(first[7]).toMatch(/^\d{4}-\d{2}-\d{2} 17:00$/); // due at workdayEnd, Asia/Shanghai
    expect(first[6]).toMatch(/ 08:00$/);
    expect(rows.filter((r) => r[8] === '已逾期').length).toBeGreaterThan(0); // past due counts as overdue
    const late = rows.find((r) => r[12] === '是')!;
    expect(late[1]).toBe('数学与统计学院');
    expect(late[11]).toBe('数学与统计学院辅导员');
  });

  test('When text starts like a formula, then the CSV cell is prefixed with an apostrophe and quoted as RFC 4180 says', async () => {
    const { rows } = await csv(`/exports/tasks.csv?semester=${SEMESTER}&college=${A}`, 'admin');
    const notes = rows.map((r) => r[13]);
    expect(notes).toContain(`'=HYPERLINK("http://evil.example","点我"), 第二行\n"引号"`);
    expect(notes).toContain(`'-1+1 调休`);
    expect(notes).toContain(`'@SUM(A1)`);
    expect(rows.find((r) => r[13] === `'-1+1 调休`)![8]).toBe('已豁免');
  });

  test('When a college leader or staff exports, then only their own college; another college is 403', async () => {
    for (const user of [`${A}-college-leader`, `${A}-counsellor`, `${A}-class-teacher`]) {
      const { rows } = await csv(`/exports/tasks.csv?semester=${SEMESTER}`, user);
      expect(rows.length - 1).toBe(tasks.filter((t) => t.collegeId === A).length);
      expect(new Set(rows.slice(1).map((r) => r[1]))).toEqual(new Set(['文学院']));
    }
    expect((await get(`/exports/tasks.csv?semester=${SEMESTER}&college=${B}`, `${A}-college-leader`)).status).toBe(403);
    expect((await get(`/exports/tasks.xlsx?semester=${SEMESTER}&college=${B}`, `${A}-counsellor`)).status).toBe(403);
    const { rows } = await csv(`/exports/tasks.csv?semester=${SEMESTER}&college=${B}`, 'admin');
    expect(rows.length - 1).toBe(tasks.filter((t) => t.collegeId === B).length);
  });

  test('When exported as XLSX, then the headers and rows parse back', async () => {
    const res = await get(`/exports/tasks.xlsx?semester=${SEMESTER}`, `${B}-counsellor`);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(TASK_HEADERS);
    expect(ws.rowCount - 1).toBe(tasks.filter((t) => t.collegeId === B).length);
    expect(ws.getColumn(1).width).toBeGreaterThan(20);
    expect(ws.getRow(2).getCell(2).value).toBe('数学与统计学院');
  });
});

describe('calendar feed', () => {
  const unfold = (ics: string) => ics.replace(/\r\n /g, '');
  const events = (ics: string) =>
    unfold(ics)
      .split('\r\n')
      .filter((l) => l === 'BEGIN:VEVENT').length;
  const feedPath = (url: string) => new URL(url).pathname;
  const createFeed = async (user: string) =>
    ((await (await post('/me/calendar-feed', user)).json()) as { url: string }).url;

  test('When a counsellor creates a feed, then the .ics answers without a session with their open tasks, RFC 5545 style', async () => {
    const url = await createFeed(`${A}-counsellor`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ics\/[A-Za-z0-9_-]{43}\.ics$/);
    const res = await get(feedPath(url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const ics = await res.text();
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    const lines = ics.split('\r\n');
    expect(lines.every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true); // long Chinese descriptions were folded
    expect(ics).not.toMatch(/[^\r]\n/);
    // every counsellor task of college A except the completed one (the waived one stays, cancelled)
    expect(events(ics)).toBe(tasks.filter((t) => t.collegeId === A && t.ownerRole === 'counsellor').length - 1);
    const body = unfold(ics);
    expect(body).toContain('STATUS:CANCELLED');
    expect(body).toMatch(/\r\nUID:task\.exp-2024-autumn\.literature\.[^@\r]+@runxin-duty-tracker\r\n/);
    expect(body).toMatch(/\r\nDTSTART:\d{8}T\d{6}Z\r\nDTEND:\d{8}T090000Z\r\n/); // 17:00 Shanghai = 09:00 UTC
    expect(body).toContain('SUMMARY:落实周周研判制度（文学院）');
    expect(body).toContain('TRIGGER;RELATED=END:-P1D');
    expect(body).toMatch(/DESCRIPTION:状态：[^\r]+\\n负责角色：辅导员\\n/);
  });

  test('When a leader or the school admin subscribes, then the leader gets the college’s open tasks and the admin the level-2 ones', async () => {
    const leader = await (await get(feedPath(await createFeed(`${A}-college-leader`)))).text();
    expect(events(leader)).toBe(tasks.filter((t) => t.collegeId === A).length - 1);
    const admin = await (await get(feedPath(await createFeed('admin')))).text();
    expect(events(admin)).toBe(1);
  });

  test('When the feed is revoked, then the .ics is 404; when rotated, then only the new token works', async () => {
    const user = `${B}-psych-counsellor`;
    const first = await createFeed(user);
    const second = await createFeed(user);
    expect((await get(feedPath(first))).status).toBe(404);
    expect((await get(feedPath(second))).status).toBe(200);
    expect(await (await post('/me/calendar-feed/revoke', user)).json()).toEqual({ revoked: true });
    expect((await get(feedPath(second))).status).toBe(404);
    expect((await get('/ics/not-a-token.ics')).status).toBe(404);
  });

  test('When created from the page, then it redirects and the page shows the address once, with a CSRF field', async () => {
    const user = `${B}-class-teacher`;
    expect((await get('/me/calendar-feed')).status).toBe(401);
    const created = await post('/me/calendar-feed', user, false);
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe('/me/calendar-feed');
    const cookie = created.headers.get('set-cookie')!.split(';')[0]!;
    const shown = await (await get('/me/calendar-feed', user, { cookie })).text();
    expect(shown).toMatch(/value="http:\/\/127\.0\.0\.1:\d+\/ics\/[A-Za-z0-9_-]{43}\.ics"/);
    expect(shown).toContain('name="_csrf"');
    expect(shown).toContain('action="/me/calendar-feed/revoke"');
    const later = await (await get('/me/calendar-feed', user)).text();
    expect(later).not.toContain('/ics/');
    // someone else's cookie shows nothing
    expect(await (await get('/me/calendar-feed', `${A}-class-teacher`, { cookie })).text()).not.toContain('/ics/');
  });
});
