/**
 * Issue 10, finding 3: a task workflow terminated from the Temporal Web UI or CLI. Completing the
 * task then answers a clear refusal (409 through the web layer), never a 500; the stop is
 * recorded; the school admin's restart starts a new run under the same id, after which the task
 * can be completed; a completed task is never restarted.
 */
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshIntegrity, quietOutbox, verifyingWorker } from '../helpers/worker';
import { noteOnlyTasks } from '../helpers/tasks';
import { createActivities } from '../../activities';
import { appClient, type Integrity } from '../../codec/signing';
import { DEMO_SCHOOL } from '../../db/demo';
import { type Store } from '../../db/store';
import { createDeliveryActivities } from '../../notifications/outbox';
import {
  completeTask,
  restartTask,
  TaskRejectedError,
  WORKFLOW_ENDED_MESSAGE,
  WorkflowEndedError,
} from '../../server/features/tasks/use-cases';
import { taskWorkflow } from '../../workflows';
import { type TaskInput } from '../../contracts';
import { timeSkippingEnv, uniqueQueue } from '../helpers/temporal';
import { demoDb } from '../helpers/demo-db';

const semesterId = 'ended-test';
let db: Knex;
let store: Store;
let dir: string;
let integrity: Integrity;
let planned: TaskInput[];

beforeAll(async () => {
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  const fx = await demoDb('ended', { semesterId, taskModel: 'per-task' });
  ({ db, store, dir } = fx);
  integrity = await freshIntegrity(db);
  // the stored plan of one college (the 2024 calendar is past: a started task opens and falls overdue at once)
  planned = await noteOnlyTasks(store, semesterId);
});
afterAll(async () => {
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const counsellor = { userId: 'literature-counsellor', role: 'counsellor' as const, collegeId: 'literature' };
const admin = { userId: 'admin', role: 'school_admin' as const, collegeId: null };

async function withWorker<T>(
  fn: (c: { env: TestWorkflowEnvironment; queue: string; app: Client }) => Promise<T>,
): Promise<T> {
  const env = await timeSkippingEnv();
  try {
    const queue = uniqueQueue('ended');
    const app = appClient({ connection: env.connection }, integrity, () => env.currentTimeMs());
    const worker = await verifyingWorker(env, queue, integrity, {
      ...createActivities({ store, client: app }),
      ...createDeliveryActivities({ outbox: quietOutbox(db) }),
    });
    return await worker.runUntil(fn({ env, queue, app }));
  } finally {
    await env.teardown();
  }
}

async function untilStatus(store: Store, taskId: string, statuses: string[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (statuses.includes((await store.getTaskInstance(taskId))?.status ?? '')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${taskId} never reached ${statuses.join('/')}`);
}

const note = (text: string) => ({ actor: counsellor, note: text, files: [], activities: undefined });

describe('a task workflow terminated outside the app', () => {
  test('When the task is completed after a terminate, then it is refused with the restart message and the stop is recorded; after the admin restarts it, the task completes', async () => {
    await withWorker(async ({ queue, app, env }) => {
      const task = planned[0]!;
      await app.workflow.start(taskWorkflow, { args: [task], taskQueue: queue, workflowId: task.taskId });
      await untilStatus(store, task.taskId, ['open', 'overdue']);
      await env.client.workflow.getHandle(task.taskId).terminate('stopped from the Web UI');

      const refused = await completeTask(app, store, task.taskId, note('done')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(WorkflowEndedError);
      expect(refused).toBeInstanceOf(TaskRejectedError); // answered 409 by the web layer (server/app.ts classify)
      expect((refused as Error).message).toBe(WORKFLOW_ENDED_MESSAGE);
      const audit = await store.listAudit({ subjectType: 'task', subjectId: task.taskId });
      expect(audit.filter((a) => a.action === 'workflow-ended-externally')).toEqual([
        expect.objectContaining({ actor: 'system', details: expect.objectContaining({ status: 'TERMINATED' }) }),
      ]);
      expect((await store.getTaskInstance(task.taskId))?.status).not.toBe('completed');
      // the read model is marked: the school admin's list of stopped workflows shows it
      expect(await store.listEndedWorkflows(DEMO_SCHOOL.id)).toEqual([
        expect.objectContaining({ kind: 'task', id: task.taskId, endStatus: 'TERMINATED', collegeId: 'literature' }),
      ]);

      const { runId } = await restartTask(app, store, task.taskId, queue, admin);
      const d = await app.workflow.getHandle(task.taskId).describe();
      expect(d.status.name).toBe('RUNNING');
      expect(d.runId).toBe(runId);
      expect(await store.listEndedWorkflows(DEMO_SCHOOL.id)).toEqual([]); // the mark is cleared by the restart
      const state = await completeTask(app, store, task.taskId, note('done after the restart'));
      expect(state.status).toBe('completed');
      expect(await store.getTaskInstance(task.taskId)).toMatchObject({
        status: 'completed',
        note: 'done after the restart',
      });
      // the steps recorded before the stop are not recorded twice
      const actions = (await store.listAudit({ subjectType: 'task', subjectId: task.taskId })).map((a) => a.action);
      expect(actions.filter((a) => a === 'opened')).toHaveLength(1);
    });
  });

  test('When the admin asks to restart a completed task, then it is refused', async () => {
    await withWorker(async ({ queue, app }) => {
      const task = planned[1]!;
      await app.workflow.start(taskWorkflow, { args: [task], taskQueue: queue, workflowId: task.taskId });
      // the past semester: the task opens, falls overdue and escalates at once; completed after
      // that, so no escalation recorded concurrently writes its older status over 'completed'
      for (let i = 0; i < 200 && (await store.getTaskInstance(task.taskId))?.escalationLevel !== 2; i++)
        await new Promise((r) => setTimeout(r, 50));
      await completeTask(app, store, task.taskId, note('done'));
      await untilStatus(store, task.taskId, ['completed']);
      await expect(restartTask(app, store, task.taskId, queue, admin)).rejects.toThrow(/already completed/);
    });
  });
});
