/**
 * The task workflow on the time-skipping test server: simulated days pass in seconds.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyCareTask, memoryTaskActivities } from './helpers/tasks';
import { testWorker } from './helpers/worker';
import type { TaskEvent } from '../activities';
import { evidenceSchema } from '../domain/schema';
import { taskWorkflow } from '../workflows';
import {
  completeTaskUpdate,
  taskStateQuery,
  waiveTaskUpdate,
  type CompleteRequest,
  type TaskInput,
} from '../contracts';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Runs `fn` with a worker whose activities record every task event in memory. */
async function withWorker<T>(fn: (ctx: { queue: string; events: TaskEvent[] }) => Promise<T>): Promise<T> {
  const queue = uniqueQueue('task');
  const events: TaskEvent[] = [];
  const worker = await testWorker(env, queue, memoryTaskActivities(events));
  return worker.runUntil(fn({ queue, events }));
}

/** The key-care task, opening in an hour, due 5 days later, reminded 3 days and 1 day before. */
function taskInput(now: number, overrides: Partial<TaskInput> = {}): TaskInput {
  const openAt = now + HOUR;
  const dueAt = openAt + 5 * DAY;
  return keyCareTask({ openAt, dueAt }, { remindAts: [dueAt - 3 * DAY, dueAt - DAY], ...overrides });
}

const counsellorA = { userId: 'u-couns-a', role: 'counsellor' as const, collegeId: 'college-a' };

describe('task workflow (time-skipping)', () => {
  test('When a task is never completed, then it is reminded, overdue at due, and escalated to the school two simulated days later', async () => {
    await withWorker(async ({ queue, events }) => {
      const input = taskInput(await env.currentTimeMs());
      const wallStart = Date.now();
      const handle = await env.client.workflow.start(taskWorkflow, {
        args: [input],
        taskQueue: queue,
        workflowId: input.taskId,
      });
      await env.sleep(input.level2At - (await env.currentTimeMs()) + HOUR);
      const state = await handle.query(taskStateQuery);
      expect(state.status).toBe('overdue');
      expect(state.escalationLevel).toBe(2);
      expect(events.map((e) => [e.action, e.at, e.actor, e.notify])).toEqual([
        ['opened', input.openAt, 'timer', 'assignees'],
        ['reminded', input.dueAt - 3 * DAY, 'timer', 'assignees'],
        ['reminded', input.dueAt - DAY, 'timer', 'assignees'],
        ['overdue', input.dueAt, 'timer', 'college'],
        ['escalated', input.dueAt + 2 * DAY, 'timer', 'school'],
      ]);
      // simulated days, real seconds
      expect(Date.now() - wallStart).toBeLessThan(30_000);

      // it keeps waiting: a late completion closes it and is recorded as late
      const done = await handle.executeUpdate(completeTaskUpdate, {
        args: [{ actor: counsellorA, note: '已更新名单', files: [] }],
      });
      expect(done).toMatchObject({ status: 'completed', late: true, escalationLevel: 2, completedBy: 'u-couns-a' });
      expect(await handle.result()).toMatchObject({ status: 'completed', late: true });
      expect(events.at(-1)).toMatchObject({ action: 'completed-late', actor: 'u-couns-a', step: 'completed' });
    });
  });

  test('When a task is completed before its due time, then no escalation happens and it is on time', async () => {
    await withWorker(async ({ queue, events }) => {
      const input = taskInput(await env.currentTimeMs());
      const handle = await env.client.workflow.start(taskWorkflow, {
        args: [input],
        taskQueue: queue,
        workflowId: input.taskId,
      });
      await env.sleep(input.dueAt - DAY - (await env.currentTimeMs()) + HOUR); // after the 1-day reminder
      const done = await handle.executeUpdate(completeTaskUpdate, {
        args: [{ actor: counsellorA, note: '已完成', files: [] }],
      });
      expect(done).toMatchObject({ status: 'completed', late: false, escalationLevel: 0, remindersSent: 2 });
      await handle.result();
      expect(events.map((e) => e.action)).toEqual(['opened', 'reminded', 'reminded', 'completed']);
    });
  });

  test('When completion breaks a rule, then the Update is rejected with a reason and the task stays open', async () => {
    await withWorker(async ({ queue }) => {
      const input = taskInput(await env.currentTimeMs(), {
        evidence: evidenceSchema.parse({ note: 'required', minFiles: 1 }),
      });
      const handle = await env.client.workflow.start(taskWorkflow, {
        args: [input],
        taskQueue: queue,
        workflowId: input.taskId,
      });
      const attempt = async (req: { args: [CompleteRequest] }) => {
        try {
          await handle.executeUpdate(completeTaskUpdate, req);
        } catch (e) {
          expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
          return ((e as WorkflowUpdateFailedError).cause as Error).message;
        }
        throw new Error('update was accepted');
      };
      expect(
        await attempt({
          args: [{ actor: { ...counsellorA, collegeId: 'college-b' }, note: 'x', files: [{ id: 'f', kind: 'image' }] }],
        }),
      ).toBe('this task belongs to another college (college-a)');
      expect(
        await attempt({
          args: [{ actor: { ...counsellorA, role: 'class_teacher' }, note: 'x', files: [{ id: 'f', kind: 'image' }] }],
        }),
      ).toBe('only the counsellor of the college or the college leader may complete this task');
      expect(await attempt({ args: [{ actor: counsellorA, note: ' ', files: [] }] })).toBe(
        'evidence incomplete: a note describing what was done is required; at least 1 file(s) are required, 0 given',
      );
      expect((await handle.query(taskStateQuery)).status).not.toBe('completed');
      // the college leader may waive it with a reason; afterwards completing is rejected
      const leaderA = { userId: 'u-lead-a', role: 'college_leader' as const, collegeId: 'college-a' };
      await handle.executeUpdate(waiveTaskUpdate, { args: [{ actor: leaderA, reason: '本学院无新生' }] });
      expect(await handle.result()).toMatchObject({ status: 'waived', waivedReason: '本学院无新生' });
      // the workflow has ended: a late completion cannot reach it (the web layer reports the closed state)
      await expect(
        handle.executeUpdate(completeTaskUpdate, {
          args: [{ actor: counsellorA, note: 'x', files: [{ id: 'f', kind: 'image' }] }],
        }),
      ).rejects.toThrow(/workflow execution already completed|not found/i);
    });
  });
});
