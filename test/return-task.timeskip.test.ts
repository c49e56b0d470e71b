/**
 * 退回 (issue 14 part 5): a leader returns a completion with a reason, on the college ladder
 * (workflows/college-ladder.ts ladderReturnTask) over the real activities, a SQLite read model
 * and the time-skipping server. The task reopens with its deadline and escalation (steps already
 * past count as done, the rest fire at their instants), its assignees get the reason, and it can
 * be completed again. Who may, what may be returned, a per-task semester's 409, and the HTTP route
 * and task page.
 */
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { admin, counsellor, leader, otherLeader, refusal } from './helpers/actors';
import { keyCareOccurrences, noteOnlyTasks } from './helpers/tasks';
import { ladderActivities, workerStack, type WorkerStack } from './helpers/worker';
import { loadTemplateFile } from '../domain/load';
import { ladderInstants } from '../domain/planner';
import {
  completeTask,
  RETURN_NEEDS_LADDER_MESSAGE,
  returnTask,
  TaskRejectedError,
} from '../server/features/tasks/use-cases';
import { collegeLadderWorkflow } from '../workflows';
import { collegeLadderWorkflowId, ladderReturnTaskUpdate } from '../contracts';
import { autumnSemester } from './helpers/demo-db';
import { login, type WebFixture } from './helpers/web';

const ROOT = path.resolve(__dirname, '..');
const template = loadTemplateFile(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data;
const HOUR = 3_600_000;
const ZONE = 'Asia/Shanghai';
const TT = '2024-10-01-update-key-care-list';

let stack: WorkerStack;
let env: TestWorkflowEnvironment;
let fx: WebFixture;
let queue: string;

beforeAll(async () => {
  stack = await workerStack('return-task', {
    taskModel: 'ladder',
    activities: (f, e) => ladderActivities(f, e.client),
  });
  ({ env, fx, queue } = stack);
});
afterAll(() => stack?.close());

const rejection = (p: Promise<unknown>) => refusal(p, TaskRejectedError);

/** A semester of the given model with N literature tasks of one template task sharing every instant, due in 5 days. */
async function semesterWith(semesterId: string, n: number, taskModel: 'ladder' | 'per-task') {
  const sem = (await fx.store.getSemester(fx.semesterId))!;
  await autumnSemester(fx.store, { id: sem.templateId, version: sem.templateVersion }, semesterId, taskModel);
  return keyCareOccurrences(fx.store, {
    semesterId,
    now: await env.currentTimeMs(),
    n,
    idOf: (i) => `task.${semesterId}.literature.${TT}.n${i}`,
  });
}

const audit = async (id: string) => fx.store.listAudit({ subjectType: 'task', subjectId: id });

describe('退回 on the college ladder', () => {
  test('When the leader returns a completion, then the task reopens under its deadline, the counsellor is told why, its overdue fires at its instant, and it can be completed again; a counsellor, an open task and no reason are refused', async () => {
    const semesterId = 'return-ladder';
    const { ids, plan, dueAt } = await semesterWith(semesterId, 3, 'ladder');
    const [early, late, control] = ids as [string, string, string];
    const workflowId = collegeLadderWorkflowId(semesterId, 'literature');
    // the template's ladder for this due date (what the read model gives the ladder back)
    const { level2At } = ladderInstants(template, TT, dueAt, ZONE, 0);
    await env.client.workflow.start(collegeLadderWorkflow, {
      workflowId,
      taskQueue: queue,
      args: [{ semesterId, collegeId: 'literature', searchAttributes: false, plan }],
    });
    await env.sleep(2 * HOUR); // opened
    await completeTask(env.client, fx.store, early, { actor: counsellor, note: '名单已更新', files: [] });
    await completeTask(env.client, fx.store, late, { actor: counsellor, note: '已完成', files: [] });

    // who may, and what may be returned
    expect(await rejection(returnTask(env.client, fx.store, early, counsellor, '不全'))).toBe(
      "only the college's leader or the school administration may return a completion",
    );
    expect(await rejection(returnTask(env.client, fx.store, early, otherLeader, '不全'))).toBe(
      "only the college's leader or the school administration may return a completion",
    );
    expect(await rejection(returnTask(env.client, fx.store, early, leader, '  '))).toBe(
      'a reason is required to return a completion',
    );
    expect(await rejection(returnTask(env.client, fx.store, control, leader, '不全'))).toBe(
      'only a completed task can be returned; this one is still open',
    );
    // the ladder's own validator refuses a counsellor too (a client that skips server/tasks.ts)
    const direct = await env.client.workflow
      .getHandle(workflowId)
      .executeUpdate(ladderReturnTaskUpdate, { args: [{ taskId: early, actor: counsellor, reason: '不全' }] })
      .then(
        () => 'accepted',
        (e: unknown) =>
          e instanceof WorkflowUpdateFailedError && e.cause instanceof Error ? e.cause.message : String(e),
      );
    expect(direct).toBe("only the college's leader or the school administration may return a completion");
    expect((await fx.store.getTaskInstance(early))?.status).toBe('completed');

    // returned before its due date: open, level 0, completion cleared
    const before = await env.currentTimeMs();
    const s = await returnTask(env.client, fx.store, early, leader, '佐证照片不清楚，请补充');
    expect(s).toMatchObject({ taskId: early, status: 'open', escalationLevel: 0, dueAt, completedAt: null });
    expect(await fx.store.getTaskInstance(early)).toMatchObject({
      status: 'open',
      escalationLevel: 0,
      completedAt: null,
      completedBy: null,
      late: false,
      dueAt,
    });
    const returned = (await audit(early)).filter((a) => a.action === 'returned');
    expect(returned).toHaveLength(1);
    expect(returned[0]).toMatchObject({
      actor: 'literature-college-leader',
      details: { reason: '佐证照片不清楚，请补充' },
    });
    expect(returned[0]!.at).toBeGreaterThanOrEqual(before);
    const notice = (await fx.store.listNotifications('literature-counsellor')).filter(
      (n) => n.subjectId === early && n.kind === 'returned',
    );
    expect(notice).toHaveLength(1);
    expect(notice[0]!.title).toBe('退回：「更新重点关爱名单」');
    expect(notice[0]!.body).toContain('理由：佐证照片不清楚，请补充');
    expect((await fx.store.listNotifications('literature-college-leader')).some((n) => n.kind === 'returned')).toBe(
      false,
    );
    // it is open again: a second return is refused
    expect(await rejection(returnTask(env.client, fx.store, early, leader, '再退'))).toBe(
      'only a completed task can be returned; this one is still open',
    );

    // past the due date: the returned task falls overdue at its instant, like the one never completed
    await env.sleep(dueAt + HOUR - (await env.currentTimeMs()));
    expect(await fx.store.getTaskInstance(early)).toMatchObject({ status: 'overdue', escalationLevel: 1 });
    expect(await fx.store.getTaskInstance(control)).toMatchObject({ status: 'overdue', escalationLevel: 1 });
    const overdue = (await audit(early)).find((a) => a.action === 'overdue');
    expect(overdue).toMatchObject({ at: dueAt, actor: 'timer', eventKey: `${early}/overdue:${dueAt}` });

    // returned after its due date (by the school admin): overdue at level 1 at once, no old step recorded again
    const late1 = await returnTask(env.client, fx.store, late, admin, '台账未更新');
    expect(late1).toMatchObject({ status: 'overdue', escalationLevel: 1 });
    expect(await fx.store.getTaskInstance(late)).toMatchObject({
      status: 'overdue',
      escalationLevel: 1,
      completedAt: null,
    });
    expect((await audit(late)).map((a) => a.action)).toEqual(['opened', 'completed', 'returned']);

    // completed again: closed, with its own completion entry
    const again = await completeTask(env.client, fx.store, early, { actor: counsellor, note: '已补充照片', files: [] });
    expect(again).toMatchObject({ status: 'completed', late: true });
    expect(await fx.store.getTaskInstance(early)).toMatchObject({
      status: 'completed',
      completedBy: 'literature-counsellor',
      late: true,
      note: '已补充照片',
    });

    // at level 2: the returned-late task escalates at its instant; the completed one gets nothing more
    await env.sleep(Math.max(level2At, plan.tasks[0]!.level2At) + HOUR - (await env.currentTimeMs()));
    expect(await fx.store.getTaskInstance(late)).toMatchObject({ status: 'overdue', escalationLevel: 2 });
    expect((await audit(late)).map((a) => a.action)).toEqual(['opened', 'completed', 'returned', 'escalated']);
    expect((await audit(late)).find((a) => a.action === 'escalated')?.at).toBe(level2At);
    const earlyActions = (await audit(early)).map((a) => a.action);
    expect(earlyActions.slice(0, 3)).toEqual(['opened', 'completed', 'returned']);
    expect(earlyActions.slice(-2)).toEqual(['overdue', 'completed-late']);
    expect(earlyActions.filter((a) => a === 'escalated')).toEqual([]);
    expect((await audit(early)).at(-1)?.eventKey).toMatch(
      new RegExp(`^${early.replace(/\./g, '\\.')}/completed:\\d+$`),
    );
    // and the completed task can be returned once more
    expect(await returnTask(env.client, fx.store, early, leader, '再次核对')).toMatchObject({
      status: 'overdue',
      escalationLevel: 2,
    });
    expect((await audit(early)).filter((a) => a.action === 'returned')).toHaveLength(2);
  });

  test("When a per-task semester's completion is to be returned, then it is refused (409 over HTTP), saying why", async () => {
    const semesterId = 'return-per-task';
    const { ids } = await semesterWith(semesterId, 1, 'per-task');
    const id = ids[0]!;
    const now = await env.currentTimeMs();
    await fx.store.applyTaskTransition({
      taskId: id,
      patch: { status: 'completed', completedAt: now, completedBy: 'literature-counsellor', late: false },
      audit: { eventKey: `${id}/completed`, action: 'completed', actor: 'literature-counsellor', at: now },
      notifications: [],
    });
    expect(await rejection(returnTask(env.client, fx.store, id, leader, '不全'))).toBe(RETURN_NEEDS_LADDER_MESSAGE);
    const boss = await login(fx.base, 'literature-college-leader');
    const res = await boss.fetch(`/api/tasks/${encodeURIComponent(id)}/return`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: '不全' }),
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain(RETURN_NEEDS_LADDER_MESSAGE);
    expect(await fx.store.getTaskInstance(id)).toMatchObject({ status: 'completed' });
  });
});

describe('POST /api/tasks/:id/return and the task page', () => {
  test('When the leader returns over HTTP, then the task reopens (a past task at level 2 at once) and its timeline says 已退回; a counsellor gets 403, no reason 409, and the page form shows its error in Chinese', async () => {
    const semesterId = fx.semesterId; // the 2024 semester: past, every task caught up to level 2
    const workflowId = collegeLadderWorkflowId(semesterId, 'literature');
    const easy = (await noteOnlyTasks(fx.store, semesterId))[0]!;
    await env.client.workflow.start(collegeLadderWorkflow, {
      workflowId,
      taskQueue: queue,
      args: [{ semesterId, collegeId: 'literature', searchAttributes: false }],
    });
    for (let i = 0; (await fx.store.getTaskInstance(easy.taskId))?.escalationLevel !== 2; i++) {
      if (i > 300) throw new Error('the 2024 ladder never caught up');
      await new Promise((r) => setTimeout(r, 100));
    }
    await completeTask(env.client, fx.store, easy.taskId, { actor: counsellor, note: '已完成', files: [] });
    const url = `/api/tasks/${encodeURIComponent(easy.taskId)}/return`;
    const json = (reason: unknown) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason }),
    });

    const staff = await login(fx.base, 'literature-counsellor');
    const forbidden = await staff.fetch(url, json('不全'));
    expect(forbidden.status).toBe(403);
    // the counsellor's page has no 退回 form; the leader's has
    expect(await (await staff.fetch(`/tasks/${encodeURIComponent(easy.taskId)}`)).text()).not.toContain(
      'id="return-form"',
    );
    const boss = await login(fx.base, 'literature-college-leader');
    const pageBefore = await (await boss.fetch(`/tasks/${encodeURIComponent(easy.taskId)}`)).text();
    expect(pageBefore).toContain('id="return-form"');
    expect(pageBefore).toContain('退回理由');

    const noReason = await boss.fetch(url, json(''));
    expect(noReason.status).toBe(409);
    expect(await noReason.text()).toContain('a reason is required to return a completion');
    // the page form: the error comes back on the form, in Chinese
    const formPost = await boss.fetch(`/tasks/${encodeURIComponent(easy.taskId)}/return`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ reason: ' ' }).toString(),
    });
    expect(formPost.status).toBe(303);
    const back = formPost.headers.get('location')!;
    expect(back).toContain('form=return');
    const withError = await (await boss.fetch(back)).text();
    expect(withError).toMatch(/id="return-form"[\s\S]*id="return-error"[\s\S]*退回任务须填写理由。/);

    const ok = await boss.fetch(url, json('照片与名单不符'));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { task: { status: string; escalationLevel: number } }).task).toMatchObject({
      status: 'overdue',
      escalationLevel: 2,
    });
    expect(await fx.store.getTaskInstance(easy.taskId)).toMatchObject({
      status: 'overdue',
      escalationLevel: 2,
      completedAt: null,
    });
    const page = await (await boss.fetch(`/tasks/${encodeURIComponent(easy.taskId)}`)).text();
    expect(page).toContain('已退回');
    expect(page).not.toContain('id="return-form"');
    // open again: returning it again is refused with the reason in Chinese on the API's message
    const twice = await boss.fetch(url, json('再退'));
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('only a completed task can be returned');
    // the counsellor can complete it again
    await completeTask(env.client, fx.store, easy.taskId, { actor: counsellor, note: '已重新完成', files: [] });
    expect(await fx.store.getTaskInstance(easy.taskId)).toMatchObject({ status: 'completed', note: '已重新完成' });
  });
});
