/**
 * GET /api/tasks?mine=1 applies the same filters as the college listing (status, month, level),
 * over real HTTP and a real read model (issue 15, "Fix the status filter").
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TaskInstanceRow } from '../../db/store';
import { login, webFixture, type WebFixture } from '../helpers/web';

let fx: WebFixture;
const NOW = Date.UTC(2024, 9, 15, 4);
let mine: TaskInstanceRow[];

beforeAll(async () => {
  fx = await webFixture({ now: () => NOW });
  mine = (await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'literature' })).filter(
    (r) => r.ownerRole === 'counsellor',
  );
  // one of the counsellor's tasks is overdue and escalated, another completed
  const [a, b] = mine;
  await fx.store.applyTaskTransition({
    taskId: a!.id,
    patch: { status: 'overdue', escalationLevel: 1 },
    audit: { eventKey: `${a!.id}/overdue`, action: 'overdue', actor: 'timer', at: a!.dueAt },
    notifications: [],
  });
  await fx.store.applyTaskTransition({
    taskId: b!.id,
    patch: { status: 'completed', completedAt: b!.dueAt - 1000, completedBy: 'literature-counsellor', late: false },
    audit: { eventKey: `${b!.id}/completed`, action: 'completed', actor: 'literature-counsellor', at: b!.dueAt - 1000 },
    notifications: [],
  });
  mine = (await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'literature' })).filter(
    (r) => r.ownerRole === 'counsellor',
  );
});
afterAll(async () => {
  await fx?.close();
});

describe('GET /api/tasks?mine=1 with filters', () => {
  test('When a status is given, then only my tasks in that status come back', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    for (const status of ['overdue', 'completed', 'planned']) {
      const body = (await (
        await staff.fetch(`/api/tasks?mine=1&status=${status}&semester=${fx.semesterId}`)
      ).json()) as {
        tasks: TaskInstanceRow[];
      };
      const expected = mine.filter((r) => r.status === status);
      expect(expected.length).toBeGreaterThan(0);
      expect(body.tasks.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
    }
  });

  test('When a month or a level is given, then they filter my tasks too', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const month = mine[2]!.month;
    const byMonth = (await (
      await staff.fetch(`/api/tasks?mine=1&month=${month}&semester=${fx.semesterId}`)
    ).json()) as {
      tasks: TaskInstanceRow[];
    };
    expect(byMonth.tasks.map((r) => r.id).sort()).toEqual(
      mine
        .filter((r) => r.month === month)
        .map((r) => r.id)
        .sort(),
    );
    const byLevel = (await (await staff.fetch(`/api/tasks?mine=1&level=1&semester=${fx.semesterId}`)).json()) as {
      tasks: TaskInstanceRow[];
    };
    expect(byLevel.tasks.map((r) => r.id)).toEqual([mine[0]!.id]);
  });

  test('When the status is unknown, then it is a 400 naming it', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const res = await staff.fetch(`/api/tasks?mine=1&status=finished&semester=${fx.semesterId}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/status/);
  });
});
