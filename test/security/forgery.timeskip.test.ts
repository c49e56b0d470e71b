/**
 * Issue 10, finding 4: forged Updates, Signals and starts sent past the app, straight to Temporal
 * (as the `temporal` CLI or the Web UI would), through a raw client (no signature) and a client
 * signing with a key that is not the app's. Each is refused and the workflow and the read model
 * stay as they were; the app's own client still works.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KEY_CARE_TASK, keyCareTask } from '../helpers/tasks';
import { freshIntegrity, quietOutbox, verifyingWorker } from '../helpers/worker';
import { createActivities } from '../../activities';
import type { CrisisEvent } from '../../activities/crisis';
import { appClient, keyFromSeed, verifyRun, type Integrity } from '../../codec/signing';
import { type Store } from '../../db/store';
import { createDeliveryActivities } from '../../notifications/outbox';
import { startCollege, startSemester } from '../../server/features/semesters/use-cases/start';
import { completeTask } from '../../server/features/tasks/use-cases';
import { crisisCaseWorkflow, taskWorkflow } from '../../workflows';
import { DEFAULT_CRISIS_DURATIONS } from '../../domain/care-durations';
import {
  checkInUpdate,
  completeTaskUpdate,
  semesterCollegesQuery,
  setGuardianUpdate,
  supervisionStateQuery,
  taskStateQuery,
  type TaskInput,
} from '../../contracts';
import { addCollegeSignal, addCollegeUpdate } from '../../contracts';
import { timeSkippingEnv, uniqueQueue } from '../helpers/temporal';
import { demoDb } from '../helpers/demo-db';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const semesterId = 'forgery-test';
let db: Knex;
let store: Store;
let dir: string;
let integrity: Integrity;
const wrongKey = keyFromSeed(randomBytes(32));

beforeAll(async () => {
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  const fx = await demoDb('forgery', { semesterId, taskModel: 'per-task' });
  ({ db, store, dir } = fx);
  integrity = await freshIntegrity(db);
});
afterAll(async () => {
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const counsellor = { userId: 'literature-counsellor', role: 'counsellor' as const, collegeId: 'literature' };
const leader = { userId: 'literature-college-leader', role: 'college_leader' as const, collegeId: 'literature' };

interface Ctx {
  env: TestWorkflowEnvironment;
  queue: string;
  /** the app's client: signs with the app's key */
  app: Client;
  /** no signature at all: the CLI or the Web UI */
  raw: Client;
  /** signs with a key that is not the app's */
  wrong: Client;
  crisisEvents: CrisisEvent[];
}

/** Each test gets its own time-skipping server (a rejected Update can hold its time-skipping lock). */
async function withWorker<T>(fn: (c: Ctx) => Promise<T>, extra: Record<string, unknown> = {}): Promise<T> {
  const env = await timeSkippingEnv();
  try {
    const queue = uniqueQueue('forgery');
    const clock = () => env.currentTimeMs();
    const app = appClient({ connection: env.connection }, integrity, clock);
    const wrong = appClient(
      { connection: env.connection },
      { ...integrity, keys: { current: wrongKey, previous: [] } },
      clock,
    );
    const crisisEvents: CrisisEvent[] = [];
    const worker = await verifyingWorker(env, queue, integrity, {
      ...createActivities({ store, client: app }),
      ...createDeliveryActivities({ outbox: quietOutbox(db) }),
      async recordCrisisEvent(e: CrisisEvent) {
        crisisEvents.push(e);
        return { applied: true, eventKey: `crisis.${e.caseId}/${e.step}` };
      },
      ...extra,
    });
    return await worker.runUntil(fn({ env, queue, app, raw: env.client, wrong, crisisEvents }));
  } finally {
    await env.teardown();
  }
}

/** The key-care task of literature in the test's semester, opening in an hour, due 5 days from now. */
async function taskInput(env: TestWorkflowEnvironment, queue: string): Promise<TaskInput> {
  const now = await env.currentTimeMs();
  return keyCareTask(
    { openAt: now + HOUR, dueAt: now + 5 * DAY },
    {
      taskId: `task.${semesterId}.literature.${KEY_CARE_TASK}.${queue}`,
      semesterId,
      collegeId: 'literature',
      occurrence: queue,
    },
  );
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
    return (e as WorkflowUpdateFailedError).cause?.message ?? '';
  }
  throw new Error('was accepted');
}

describe('forged Updates', () => {
  test('When a completeTask Update comes without the app’s signature or with another key, then it is refused and the task stays open; the app’s own completion works', async () => {
    await withWorker(async ({ env, queue, app, raw, wrong }) => {
      const input = await taskInput(env, queue);
      await app.workflow.start(taskWorkflow, { args: [input], taskQueue: queue, workflowId: input.taskId });
      await env.sleep(2 * HOUR); // opened
      expect((await store.getTaskInstance(input.taskId))?.status).toBe('open');
      const req = { actor: counsellor, note: '伪造', files: [] };

      expect(
        await refusal(raw.workflow.getHandle(input.taskId).executeUpdate(completeTaskUpdate, { args: [req] })),
      ).toMatch(/not signed by the app \(no proof\)/);
      expect(
        await refusal(wrong.workflow.getHandle(input.taskId).executeUpdate(completeTaskUpdate, { args: [req] })),
      ).toMatch(/not signed by the app \(the signature does not verify\)/);

      expect((await app.workflow.getHandle(input.taskId).query(taskStateQuery)).status).toBe('open');
      expect(await store.getTaskInstance(input.taskId)).toMatchObject({ status: 'open', completedBy: null });
      expect((await store.listAudit({ subjectType: 'task', subjectId: input.taskId })).map((a) => a.action)).toEqual([
        'opened',
      ]);

      const state = await completeTask(app, store, input.taskId, { actor: counsellor, note: '名单已更新', files: [] });
      expect(state.status).toBe('completed');
      expect(await store.getTaskInstance(input.taskId)).toMatchObject({
        status: 'completed',
        completedBy: counsellor.userId,
        note: '名单已更新',
      });
    });
  });

  test('When a supervision check-in comes without the app’s signature or with another key, then it is refused and no check-in is recorded', async () => {
    await withWorker(async ({ env, queue, app, raw, wrong, crisisEvents }) => {
      const caseId = randomUUID();
      const t0 = await env.currentTimeMs();
      await app.workflow.start(crisisCaseWorkflow, {
        args: [
          {
            caseId,
            collegeId: 'literature',
            situation: 'self_harm_risk',
            reportedAt: t0,
            reportedBy: counsellor.userId,
            durations: DEFAULT_CRISIS_DURATIONS,
          },
        ],
        taskQueue: queue,
        workflowId: `crisis.${caseId}`,
      });
      // the supervision is the case's child: it runs with the case's start proof
      const supervision = (c: Client) => c.workflow.getHandle(`supervision.${caseId}`);
      for (let i = 0; i < 100; i++) {
        if (
          await supervision(raw)
            .describe()
            .then(
              () => true,
              () => false,
            )
        )
          break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await supervision(app).executeUpdate(setGuardianUpdate, {
        args: [{ actor: leader, guardianUserId: counsellor.userId }],
      });

      const checkIn = { actor: counsellor, note: '一切正常' };
      expect(await refusal(supervision(raw).executeUpdate(checkInUpdate, { args: [checkIn] }))).toMatch(
        /not signed by the app \(no proof\)/,
      );
      expect(await refusal(supervision(wrong).executeUpdate(checkInUpdate, { args: [checkIn] }))).toMatch(
        /not signed by the app/,
      );
      expect((await supervision(app).query(supervisionStateQuery)).checkIns).toBe(0);
      expect(crisisEvents.filter((e) => e.action === 'check-in')).toEqual([]);

      expect((await supervision(app).executeUpdate(checkInUpdate, { args: [checkIn] })).checkIns).toBe(1);
      expect(crisisEvents.filter((e) => e.action === 'check-in').map((e) => e.actor)).toEqual([counsellor.userId]);
    });
  });
});

describe('forged Signals', () => {
  test('When addCollege is signalled without the app’s signature or with another key, then it is ignored; the app’s addCollege Update adds the college', async () => {
    // the colleges' semesters plan nothing here: this test is about the semester workflow
    const planCollegeTasks = async () => ({ endsAt: Date.now() + 365 * DAY, tasks: [] });
    await withWorker(
      async ({ queue, app, raw, wrong }) => {
        await startSemester(app, store, semesterId, queue, { searchAttributes: false });
        const semester = (c: Client) => c.workflow.getHandle(`semester.${semesterId}`);
        await semester(raw).signal(addCollegeSignal, 'forged-by-cli');
        await semester(wrong).signal(addCollegeSignal, 'forged-with-other-key');
        // the app's Update comes after both signals in the history; it answers the colleges started or queued
        const colleges = await semester(app).executeUpdate(addCollegeUpdate, { args: ['literature'] });
        expect(colleges).not.toContain('forged-by-cli');
        expect(colleges).not.toContain('forged-with-other-key');
        expect(colleges).toContain('literature');
        // the use case sends the same Update
        await startCollege(app, store, semesterId, 'science', queue);
        expect(await semester(app).query(semesterCollegesQuery)).not.toContain('forged-by-cli');
        expect((await semester(app).describe()).status.name).toBe('RUNNING');
      },
      { planCollegeTasks },
    );
  });
});

describe('forged starts', () => {
  test('When a task workflow is started with a key that is not the app’s, or with none, then its activities refuse to write and nothing reaches the read model', async () => {
    await withWorker(async ({ env, queue, raw, wrong }) => {
      const input = await taskInput(env, queue);
      const forgedIds = [`${input.taskId}.wrong-key`, `${input.taskId}.unsigned`];
      await wrong.workflow.start(taskWorkflow, {
        args: [{ ...input, taskId: forgedIds[0]! }],
        taskQueue: queue,
        workflowId: forgedIds[0]!,
      });
      await raw.workflow.start(taskWorkflow, {
        args: [{ ...input, taskId: forgedIds[1]! }],
        taskQueue: queue,
        workflowId: forgedIds[1]!,
      });
      await env.sleep(2 * HOUR); // past the opening
      for (const id of forgedIds) {
        const d = await raw.workflow.getHandle(id).describe();
        expect(d.status.name).toBe('FAILED');
        expect(await store.getTaskInstance(id)).toBeUndefined();
        expect(await store.listAudit({ subjectType: 'task', subjectId: id })).toEqual([]);
      }
    });
  });

  test('When someone starts a workflow under a planned task id before the app, then the app terminates it, records the forgery and starts its own', async () => {
    await withWorker(async ({ env, queue, app, raw }) => {
      const input = await taskInput(env, queue);
      // the forger's version: due in a year, so nothing would escalate
      const forged = await raw.workflow.start(taskWorkflow, {
        args: [{ ...input, dueAt: input.dueAt + 365 * DAY, level2At: input.level2At + 365 * DAY }],
        taskQueue: queue,
        workflowId: input.taskId,
      });
      const activities = createActivities({ store, client: app });
      const result = await new MockActivityEnvironment({ taskQueue: queue }).run(activities.startTaskWorkflows, {
        tasks: [input],
        searchAttributes: false,
      });
      expect(result).toEqual({ started: 0, existing: 0, replaced: 1 });

      expect((await raw.workflow.getHandle(input.taskId, forged.firstExecutionRunId).describe()).status.name).toBe(
        'TERMINATED',
      );
      const current = await raw.workflow.getHandle(input.taskId).describe();
      expect(current.status.name).toBe('RUNNING');
      expect(current.runId).not.toBe(forged.firstExecutionRunId);
      expect(await verifyRun(app, input.taskId, integrity)).toBeNull();
      expect((await app.workflow.getHandle(input.taskId).query(taskStateQuery)).dueAt).toBe(input.dueAt);
      const audit = await store.listAudit({ subjectType: 'task', subjectId: input.taskId });
      expect(audit).toEqual([expect.objectContaining({ action: 'forged-workflow-replaced', actor: 'system' })]);

      // the app's own run is counted, not replaced, the next time
      expect(
        await new MockActivityEnvironment({ taskQueue: queue }).run(activities.startTaskWorkflows, {
          tasks: [input],
          searchAttributes: false,
        }),
      ).toEqual({ started: 0, existing: 1, replaced: 0 });
    });
  });
});
