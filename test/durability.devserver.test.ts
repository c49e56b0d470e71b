/**
 * Durability on the real dev server: the worker process (server/worker.ts, as `npm start` runs it)
 * is killed with SIGKILL between a task's reminders and restarted after its due time passed.
 * Every reminder and escalation still happens, at its planned instant, exactly once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoDb } from './helpers/demo-db';
import {
  inboxKinds,
  killAll,
  killHard,
  sleep,
  startApp,
  WHOLE_LADDER_INBOXES,
  wholeLadderSteps,
} from './helpers/processes';
import { keyCareTask } from './helpers/tasks';
import { until as waitUntil } from './helpers/wait';
import { appClient, loadIntegrity } from '../codec/signing';
import { DEMO_COLLEGES } from '../db/demo';
import { type Store } from '../db/store';
import { taskWorkflow } from '../workflows';
import { type TaskInput } from '../contracts';
import { devServerEnv, uniqueQueue } from './helpers/temporal';

/** the semester the test's task workflows belong to (created as before: the default task model) */
const SEMESTER = 'durable-semester';
let env: TestWorkflowEnvironment;
let db: Knex;
let store: Store;
let dir: string;

beforeAll(async () => {
  ({ db, store, dir } = await demoDb('durable', { semesterId: SEMESTER }));
  env = await devServerEnv();
});
afterAll(async () => {
  await killAll();
  await env?.teardown();
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts server/worker.ts as its own process (its own process group); resolves when it polls. */
const startWorker = (queue: string) =>
  startApp(
    'worker',
    'worker.ts',
    'worker: polling',
    {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: queue,
      SQLITE_FILE: path.join(dir, 'app.sqlite'),
      NODE_ENV: 'test',
    },
    60_000,
  );

const until = (what: string, check: () => Promise<boolean>, ms: number) => waitUntil(what, check, { ms, everyMs: 200 });

describe('worker killed mid-semester (dev server)', () => {
  test('When the worker is killed with SIGKILL and restarted, then no reminder or escalation is lost and none is sent twice', async () => {
    const queue = uniqueQueue('durable');
    const semesterId = SEMESTER;

    let worker = await startWorker(queue);
    const t0 = Date.now();
    const tasks: TaskInput[] = DEMO_COLLEGES.slice(0, 3).map((c) =>
      keyCareTask(
        { openAt: t0 + 2000, dueAt: t0 + 12_000 },
        {
          taskId: `task.${semesterId}.${c.id}.2024-10-01-update-key-care-list`,
          semesterId,
          collegeId: c.id,
          remindAts: [t0 + 5000, t0 + 9000],
          level2At: t0 + 15_000,
        },
      ),
    );
    // started as the app starts them: signed with the same development key the worker process loads
    // (a start the app did not sign writes nothing: test/security/forgery.timeskip.test.ts)
    const app = appClient({ connection: env.connection }, await loadIntegrity(db, { NODE_ENV: 'test' }));
    for (const t of tasks)
      await app.workflow.start(taskWorkflow, { args: [t], taskQueue: queue, workflowId: t.taskId });

    const actionsOf = async (taskId: string) =>
      (await store.listAudit({ subjectType: 'task', subjectId: taskId })).map((a) => a.action);
    // 1. the first reminder went out, then the worker dies without warning
    await until(
      'first reminders',
      async () => (await Promise.all(tasks.map((t) => actionsOf(t.taskId)))).every((a) => a.includes('reminded')),
      30_000,
    );
    await killHard(worker);
    // 2. while it is down the second reminder and the due time pass
    await sleep(t0 + 12_500 - Date.now());
    for (const t of tasks) expect(await actionsOf(t.taskId)).toEqual(['opened', 'reminded']);
    worker = await startWorker(queue);
    // 3. after the restart everything missed happens, and level 2 on time
    await until(
      'level-2 escalations',
      async () => (await Promise.all(tasks.map((t) => actionsOf(t.taskId)))).every((a) => a.includes('escalated')),
      60_000,
    );
    await sleep(1500); // room for any duplicate to show up
    await killHard(worker);

    for (const t of tasks) {
      const audit = await store.listAudit({ subjectType: 'task', subjectId: t.taskId });
      expect(audit.map((a) => [a.action, a.at])).toEqual(wholeLadderSteps(t));
      const row = await store.getTaskInstance(t.taskId);
      expect(row).toMatchObject({ status: 'overdue', escalationLevel: 2, remindersSent: 2 });
      expect(await inboxKinds(store, t, ['counsellor', 'college-leader', 'admin', 'class-teacher'])).toEqual({
        ...WHOLE_LADDER_INBOXES,
        'class-teacher': [],
      });
    }
  }, 150_000);
});
