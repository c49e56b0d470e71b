/**
 * The college ladder (workflows/college-ladder.ts, ADR 0005) on the time-skipping server, over
 * the real activities and a SQLite read model: one workflow per college moves every task due at
 * an instant in one activity call, each task's timeline is the per-task model's, completion,
 * waiver and a moved due date go through server/tasks.ts to the ladder and are validated as
 * task.ts validates them, and a closed task gets no further step. A semester created with the
 * ladder model starts ladders, not task workflows.
 *
 * CAPTURE_LADDER_HISTORIES=1 writes the histories replayed by test/replay.test.ts to
 * test/histories/ladder/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { admin, counsellor, otherCounsellor, teacher, leader, refusal } from './helpers/actors';
import { keyCareOccurrences, noteOnlyTasks } from './helpers/tasks';
import { ladderActivities, testWorker } from './helpers/worker';
import { DEMO_SCHOOL } from '../db/demo';
import { type Store } from '../db/store';
import { taskModelOf } from '../server/features/semesters/use-cases/setup';
import { startSemester } from '../server/features/semesters/use-cases/start';
import { completeTask, moveDue, TaskRejectedError, waiveTask } from '../server/features/tasks/use-cases';
import { restartStopped, scanEndedWorkflows } from '../server/features/operations/use-cases';
import { collegeLadderWorkflow } from '../workflows';
import { collegeLadderWorkflowId, ladderSummaryQuery, type LadderPlan } from '../contracts';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';
import { patchIds } from './helpers/patches';
import { autumnSemester, demoDb } from './helpers/demo-db';

const CAPTURE = process.env.CAPTURE_LADDER_HISTORIES === '1' ? path.join(__dirname, 'histories', 'ladder') : null;
const HOUR = 3_600_000;
const ZONE = DEMO_SCHOOL.timezone;
let env: TestWorkflowEnvironment;
let db: Knex;
let store: Store;
let dir: string;
let template = { id: '', version: 0 };

beforeAll(async () => {
  ({ db, store, dir, template } = await demoDb('ladder'));
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const worker = (queue: string) => testWorker(env, queue, ladderActivities({ store, knex: db }, env.client));

/** Runs `fn` while a worker on a queue of its own runs literature's ladder over `plan`. */
async function withLadder<T>(
  name: string,
  semesterId: string,
  plan: LadderPlan,
  fn: (c: { queue: string; workflowId: string }) => Promise<T>,
): Promise<T> {
  const queue = uniqueQueue(name);
  const workflowId = collegeLadderWorkflowId(semesterId, 'literature');
  return (await worker(queue)).runUntil(async () => {
    await env.client.workflow.start(collegeLadderWorkflow, {
      workflowId,
      taskQueue: queue,
      args: [{ semesterId, collegeId: 'literature', searchAttributes: false, plan }],
    });
    return fn({ queue, workflowId });
  });
}

/** A 'ladder' semester with N literature tasks (one template task, N occurrences) sharing every instant. */
async function ladderSemester(semesterId: string, n: number) {
  await autumnSemester(store, template, semesterId, 'ladder');
  return keyCareOccurrences(store, {
    semesterId,
    now: await env.currentTimeMs(),
    n,
    idOf: (i) => `task.${semesterId}.literature.2024-10-01-update-key-care-list.n${String(i).padStart(3, '0')}`,
  });
}

const rejection = (p: Promise<unknown>) => refusal(p, TaskRejectedError);

async function capture(workflowId: string, name: string): Promise<void> {
  if (!CAPTURE) return;
  fs.mkdirSync(CAPTURE, { recursive: true });
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  fs.writeFileSync(path.join(CAPTURE, `${name}.history.pb`), temporal.api.history.v1.History.encode(history).finish());
}

/** Activities the workflow ran, by type: scheduled through the server, or local (a marker in the history). */
async function scheduled(workflowId: string): Promise<Record<string, number>> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const out: Record<string, number> = {};
  for (const e of history.events ?? []) {
    let name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity') {
      const data = marker.details?.data?.payloads?.[0]?.data;
      if (data) name = (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type;
    }
    if (name) out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

/** Whether the history took the patch `id` (a version marker). */
async function patchedIn(workflowId: string, id: string): Promise<boolean> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return patchIds(history.events ?? []).includes(id);
}

describe('the task model switch', () => {
  test('When no model is asked for, then a semester runs on the ladder; TASK_MODEL or the option choose per-task; a bad one is refused by name', () => {
    expect(taskModelOf(undefined, {})).toBe('ladder');
    expect(taskModelOf(undefined, { TASK_MODEL: 'per-task' })).toBe('per-task');
    expect(taskModelOf(undefined, { TASK_MODEL: 'ladder' })).toBe('ladder');
    expect(taskModelOf('per-task', { TASK_MODEL: 'ladder' })).toBe('per-task');
    expect(taskModelOf('ladder', { TASK_MODEL: 'per-task' })).toBe('ladder');
    expect(() => taskModelOf(undefined, { TASK_MODEL: 'cron' })).toThrow(
      'TASK_MODEL: must be one of per-task, ladder, got "cron"',
    );
    expect(() => taskModelOf('batch', {})).toThrow('task model: must be one of per-task, ladder, got "batch"');
  });
});

describe('college ladder', () => {
  test('When 50 tasks share every instant, then one ladder moves them all with one activity per instant and one audit event per task and step, at the planned instants', async () => {
    const semesterId = 'ladder-fifty';
    const { ids, plan, openAt, dueAt, remindAts, level2At } = await ladderSemester(semesterId, 50);
    await withLadder('ladder-fifty', semesterId, plan, async ({ workflowId }) => {
      await env.sleep(level2At + HOUR - (await env.currentTimeMs()));
      const summary = await env.client.workflow.getHandle(workflowId).query(ladderSummaryQuery);
      expect(summary).toMatchObject({ level2: 50, completed: 0, waived: 0, nextAt: null });
      // four distinct instants: four writes, not 4 × 50, each a local activity (no round trip through the server)
      expect((await scheduled(workflowId)).applyLadderStep).toBe(4);
      expect(await patchedIn(workflowId, 'ladder-step-local-activity')).toBe(true);
      // a long wait aims 1 s early and sets the last timer from a task of its own (workflows/ladder/clock.ts)
      expect(await patchedIn(workflowId, 'ladder-aim-early')).toBe(true);
      expect(
        (await env.client.workflow.getHandle(workflowId).fetchHistory()).events?.some(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'applyLadderStep',
        ),
      ).toBe(false);
      await capture(workflowId, 'ladder.fifty-tasks.level-2');
    });
    for (const id of ids) {
      const audit = await store.listAudit({ subjectType: 'task', subjectId: id });
      expect(audit.map((a) => [a.action, a.at, a.actor])).toEqual([
        ['opened', openAt, 'timer'],
        ['reminded', remindAts[0], 'timer'],
        ['overdue', dueAt, 'timer'],
        ['escalated', level2At, 'timer'],
      ]);
      expect(audit.map((a) => a.eventKey)).toEqual([
        `${id}/opened`,
        `${id}/remind:${remindAts[0]}`,
        `${id}/overdue:${dueAt}`,
        `${id}/level2:${dueAt}`,
      ]);
      expect(await store.getTaskInstance(id)).toMatchObject({
        status: 'overdue',
        escalationLevel: 2,
        remindersSent: 1,
      });
    }
    // inbox: the counsellor got the opening and reminder of each, the leader each overdue, the admin each level 2
    const inbox = async (user: string) =>
      (await store.listNotifications(user)).filter((n) => ids.includes(n.subjectId)).map((n) => n.kind);
    expect((await inbox('literature-counsellor')).sort()).toEqual(
      [...Array(50).fill('escalation_l1'), ...Array(50).fill('opened'), ...Array(50).fill('reminder')].sort(),
    );
    expect(await inbox('literature-college-leader')).toEqual(Array(50).fill('escalation_l1'));
    expect(await inbox('admin')).toEqual(Array(50).fill('escalation_l2'));
  });

  test('When tasks are completed, waived or moved through server/tasks.ts, then the ladder validates them as task.ts does, and a closed task gets no further step', async () => {
    const semesterId = 'ladder-updates';
    const { ids, plan, dueAt, level2At } = await ladderSemester(semesterId, 4);
    const [done, waived, moved, left] = ids as [string, string, string, string];
    await withLadder('ladder-updates', semesterId, plan, async ({ workflowId }) => {
      await env.sleep(2 * HOUR); // opened

      // completion: college, role and evidence rules, as task.ts words them
      expect(
        await rejection(completeTask(env.client, store, done, { actor: otherCounsellor, note: 'x', files: [] })),
      ).toBe('this task belongs to another college (literature)');
      expect(await rejection(completeTask(env.client, store, done, { actor: teacher, note: 'x', files: [] }))).toBe(
        'only the counsellor of the college or the college leader may complete this task',
      );
      expect(
        await rejection(completeTask(env.client, store, done, { actor: counsellor, note: '', files: [] })),
      ).toMatch(/^evidence incomplete: /);
      const completed = await completeTask(env.client, store, done, {
        actor: counsellor,
        note: '名单已更新',
        files: [],
      });
      expect(completed).toMatchObject({
        taskId: done,
        status: 'completed',
        completedBy: 'literature-counsellor',
        late: false,
      });
      expect(await store.getTaskInstance(done)).toMatchObject({
        status: 'completed',
        completedBy: 'literature-counsellor',
        note: '名单已更新',
        late: false,
      });
      expect(
        await rejection(completeTask(env.client, store, done, { actor: counsellor, note: 'again', files: [] })),
      ).toBe('this task is already completed');

      // waiver: the college leader, with a reason
      expect(await rejection(waiveTask(env.client, store, waived, counsellor, '停课'))).toBe(
        'only the college leader may waive a task',
      );
      expect(await rejection(waiveTask(env.client, store, waived, leader, '  '))).toBe(
        'a reason is required to waive a task',
      );
      expect(await waiveTask(env.client, store, waived, leader, '停课')).toMatchObject({
        status: 'waived',
        waivedReason: '停课',
      });
      expect(
        await rejection(completeTask(env.client, store, waived, { actor: counsellor, note: 'x', files: [] })),
      ).toBe('this task was waived and is closed');

      // moved due date: the school administration only; the timers move with it
      expect(await rejection(moveDue(env.client, store, moved, counsellor, '2030-01-01 17:00', 'x'))).toBe(
        'only the school administration may move a due date',
      );
      const newDue = DateTime.fromMillis(dueAt, { zone: ZONE }).plus({ days: 3 });
      const state = await moveDue(env.client, store, moved, admin, newDue.toFormat('yyyy-MM-dd HH:mm'), '国庆调休');
      expect(state).toMatchObject({
        taskId: moved,
        status: 'open',
        dueAt: newDue.toMillis(),
        level2At: newDue.plus({ days: 2 }).toMillis(),
      });

      await env.sleep(dueAt + HOUR - (await env.currentTimeMs())); // past the old due instant
      expect((await store.getTaskInstance(moved))?.status).toBe('open');
      expect((await store.getTaskInstance(left))?.status).toBe('overdue');
      await env.sleep(newDue.toMillis() + HOUR - (await env.currentTimeMs())); // past the new one
      expect(await store.getTaskInstance(moved)).toMatchObject({
        status: 'overdue',
        escalationLevel: 1,
        dueAt: newDue.toMillis(),
      });
      await env.sleep(Math.max(level2At, newDue.plus({ days: 2 }).toMillis()) + HOUR - (await env.currentTimeMs()));
      await capture(workflowId, 'ladder.updates');
    });
    const actions = async (id: string) =>
      (await store.listAudit({ subjectType: 'task', subjectId: id })).map((a) => a.action);
    expect(await actions(done)).toEqual(['opened', 'completed']);
    expect(await actions(waived)).toEqual(['opened', 'waived']);
    // the moved task's new ladder is the template's (two reminders), as in the per-task model
    expect(await actions(moved)).toEqual(['opened', 'due-moved', 'reminded', 'reminded', 'overdue', 'escalated']);
    expect(await actions(left)).toEqual(['opened', 'reminded', 'overdue', 'escalated']);
    expect(await store.getTaskInstance(done)).toMatchObject({
      status: 'completed',
      escalationLevel: 0,
      remindersSent: 0,
    });
    expect(await store.getTaskInstance(waived)).toMatchObject({ status: 'waived', escalationLevel: 0 });
  });

  test('When a past semester created with the ladder model starts, then each college gets one ladder (no task workflows) and every task reaches level 2 in one write per college', async () => {
    const semesterId = 'ladder-past';
    await autumnSemester(store, template, semesterId, 'ladder');
    expect((await store.getSemester(semesterId))?.taskModel).toBe('ladder');
    const colleges = await store.listColleges(DEMO_SCHOOL.id);
    const queue = uniqueQueue('ladder-past');
    await (
      await worker(queue)
    ).runUntil(async () => {
      await startSemester(env.client, store, semesterId, queue, { searchAttributes: false });
      const ladders = colleges.map((c) => collegeLadderWorkflowId(semesterId, c.id));
      for (let i = 0; ; i++) {
        const rows = await store.listTaskInstances({ semesterId });
        if (rows.length === colleges.length * 54 && rows.every((r) => r.escalationLevel === 2)) break;
        if (i > 600)
          throw new Error(
            `not settled: ${rows.filter((r) => r.escalationLevel === 2).length}/${rows.length} at level 2`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
      // the local activity's marker is in the history once its workflow task completes (just after the write)
      for (const id of ladders) {
        for (let i = 0; i < 100 && !(await scheduled(id)).applyLadderStep; i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(await scheduled(id)).toMatchObject({ planCollegeLadder: 1, applyLadderStep: 1 });
      }
      await capture(ladders[0]!, 'ladder.past-semester.college');
      await capture(`semester.${semesterId}`, 'semester.ladder');
    });
    const rows = await store.listTaskInstances({ semesterId });
    // no task has a workflow of its own: the per-task model's planner ids are not workflows
    const described = await env.client.workflow
      .getHandle(rows[0]!.id)
      .describe()
      .then(
        () => 'found',
        () => 'none',
      );
    expect(described).toBe('none');
    // a past semester skips the reminders (as task.ts: already past at the start), and records the rest at their instants
    const audit = await store.listAudit({ subjectType: 'task', subjectId: rows[0]!.id });
    expect(audit.map((a) => a.action)).toEqual(['opened', 'overdue', 'escalated']);
    expect(audit.find((a) => a.action === 'overdue')?.at).toBe(rows[0]!.dueAt);
  });
});

describe('a college ladder stopped outside the app (issue 10 finding 3, for the ladder model)', () => {
  test('When the ladder is terminated, then a request answers 409, the scan marks every open task of it, and the admin restart resumes it with closed tasks closed, the moved due date kept, and nothing recorded twice', async () => {
    const semesterId = 'ladder-stopped';
    await autumnSemester(store, template, semesterId, 'ladder');
    const queue = uniqueQueue('ladder-stopped');
    const workflowId = collegeLadderWorkflowId(semesterId, 'literature');
    const settled = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; !(await ok()); i++) {
        if (i > 600) throw new Error(`never: ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const easy = await noteOnlyTasks(store, semesterId);
    const [done, moved, refused] = easy.map((t) => t.taskId) as [string, string, string];
    const newDue = DateTime.fromMillis(Date.now(), { zone: ZONE })
      .plus({ days: 20 })
      .set({ hour: 17, minute: 0, second: 0, millisecond: 0 });
    await (
      await worker(queue)
    ).runUntil(async () => {
      await env.client.workflow.start(collegeLadderWorkflow, {
        workflowId,
        taskQueue: queue,
        args: [{ semesterId, collegeId: 'literature', searchAttributes: false }],
      });
      // a past semester: every task catches up to level 2 at once
      await settled('caught up', async () =>
        (await store.listTaskInstances({ semesterId, collegeId: 'literature' })).every((r) => r.escalationLevel === 2),
      );
      await completeTask(env.client, store, done, { actor: counsellor, note: '已完成', files: [] });
      await moveDue(env.client, store, moved, admin, newDue.toFormat('yyyy-MM-dd HH:mm'), '补做');
      expect(await store.getTaskInstance(moved)).toMatchObject({ status: 'open', dueAt: newDue.toMillis() });

      // stopped from outside the app (the Web UI or the CLI)
      await env.client.workflow.getHandle(workflowId).terminate('stopped from the Web UI');
      const refusedWith = await rejection(
        completeTask(env.client, store, refused, { actor: counsellor, note: 'x', files: [] }),
      );
      expect(refusedWith).toBe(
        "this task's workflow was stopped outside the app; the school administration can restart it",
      );
      expect(await db('task_instances').where({ id: refused }).first('workflow_end_status')).toEqual({
        workflow_end_status: 'TERMINATED',
      });

      const open = (await store.listTaskInstances({ semesterId, collegeId: 'literature' })).filter(
        (r) => r.status === 'open' || r.status === 'overdue',
      );
      const scan = await scanEndedWorkflows({ client: env.client, store, schoolId: DEMO_SCHOOL.id, now: Date.now() });
      const ours = scan.found.filter((f) => f.workflowId === workflowId);
      // the refused task was marked by its 409 already; the scan finds every other open task of the ladder
      expect(ours.map((f) => f.id).sort()).toEqual(
        open
          .filter((r) => r.id !== refused)
          .map((r) => r.id)
          .sort(),
      );
      expect(ours.every((f) => f.kind === 'task' && f.status === 'TERMINATED')).toBe(true);
      expect(scan.marked).toBe(open.length - 1);
      expect(
        (await store.listEndedWorkflows(DEMO_SCHOOL.id)).filter((r) => open.some((o) => o.id === r.id)),
      ).toHaveLength(open.length);
      // one stop entry per task in each timeline, also after a second scan
      await scanEndedWorkflows({ client: env.client, store, schoolId: DEMO_SCHOOL.id, now: Date.now() });
      const stops = (await store.listAudit({ subjectType: 'task', subjectId: open[0]!.id })).filter(
        (a) => a.action === 'workflow-ended-externally',
      );
      expect(stops).toHaveLength(1);

      // the admin restarts it from any of its tasks
      const restarted = await restartStopped(
        { client: env.client, store, knex: db, taskQueue: queue, schoolId: DEMO_SCHOOL.id },
        'task',
        refused,
        admin,
      );
      expect(restarted.runId).toEqual(expect.any(String));
      expect((await store.listEndedWorkflows(DEMO_SCHOOL.id)).filter((r) => open.some((o) => o.id === r.id))).toEqual(
        [],
      );
      await settled(
        'the restarted ladder answers',
        async () =>
          (
            await env.client.workflow
              .getHandle(workflowId)
              .query(ladderSummaryQuery)
              .catch(() => null)
          )?.nextAt !== undefined,
      );
      const summary = await env.client.workflow.getHandle(workflowId).query(ladderSummaryQuery);
      expect(summary.completed).toBe(1);
      expect(
        await rejection(completeTask(env.client, store, done, { actor: counsellor, note: 'again', files: [] })),
      ).toBe('this task is already completed');
      expect(
        await completeTask(env.client, store, refused, { actor: counsellor, note: '补交', files: [] }),
      ).toMatchObject({
        status: 'completed',
      });
      // the moved due date is kept: the task is open, its next step is its reminder or overdue at the new date
      expect(await store.getTaskInstance(moved)).toMatchObject({
        status: 'open',
        escalationLevel: 0,
        dueAt: newDue.toMillis(),
      });
      expect((await env.client.workflow.getHandle(workflowId).query(ladderSummaryQuery)).nextAt).toBeLessThanOrEqual(
        newDue.toMillis(),
      );
      expect((await env.client.workflow.getHandle(workflowId).query(ladderSummaryQuery)).nextAt).toBeGreaterThan(
        Date.now() - HOUR,
      );
    });
    // nothing recorded twice: each task's timeline has each step once
    for (const r of await store.listTaskInstances({ semesterId, collegeId: 'literature' })) {
      const keys = (await store.listAudit({ subjectType: 'task', subjectId: r.id })).map((a) => a.eventKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.filter((k) => k === `${r.id}/opened`)).toHaveLength(1);
    }
    const restarts = (await store.listAudit({ subjectType: 'task', subjectId: refused })).filter(
      (a) => a.action === 'workflow-restarted',
    );
    expect(restarts).toHaveLength(1);
  });
});
