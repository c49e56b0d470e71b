/**
 * The task use cases (server/tasks.ts) over the real activities and a SQLite read model, on the
 * time-skipping server: a moved due date moves the timers, a closed task says why, a waiver
 * needs the college leader and a reason.
 */
import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { admin, counsellor, leader } from './helpers/actors';
import { dueInFiveDays, KEY_CARE_TASK, keyCareTask } from './helpers/tasks';
import { taskActivities, testWorker } from './helpers/worker';
import { DEMO_SCHOOL } from '../db/demo';
import { type Store } from '../db/store';
import { completeTask, moveDue, TaskRejectedError, waiveTask } from '../server/features/tasks/use-cases';
import { taskWorkflow } from '../workflows';
import { type TaskInput } from '../contracts';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';
import { demoDb } from './helpers/demo-db';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONE = DEMO_SCHOOL.timezone;
let env: TestWorkflowEnvironment;
let db: Knex;
let store: Store;
let dir: string;
const semesterId = 'service-test';

beforeAll(async () => {
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  const fx = await demoDb('service', { semesterId, taskModel: 'per-task' });
  ({ db, store, dir } = fx);
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function withTask<T>(fn: (input: TaskInput) => Promise<T>): Promise<T> {
  const queue = uniqueQueue('service');
  const now = await env.currentTimeMs();
  const dueAt = dueInFiveDays(now);
  const input = keyCareTask(
    { openAt: now + HOUR, dueAt },
    {
      taskId: `task.${semesterId}.literature.${KEY_CARE_TASK}.${queue}`,
      semesterId,
      collegeId: 'literature',
      occurrence: queue,
      remindAts: [dueAt - 3 * DAY, dueAt - DAY],
    },
  );
  const worker = await testWorker(env, queue, taskActivities({ store, knex: db }, env.client));
  return worker.runUntil(async () => {
    await env.client.workflow.start(taskWorkflow, { args: [input], taskQueue: queue, workflowId: input.taskId });
    await env.sleep(2 * HOUR); // opened
    return fn(input);
  });
}

/**
 * Waits until the task workflow has completed. (Polls describe(): on the time-skipping server a
 * result() after rejected updates can wait forever although the workflow has completed.)
 */
async function closed(taskId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await env.client.workflow.getHandle(taskId).describe()).status.name === 'COMPLETED') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${taskId} did not complete`);
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TaskRejectedError);
    return (e as Error).message;
  }
  throw new Error('was accepted');
}

describe('moving a due date', () => {
  test('When the school admin moves a due date three days later, then the timers move with it', async () => {
    await withTask(async (input) => {
      const newDue = DateTime.fromMillis(input.dueAt, { zone: ZONE }).plus({ days: 3 });
      const state = await moveDue(
        env.client,
        store,
        input.taskId,
        admin,
        newDue.toFormat('yyyy-MM-dd HH:mm'),
        '国庆调休',
      );
      expect(state.dueAt).toBe(newDue.toMillis());
      expect(state.remindAts).toEqual([newDue.minus({ days: 3 }).toMillis(), newDue.minus({ days: 1 }).toMillis()]);
      expect(state.level2At).toBe(newDue.plus({ days: 2 }).toMillis());

      await env.sleep(input.dueAt + HOUR - (await env.currentTimeMs())); // past the old due time
      expect((await store.getTaskInstance(input.taskId))?.status).toBe('open');
      await env.sleep(newDue.toMillis() + HOUR - (await env.currentTimeMs())); // past the new one
      const audit = await store.listAudit({ subjectType: 'task', subjectId: input.taskId });
      expect(audit.map((a) => a.action)).toEqual(['opened', 'due-moved', 'reminded', 'reminded', 'overdue']);
      expect(audit.find((a) => a.action === 'overdue')?.at).toBe(newDue.toMillis());
      expect(audit.find((a) => a.action === 'due-moved')).toMatchObject({
        actor: 'admin',
        details: { from: input.dueAt, to: newDue.toMillis(), reason: '国庆调休' },
      });
      expect((await store.getTaskInstance(input.taskId))?.dueAt).toBe(newDue.toMillis());
    });
  });

  test('When staff try to move a due date or write a bad date, then they are refused with the reason', async () => {
    await withTask(async (input) => {
      expect(await rejection(moveDue(env.client, store, input.taskId, counsellor, '2030-01-01 17:00', 'x'))).toBe(
        'only the school administration may move a due date',
      );
      expect(await rejection(moveDue(env.client, store, input.taskId, admin, '2030-13-01 17:00', 'x'))).toBe(
        '"2030-13-01 17:00" is not a date and time written YYYY-MM-DD HH:mm',
      );
      // a date within the window of domain/dates.ts (at most about a year ahead), so the reason is what is refused
      const soon = DateTime.now().plus({ months: 2 }).toFormat('yyyy-MM-dd 17:00');
      expect(await rejection(moveDue(env.client, store, input.taskId, admin, soon, ' '))).toBe(
        'a reason is required to move a due date',
      );
    });
  });
});

describe('closing a task', () => {
  test('When a task is completed twice, then the second time is refused as already completed', async () => {
    await withTask(async (input) => {
      const state = await completeTask(env.client, store, input.taskId, {
        actor: counsellor,
        note: '名单已更新',
        files: [],
      });
      expect(state).toMatchObject({ status: 'completed', late: false });
      await closed(input.taskId);
      expect(
        await rejection(completeTask(env.client, store, input.taskId, { actor: counsellor, note: '再次', files: [] })),
      ).toBe('this task is already completed');
      expect(await store.getTaskInstance(input.taskId)).toMatchObject({
        status: 'completed',
        note: '名单已更新',
        completedBy: counsellor.userId,
      });
    });
  });

  test('When staff try to waive, then only the college leader with a reason may', async () => {
    await withTask(async (input) => {
      expect(await rejection(waiveTask(env.client, store, input.taskId, counsellor, '不需要'))).toBe(
        'only the college leader may waive a task',
      );
      expect(await rejection(waiveTask(env.client, store, input.taskId, leader, '  '))).toBe(
        'a reason is required to waive a task',
      );
      await waiveTask(env.client, store, input.taskId, leader, '本月无新增关注学生');
      await closed(input.taskId);
      expect(await store.getTaskInstance(input.taskId)).toMatchObject({
        status: 'waived',
        waivedReason: '本月无新增关注学生',
      });
      expect(
        await rejection(completeTask(env.client, store, input.taskId, { actor: counsellor, note: 'x', files: [] })),
      ).toBe('this task was waived and is closed');
    });
  });

  test('When a task id is unknown, then it is reported as not found', async () => {
    await expect(
      completeTask(env.client, store, 'task.nope', { actor: counsellor, note: 'x', files: [] }),
    ).rejects.toThrow('unknown task task.nope');
  });
});
