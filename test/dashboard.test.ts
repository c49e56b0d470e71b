/**
 * The leaders' view and the staff workspace over real HTTP and a real read model: compliance
 * numbers, scoping by role and college, drill-down, task pages and history, the inbox.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TaskInstanceRow } from '../db/store';
import type { CollegeCompliance, MonthCell } from '../server/features/dashboard/use-cases';
import { login, webFixture, type WebFixture } from './helpers/web';

let fx: WebFixture;
let rows: TaskInstanceRow[];
/** "now" for the app: 15 Oct 2024, mid-semester */
const NOW = Date.UTC(2024, 9, 15, 4);

const find = (college: string, templateTaskId: string, occurrence: string | null = null) =>
  rows.find((r) => r.collegeId === college && r.templateTaskId === templateTaskId && r.occurrence === occurrence)!;

beforeAll(async () => {
  fx = await webFixture({ now: () => NOW });
  rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId });
  const tr = (t: TaskInstanceRow, key: string, patch: Partial<TaskInstanceRow>, action: string, actor = 'timer') =>
    fx.store.applyTaskTransition({
      taskId: t.id,
      patch,
      audit: { eventKey: `${t.id}/${key}`, action, actor, at: t.dueAt - 1000 },
      notifications: [],
    });
  // literature: kick-off on time; science: kick-off late and escalated; science: the weekly review week 1 waived
  const litKick = find('literature', '2024-09-01-kickoff-meeting');
  await tr(litKick, 'opened', { status: 'open' }, 'opened');
  await tr(
    litKick,
    'completed',
    {
      status: 'completed',
      completedAt: litKick.dueAt - 1000,
      completedBy: 'literature-college-leader',
      late: false,
      note: '已召开',
    },
    'completed',
    'literature-college-leader',
  );
  const sciKick = find('science', '2024-09-01-kickoff-meeting');
  await tr(sciKick, 'overdue', { status: 'overdue', escalationLevel: 2 }, 'overdue');
  await tr(
    sciKick,
    'completed',
    { status: 'completed', completedAt: sciKick.dueAt + 86_400_000, completedBy: 'science-college-leader', late: true },
    'completed-late',
    'science-college-leader',
  );
  await tr(
    find('science', '2024-09-06-weekly-review', 'week-01'),
    'waived',
    { status: 'waived', waivedReason: '开学第一周' },
    'waived',
    'science-college-leader',
  );
  rows = await fx.store.listTaskInstances({ semesterId: fx.semesterId });
});
afterAll(async () => {
  await fx.close();
});

/** The body of GET /api/compliance: the use case's matrix without the waived counts (server/features/dashboard/api.ts). */
interface ComplianceBody {
  colleges: Array<Omit<CollegeCompliance, 'months'> & { months: Array<Omit<MonthCell, 'waived'>> }>;
}

/** What the read model says for a college and month, computed here from the rows. */
function expected(college: string, month: string) {
  const mine = rows.filter((r) => r.collegeId === college && r.month === month);
  const closed = (r: TaskInstanceRow) => r.status === 'completed' || r.status === 'waived';
  return {
    month,
    planned: mine.length,
    onTime: mine.filter((r) => r.status === 'completed' && !r.late).length,
    late: mine.filter((r) => r.status === 'completed' && r.late).length,
    open: mine.filter((r) => !closed(r) && r.status !== 'overdue' && r.dueAt > NOW).length,
    overdue: mine.filter((r) => !closed(r) && (r.status === 'overdue' || r.dueAt <= NOW)).length,
    escalated: mine.filter((r) => r.escalationLevel >= 1).length,
  };
}

describe('GET /api/compliance', () => {
  test('When the school admin asks, then every college with tasks appears with the read model numbers', async () => {
    const admin = await login(fx.base, 'admin');
    const res = await admin.fetch(`/api/compliance?semester=${fx.semesterId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ComplianceBody;
    expect(body.colleges.map((c) => c.collegeId)).toEqual(['literature', 'science']);
    for (const c of body.colleges) {
      for (const m of c.months) expect(m).toEqual(expected(c.collegeId, m.month));
    }
    const sept = body.colleges[1]!.months.find((m) => m.month === '2024-09')!;
    expect(sept).toMatchObject({ late: 1, escalated: 1 });
    expect(body.colleges[0]!.months.find((m) => m.month === '2024-09')).toMatchObject({ onTime: 1, late: 0 });
  });
  test('When a college leader asks, then only their own college is returned', async () => {
    const leader = await login(fx.base, 'science-college-leader');
    const body = (await (await leader.fetch(`/api/compliance?semester=${fx.semesterId}`)).json()) as ComplianceBody;
    expect(body.colleges.map((c) => c.collegeId)).toEqual(['science']);
  });
  test('When staff or a signed-out caller ask, then they are refused', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    expect((await staff.fetch(`/api/compliance?semester=${fx.semesterId}`)).status).toBe(403);
    expect((await fetch(`${fx.base}/api/compliance?semester=${fx.semesterId}`)).status).toBe(401);
  });
  test('When a month filter is given, then only that month is returned', async () => {
    const admin = await login(fx.base, 'admin');
    const body = (await (
      await admin.fetch(`/api/compliance?semester=${fx.semesterId}&month=2024-10`)
    ).json()) as ComplianceBody;
    expect(body.colleges.flatMap((c) => c.months.map((m) => m.month))).toEqual(['2024-10', '2024-10']);
  });
});

describe('GET / (compliance matrix)', () => {
  test('When the school admin opens it, then the matrix shows each college, a bar per month and the school total', async () => {
    const admin = await login(fx.base, 'admin');
    const text = await (await admin.fetch('/')).text();
    expect(text).toContain('<table id="compliance">');
    expect(text).toContain('<tr data-college="literature">');
    expect(text).toContain('<tr data-college="science">');
    expect(text).toContain('全校合计');
    expect(text).toContain('class="bar"');
  });
  test('When a college leader opens it, then only their college is in it', async () => {
    const leader = await login(fx.base, 'literature-college-leader');
    const text = await (await leader.fetch('/')).text();
    expect(text).toContain('<tr data-college="literature">');
    expect(text).not.toContain('data-college="science"');
  });
  test('When staff open it, then they are sent to their tasks', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const res = await staff.fetch('/');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/tasks/mine');
  });
});

describe('drill-down', () => {
  test('When a leader filters a college by status, then only those tasks are listed', async () => {
    const admin = await login(fx.base, 'admin');
    const text = await (await admin.fetch(`/colleges/science?semester=${fx.semesterId}&status=completed`)).text();
    expect(text.match(/<tr data-task=/g)).toHaveLength(1);
    expect(text).toContain(find('science', '2024-09-01-kickoff-meeting').id);
    const waived = await (await admin.fetch(`/colleges/science?semester=${fx.semesterId}&status=waived`)).text();
    expect(waived).toContain('week-01');
    const level2 = await (await admin.fetch(`/colleges/science?semester=${fx.semesterId}&level=2`)).text();
    expect(level2.match(/<tr data-task=/g)).toHaveLength(1);
  });
  test('When a leader of another college drills into a college, then it is 403', async () => {
    const leader = await login(fx.base, 'literature-college-leader');
    expect((await leader.fetch(`/colleges/science?semester=${fx.semesterId}`)).status).toBe(403);
    expect((await leader.fetch(`/colleges/literature?semester=${fx.semesterId}`)).status).toBe(200);
  });
  test("When a task's page is opened, then it shows the checklist text, hotlines and history; the Temporal link only for the school admin (issue 14)", async () => {
    const leader = await login(fx.base, 'science-college-leader');
    const task = find('science', '2024-09-01-kickoff-meeting');
    const text = await (await leader.fetch(`/tasks/${encodeURIComponent(task.id)}`)).text();
    expect(text).toContain('各二级学院召开秋季学期大学生心理健康教育工作会议');
    expect(text).toContain('025-58255200');
    expect(text).toContain('逾期完成'); // completed-late in the history
    expect(text).not.toContain(`http://127.0.0.1:8233/namespaces/default/workflows/`);
    const admin = await login(fx.base, 'admin');
    expect(await (await admin.fetch(`/tasks/${encodeURIComponent(task.id)}`)).text()).toContain(
      `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(task.id)}`,
    );
    const api = (await (await leader.fetch(`/api/tasks/${encodeURIComponent(task.id)}`)).json()) as {
      history: Array<{ action: string; actor: string }>;
    };
    expect(api.history.map((h) => h.action)).toEqual(['overdue', 'completed-late']);
  });
  test("When staff open another college's task, then it is 403 on the page and the API", async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const task = find('science', '2024-09-06-weekly-review', 'week-02');
    expect((await staff.fetch(`/tasks/${encodeURIComponent(task.id)}`)).status).toBe(403);
    expect((await staff.fetch(`/api/tasks/${encodeURIComponent(task.id)}`)).status).toBe(403);
  });
});

describe('GET /api/tasks?mine=1', () => {
  test('When a counsellor asks, then only their college and role come back, open work first and due soonest first', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const body = (await (await staff.fetch(`/api/tasks?mine=1&semester=${fx.semesterId}`)).json()) as {
      tasks: TaskInstanceRow[];
    };
    expect(body.tasks.length).toBe(
      rows.filter((r) => r.collegeId === 'literature' && r.ownerRole === 'counsellor').length,
    );
    expect(body.tasks.every((r) => r.collegeId === 'literature' && r.ownerRole === 'counsellor')).toBe(true);
    const opened = body.tasks.filter((r) => r.openAt <= NOW);
    const later = body.tasks.filter((r) => r.openAt > NOW);
    expect(body.tasks).toEqual([...opened, ...later]); // work that has opened comes first
    for (const part of [opened, later])
      expect(part.map((r) => r.dueAt)).toEqual(part.map((r) => r.dueAt).sort((a, b) => a - b));
    expect(opened.length).toBeGreaterThan(0);
    expect(later.length).toBeGreaterThan(0);
  });
  test('When staff ask for another college, then it is 403', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    expect((await staff.fetch(`/api/tasks?college=science&semester=${fx.semesterId}`)).status).toBe(403);
  });
});

describe('inbox', () => {
  test('When a notification is marked read, then it is read for that user only', async () => {
    const task = find('literature', '2024-10-01-update-key-care-list');
    await fx.store.applyTaskTransition({
      taskId: task.id,
      patch: { status: 'open' },
      audit: { eventKey: `${task.id}/opened`, action: 'opened', actor: 'timer', at: task.openAt },
      notifications: [
        {
          recipientUserId: 'literature-counsellor',
          kind: 'opened',
          title: '新任务「更新重点关爱名单」',
          body: '文学院：任务已开始',
        },
      ],
    });
    const staff = await login(fx.base, 'literature-counsellor');
    const inbox = (await (await staff.fetch('/api/inbox')).json()) as {
      notifications: Array<{ id: number; readAt: number | null; title: string }>;
    };
    const n = inbox.notifications.find((x) => x.title.includes('更新重点关爱名单'))!;
    expect(n.readAt).toBeNull();
    expect((await staff.fetch('/inbox')).status).toBe(200);
    const other = await login(fx.base, 'science-counsellor');
    await other.fetch(`/api/inbox/${n.id}/read`, { method: 'POST' });
    expect(
      ((await (await staff.fetch('/api/inbox')).json()) as typeof inbox).notifications.find((x) => x.id === n.id)!
        .readAt,
    ).toBeNull();
    expect((await staff.fetch(`/api/inbox/${n.id}/read`, { method: 'POST' })).status).toBe(204);
    expect(
      ((await (await staff.fetch('/api/inbox')).json()) as typeof inbox).notifications.find((x) => x.id === n.id)!
        .readAt,
    ).not.toBeNull();
  });
});
