/**
 * The leaders' overview over real HTTP (issue 14, item 3): colleges ranked worst first, a month
 * chart with the semester trend and a ranking chart as server-rendered SVG, overdue and escalated
 * counts that link to exactly those tasks, a college leader's own college only (no school total),
 * and the printable weekly report.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TaskInstanceRow } from '../db/store';
import { login, webFixture, type WebFixture } from './helpers/web';

let fx: WebFixture;
let rows: TaskInstanceRow[];
const NOW = Date.UTC(2024, 9, 15, 4);
const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
const visible = (page: string) =>
  decode(
    page
      .replace(/<details>[\s\S]*?<\/details>/g, '')
      .replace(/<(script|style|svg)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, ' '),
  );

beforeAll(async () => {
  fx = await webFixture({ now: () => NOW });
  rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId });
  // literature completes everything due in September on time; science completes nothing and has two escalations
  for (const t of rows.filter((r) => r.collegeId === 'literature' && r.month === '2024-09' && r.dueAt <= NOW)) {
    await fx.store.applyTaskTransition({
      taskId: t.id,
      patch: { status: 'completed', completedAt: t.dueAt - 1000, completedBy: 'literature-counsellor', late: false },
      audit: { eventKey: `${t.id}/done`, action: 'completed', actor: 'literature-counsellor', at: t.dueAt - 1000 },
      notifications: [],
    });
  }
  const sci = rows.filter((r) => r.collegeId === 'science' && r.dueAt <= NOW).slice(0, 2);
  for (const [i, t] of sci.entries()) {
    await fx.store.applyTaskTransition({
      taskId: t.id,
      patch: { status: 'overdue', escalationLevel: i + 1 },
      audit: { eventKey: `${t.id}/overdue`, action: 'overdue', actor: 'timer', at: t.dueAt },
      notifications: [],
    });
  }
  rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId });
});
afterAll(async () => {
  await fx.close();
});

const overdueOf = (college: string) =>
  rows.filter(
    (r) =>
      r.collegeId === college &&
      r.status !== 'completed' &&
      r.status !== 'waived' &&
      (r.status === 'overdue' || r.dueAt <= NOW),
  );

describe('the overview', () => {
  test('When the school admin opens it, then the colleges are ranked worst first, with the month chart, the trend and the ranking chart as SVG', async () => {
    const admin = await login(fx.base, 'admin');
    const page = await (await admin.fetch('/')).text();
    const order = [...page.matchAll(/<tr data-college="([^"]+)">/g)].map((x) => x[1]);
    expect(order).toEqual(['science', 'literature']);
    expect(visible(page)).toContain('2024 年秋季学期');
    expect(visible(page)).toContain('全校合计');
    expect(page).toMatch(/<svg class="chart" id="month-chart"[^>]*role="img"/);
    expect(page.match(/<g data-month="/g)!.length).toBeGreaterThanOrEqual(2); // September and October have work due
    expect(page).toMatch(/<polyline points="[\d., ]+" class="trend"\/>/);
    const ranking = /<svg class="chart" id="ranking-chart"[\s\S]*?<\/svg>/.exec(page)![0];
    expect(ranking).toMatch(/<g data-rank="1"><text[^>]*>数学与统计学院<\/text>/);
    expect(ranking).toMatch(/<g data-rank="2"><text[^>]*>文学院<\/text>/);
    expect(page).toMatch(/id="tile-worst" href="\/colleges\/science/);
    // September: literature did all of it on time
    expect(page).toMatch(/<g data-month="9 月" data-rate="\d+">/);
    expect(page).not.toMatch(/<script[^>]+src="http/);
    expect(page).not.toMatch(/<link[^>]+href="http/);
  });
  test('When an overdue or escalated count is followed, then the task list shows exactly those tasks', async () => {
    const admin = await login(fx.base, 'admin');
    const page = decode(await (await admin.fetch('/')).text());
    const row = /<tr data-college="science">[\s\S]*?<\/tr>/.exec(page)![0];
    const over = /<a class="status-overdue overdue-link" href="([^"]+)">(\d+)<\/a>/.exec(row)!;
    expect(Number(over[2])).toBe(overdueOf('science').length);
    const listed = await (await admin.fetch(over[1]!)).text();
    expect(listed.match(/<tr data-task=/g)).toHaveLength(overdueOf('science').length);
    const esc = /<a class="escalated-link" href="([^"]+)">(\d+)<\/a>/.exec(row)!;
    expect(esc[2]).toBe('2');
    const escalated = await (await admin.fetch(esc[1]!)).text();
    expect(escalated.match(/<tr data-task=/g)).toHaveLength(2);
  });
  test('When a college leader opens it, then only their college is there: no school total, no ranking of others, tiles link to their tasks', async () => {
    const leader = await login(fx.base, 'science-college-leader');
    const page = await (await leader.fetch('/')).text();
    expect([...page.matchAll(/<tr data-college="([^"]+)">/g)].map((x) => x[1])).toEqual(['science']);
    expect(visible(page)).not.toContain('全校');
    expect(page).not.toContain('id="ranking-chart"');
    expect(page).not.toContain('literature');
    expect(page).toContain('id="month-chart"');
    expect(decode(page)).toMatch(
      /id="tile-overdue" href="\/colleges\/science\?semester=web-2024-autumn&status=overdue"/,
    );
  });
  test('When a month is chosen, then the table shows that month and the charts still show the semester', async () => {
    const admin = await login(fx.base, 'admin');
    const page = await (await admin.fetch('/?month=2024-09')).text();
    const head = /<thead>[\s\S]*?<\/thead>/.exec(page)![0];
    expect(head).toContain('2024 年 9 月');
    expect(head).not.toContain('2024 年 10 月');
    expect(page.match(/<g data-month="/g)!.length).toBeGreaterThanOrEqual(2);
    expect((await admin.fetch('/?month=october')).status).toBe(400);
  });
});

describe('the weekly report', () => {
  test('When a leader opens it, then it is a printable page with the ranking and the overdue tasks in words; staff are refused', async () => {
    const admin = await login(fx.base, 'admin');
    const res = await admin.fetch('/reports/weekly');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(visible(page)).toContain('心理健康工作周报 2024-10-08 – 2024-10-15');
    expect(page).toContain('data-print');
    expect(visible(page)).toContain('各学院排名');
    expect(visible(page)).toContain('逾期未完成的任务');
    expect(visible(page)).toContain('已上报学校');
    expect(visible(page)).not.toMatch(/week-\d|running/);
    const staff = await login(fx.base, 'literature-counsellor');
    expect((await staff.fetch('/reports/weekly')).status).toBe(403);
  });
});
