/**
 * Durability on the real dev server: the worker process (server/worker.ts, as `npm start` runs it)
 * is killed with SIGKILL between a task's reminders and restarted after its due time passed.
 * Every reminder and escalation still happens, at its planned instant, exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoDb, registerAutumn } from './helpers/demo-db';
import { keyCareTask } from './helpers/tasks';
import { appClient, loadIntegrity } from '../codec/signing';
import { DEMO_COLLEGES, DEMO_SCHOOL } from '../db/demo';
import { type Store } from '../db/store';
import { createSemester } from '../server/features/semesters/use-cases/setup';
import { taskWorkflow } from '../workflows';
import { type TaskInput } from '../contracts';
import { devServerEnv, uniqueQueue } from './helpers/temporal';

const ROOT = path.resolve(__dirname, '..');
let env: TestWorkflowEnvironment;
let db: Knex;
let store: Store;
let dir: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  ({ db, store, dir } = await demoDb('durable', { register: false }));
  env = await devServerEnv();
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await env?.teardown();
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts server/worker.ts as its own process; resolves when it polls. */
async function startWorker(queue: string): Promise<ChildProcess> {
  const proc = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'server', 'worker.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: queue,
      SQLITE_FILE: path.join(dir, 'app.sqlite'),
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the kill reaches tsx's child node process too
  });
  workers.push(proc);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    const onData = (c: Buffer) => {
      output += c.toString();
      if (output.includes('worker: polling')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${output}`)));
  });
  return proc;
}

function killHard(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    process.kill(-proc.pid!, 'SIGKILL');
  });
}

async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

describe('worker killed mid-semester (dev server)', () => {
  test('When the worker is killed with SIGKILL and restarted, then no reminder or escalation is lost and none is sent twice', async () => {
    const queue = uniqueQueue('durable');
    const { template } = await registerAutumn(store);
    const semesterId = `durable-${queue}`;
    await createSemester(store, {
      id: semesterId,
      schoolId: DEMO_SCHOOL.id,
      templateId: template.id,
      templateVersion: template.version,
      calendarId: '2024-autumn',
    });

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
      expect(audit.map((a) => [a.action, a.at])).toEqual([
        ['opened', t.openAt],
        ['reminded', t.remindAts[0]],
        ['reminded', t.remindAts[1]],
        ['overdue', t.dueAt],
        ['escalated', t.level2At],
      ]);
      const row = await store.getTaskInstance(t.taskId);
      expect(row).toMatchObject({ status: 'overdue', escalationLevel: 2, remindersSent: 2 });
      const inbox = async (user: string) =>
        (await store.listNotifications(user))
          .filter((n) => n.subjectId === t.taskId)
          .map((n) => n.kind)
          .sort();
      expect(await inbox(`${t.collegeId}-counsellor`)).toEqual(['escalation_l1', 'opened', 'reminder', 'reminder']);
      expect(await inbox(`${t.collegeId}-college-leader`)).toEqual(['escalation_l1']);
      expect(await inbox('admin')).toEqual(['escalation_l2']);
      expect(await inbox(`${t.collegeId}-class-teacher`)).toEqual([]);
    }
  }, 150_000);
});
