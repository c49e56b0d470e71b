/**
 * Human words on the pages (issue 14, item 4): occurrence labels instead of keys, statuses and
 * escalation levels in words, the semester's name instead of its id, a month picker, the Temporal
 * link for admins only, no "我的任务" for an account without tasks, and error pages in the user's
 * language with a way back.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TaskInstanceRow } from '../db/store';
import { occurrenceLabel, levelName, monthLabel, workflowStatusName } from '../server/platform/views/words';
import { login, webFixture, type WebFixture } from './helpers/web';

let fx: WebFixture;
let rows: TaskInstanceRow[];
const NOW = Date.UTC(2024, 9, 15, 4);
const find = (college: string, templateTaskId: string, occurrence: string | null = null) =>
  rows.find((r) => r.collegeId === college && r.templateTaskId === templateTaskId && r.occurrence === occurrence)!;
/** the page's visible text, roughly: tags, scripts and the folded technical details removed */
const visible = (page: string) =>
  page
    .replace(/<details>[\s\S]*?<\/details>/g, '')
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ');

beforeAll(async () => {
  fx = await webFixture({ now: () => NOW });
  rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId });
  const w1 = find('science', '2024-09-06-weekly-review', 'week-01');
  await fx.store.applyTaskTransition({
    taskId: w1.id,
    patch: { status: 'waived', waivedReason: '开学第一周' },
    audit: { eventKey: `${w1.id}/waived`, action: 'waived', actor: 'science-college-leader', at: w1.dueAt - 1000 },
    notifications: [],
  });
  const w2 = find('science', '2024-09-06-weekly-review', 'week-02');
  await fx.store.applyTaskTransition({
    taskId: w2.id,
    patch: { status: 'overdue', escalationLevel: 2 },
    audit: { eventKey: `${w2.id}/overdue`, action: 'overdue', actor: 'timer', at: w2.dueAt },
    notifications: [],
  });
  rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId });
});
afterAll(async () => {
  await fx.close();
});

describe('words for codes', () => {
  test('occurrence keys, levels and months read as words in both languages', () => {
    expect(occurrenceLabel('week-01', 'zh-CN')).toBe('第 1 周');
    expect(occurrenceLabel('week-12', 'en')).toBe('Week 12');
    expect(occurrenceLabel('national-day', 'zh-CN')).toBe('国庆节前');
    expect(occurrenceLabel('mid-autumn', 'zh-CN', new Map([['mid-autumn', { zh: '中秋', en: 'Mid-Autumn' }]]))).toBe(
      '中秋前',
    );
    expect(occurrenceLabel('exam-2', 'zh-CN')).toBe('第 2 个考试周');
    expect(occurrenceLabel(null, 'zh-CN')).toBe('');
    expect([0, 1, 2].map((l) => levelName(l, 'zh-CN'))).toEqual(['正常', '已逾期提醒学院', '已上报学校']);
    expect(monthLabel('2024-10', 'zh-CN')).toBe('2024 年 10 月');
    expect(workflowStatusName('TERMINATED', 'zh-CN')).toBe('已终止');
  });
  test('When the care page lists a crisis case, then its escalation level is in words', async () => {
    await fx.knex('students').insert({
      id: 'stu-words',
      school_id: 'demo-school',
      college_id: 'literature',
      student_no: 'W1',
      name: '周文',
      class_name: null,
      created_at: NOW,
    });
    await fx.knex('crisis_cases').insert({
      id: 'case-words',
      student_id: 'stu-words',
      college_id: 'literature',
      situation: 'injury',
      place: '操场',
      reported_by: 'literature-counsellor',
      occurred_at: NOW,
      reported_at: NOW,
      status: 'open',
      escalation_level: 2,
      updated_at: NOW,
    });
    const staff = await login(fx.base, 'literature-counsellor');
    const page = await (await staff.fetch('/care')).text();
    const row = /<tr data-id="case-words">[\s\S]*?<\/tr>/.exec(page)![0];
    expect(row).toContain('>已上报学校</td>');
  });
});

describe('task lists and pages', () => {
  test('When a leader opens a college, then occurrences, statuses and levels are words and the month is a picker', async () => {
    const admin = await login(fx.base, 'admin');
    const page = await (await admin.fetch(`/colleges/science?semester=${fx.semesterId}`)).text();
    const text = visible(page);
    expect(text).toContain('第 1 周');
    expect(text).toContain('国庆节前');
    expect(text).toContain('中秋节前');
    expect(text).not.toMatch(/\((week-\d+|mid-autumn|national-day|exam-\d)\)/);
    expect(text).toContain('已豁免');
    expect(text).toContain('已上报学校');
    expect(text).toContain('正常');
    expect(page).not.toMatch(/<td class="level-\d"[^>]*>\d<\/td>/);
    expect(page).toMatch(
      /<select name="month"><option value="">全部月份<\/option><option value="2024-09">2024 年 9 月<\/option>/,
    );
    expect(page).not.toContain('<input name="month"');
    // the level filter 'escalated' lists level 1 and 2 together
    const escalated = await (await admin.fetch(`/colleges/science?semester=${fx.semesterId}&level=escalated`)).text();
    expect(escalated.match(/<tr data-task=/g)).toHaveLength(1);
  });
  test("When a task's page is opened, then its title carries the occurrence in words and its level in words", async () => {
    const leader = await login(fx.base, 'science-college-leader');
    const task = find('science', '2024-09-06-weekly-review', 'week-02');
    const page = await (await leader.fetch(`/tasks/${encodeURIComponent(task.id)}`)).text();
    expect(page).toMatch(/<h1>[^<]*（第 2 周）<\/h1>/);
    expect(page).toContain('<span id="level">已上报学校</span>');
  });
  test("When a task's form comes back refused, then the reason is in Chinese, the workflow's text folded away", async () => {
    const leader = await login(fx.base, 'science-college-leader');
    const task = find('science', '2024-09-06-weekly-review', 'week-02');
    const page = await (
      await leader.fetch(
        `/tasks/${encodeURIComponent(task.id)}?error=${encodeURIComponent('this task is already completed')}`,
      )
    ).text();
    const box = /<div class="error" id="error" role="alert">[\s\S]*?<\/div>/.exec(page)![0];
    expect(visible(box)).toContain('该任务已经完成，无需重复提交。');
    expect(box).toContain('<details>');
  });
  test('When a leader opens a task, then there is no Temporal console link; the school admin has it', async () => {
    const task = find('science', '2024-09-06-weekly-review', 'week-02');
    const leader = await login(fx.base, 'science-college-leader');
    expect(await (await leader.fetch(`/tasks/${encodeURIComponent(task.id)}`)).text()).not.toContain('127.0.0.1:8233');
    const admin = await login(fx.base, 'admin');
    expect(await (await admin.fetch(`/tasks/${encodeURIComponent(task.id)}`)).text()).toContain(
      `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(task.id)}`,
    );
  });
  test('When the overview is opened, then the semester is named by its calendar, not its id', async () => {
    const admin = await login(fx.base, 'admin');
    const page = await (await admin.fetch('/')).text();
    expect(visible(page)).toContain('2024 年秋季学期');
    expect(visible(page)).not.toContain(fx.semesterId);
    const sems = await (await admin.fetch('/admin/semesters')).text();
    expect(visible(sems)).toContain('进行中');
    expect(visible(sems)).not.toMatch(/\brunning\b/);
  });
  test('When the task ledger is exported, then the titles carry the occurrence in words', async () => {
    const admin = await login(fx.base, 'admin');
    const csv = await (await admin.fetch(`/exports/tasks.csv?semester=${fx.semesterId}&college=science`)).text();
    expect(csv).toContain('（第 1 周）');
    expect(csv).toContain('（国庆节前）');
  });
  test('When the admin (no college, no tasks) signs in, then the navigation has no 我的任务; a counsellor has it', async () => {
    const admin = await login(fx.base, 'admin');
    expect(await (await admin.fetch('/')).text()).not.toContain('href="/tasks/mine"');
    const staff = await login(fx.base, 'literature-counsellor');
    expect(await (await staff.fetch('/tasks/mine')).text()).toContain('href="/tasks/mine"');
  });
});

describe('error pages', () => {
  test('When a page does not exist, then the 404 page is in Chinese with a link home, and back to the page the user came from', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const res = await staff.fetch('/no-such-page', { headers: { referer: `${fx.base}/tasks/mine` } });
    expect(res.status).toBe(404);
    const page = await res.text();
    expect(visible(page)).toContain('页面不存在');
    expect(page).toContain('<a class="btn" href="/" id="home">返回首页</a>');
    expect(page).toContain('href="/tasks/mine" id="back">返回上一页</a>');
    expect(visible(page)).not.toMatch(/no page/);
  });
  test('When a college leader opens another college, then the 403 page says so in Chinese, and in English when asked', async () => {
    const leader = await login(fx.base, 'literature-college-leader');
    const res = await leader.fetch(`/colleges/science?semester=${fx.semesterId}`);
    expect(res.status).toBe(403);
    expect(visible(await res.text())).toContain('没有权限');
    const en = await leader.fetch(`/colleges/science?semester=${fx.semesterId}&lang=en`);
    expect(visible(await en.text())).toContain('Not allowed');
  });
  test('When a request is malformed, a conflict or a server error, then the page names it in Chinese', async () => {
    const { errorPage } = await import('../server/platform/error-page');
    const req = { lang: 'zh-CN', get: () => undefined, originalUrl: '/x' } as never;
    expect(errorPage(req, 400, 'bad')).toContain('请求有误');
    expect(errorPage(req, 409, 'already completed')).toContain('操作未能完成');
    const five = errorPage(req, 500, 'internal error');
    expect(five).toContain('系统出错');
    expect(five).not.toContain('internal error');
  });
});
