/**
 * Issue 10, finding 3, on the real dev server (it answers visibility list queries; the
 * time-skipping server does not): the scan finds a terminated task and a crisis case whose
 * supervision was terminated (the case's workflow then fails) through a visibility query and
 * marks both; a step on the case answers the restart message; the restarted case keeps its
 * supervision's guardian and check-ins, so the next check-in is accepted at once.
 */
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { present } from '../helpers/wait';
import { sessionUser } from '../helpers/actors';
import { freshIntegrity, quietOutbox, verifyingWorker, stopAll } from '../helpers/worker';
import { createActivities } from '../../activities';
import { createCrisisActivities } from '../../activities/crisis';
import { appClient } from '../../codec/signing';
import { createDeliveryActivities } from '../../notifications/outbox';
import { actOnCase, reportCase } from '../../server/features/crisis/use-cases';
import { restartStopped, scanEndedWorkflows, type ScanResult } from '../../server/features/operations/use-cases';
import { TaskRejectedError } from '../../server/features/tasks/use-cases';
import { taskWorkflow } from '../../workflows';
import { supervisionStateQuery, type TaskInput } from '../../contracts';
import { devServerEnv, uniqueQueue } from '../helpers/temporal';
import { webFixture, type WebFixture } from '../helpers/web';

let env: TestWorkflowEnvironment;
let fx: WebFixture;
let app: Client;
let queue: string;
let worker: Worker;
let running: Promise<void>;

const user = sessionUser('literature-counsellor', 'counsellor' as const, 'literature', 'c');
const admin = { userId: 'admin', role: 'school_admin' as const, collegeId: null };

beforeAll(async () => {
  env = await devServerEnv();
  queue = uniqueQueue('ended-dev');
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  fx = await webFixture({ taskQueue: queue }, { taskModel: 'per-task' });
  const integrity = await freshIntegrity(fx.knex);
  app = appClient({ connection: env.connection }, integrity);
  worker = await verifyingWorker(env, queue, integrity, {
    ...createActivities({ store: fx.store, client: app }),
    ...createCrisisActivities({ store: fx.store, knex: fx.knex }),
    ...createDeliveryActivities({ outbox: quietOutbox(fx.knex) }),
  });
  running = worker.run();
}, 120_000);

afterAll(() => stopAll({ worker, running, env, fx }));

describe('the scan through Temporal visibility', () => {
  test('When a task and a supervised case are stopped from outside, then the scan marks both, a step answers the restart message, and the restarted case keeps its guardian and check-ins', async () => {
    const planned = (
      await createActivities({ store: fx.store }).planCollegeTasks({
        semesterId: fx.semesterId,
        collegeId: 'literature',
      })
    ).tasks;
    const task: TaskInput = planned.find((t) => t.ownerRole === 'counsellor')!;
    await app.workflow.start(taskWorkflow, { args: [task], taskQueue: queue, workflowId: task.taskId });
    await present('the task opens', async () =>
      ['open', 'overdue'].includes((await fx.store.getTaskInstance(task.taskId))?.status ?? ''),
    );

    const deps = { client: app, store: fx.store, knex: fx.knex, taskQueue: queue, now: Date.now() };
    const { caseId } = await reportCase(deps, user, {
      studentNo: 'D2024001',
      studentName: '测试',
      collegeId: 'literature',
      situation: 'self_harm_risk',
      place: '宿舍',
      occurredAt: Date.now() - 60_000,
    });
    await present('the supervision runs', () =>
      app.workflow
        .getHandle(`supervision.${caseId}`)
        .describe()
        .then(
          (d) => d.status.name === 'RUNNING',
          () => false,
        ),
    );
    await actOnCase({ client: app, knex: fx.knex }, user, caseId, 'guardian', {
      guardianUserId: 'literature-counsellor',
    });
    await actOnCase({ client: app, knex: fx.knex }, user, caseId, 'check-in', { note: 'calm' });

    // stopped from outside: the task, and the case's supervision (the case's workflow then fails)
    await env.client.workflow.getHandle(task.taskId).terminate('stopped from the Web UI');
    await env.client.workflow.getHandle(`supervision.${caseId}`).terminate('stopped from the Web UI');
    await present('the case workflow fails', () =>
      app.workflow
        .getHandle(`crisis.${caseId}`)
        .describe()
        .then((d) => d.status.name === 'FAILED'),
    );

    const found = new Map<string, string>();
    let scan: ScanResult | undefined;
    await present('the scan finds both', async () => {
      scan = await scanEndedWorkflows({ client: app, store: fx.store, schoolId: 'demo-school', now: Date.now() });
      for (const f of scan.found) found.set(`${f.kind}:${f.id}`, f.status);
      return found.size >= 2;
    });
    expect(scan?.via).toBe('visibility');
    expect(Object.fromEntries(found)).toEqual({
      [`task:${task.taskId}`]: 'TERMINATED',
      [`crisis:${caseId}`]: 'FAILED',
    });
    expect((await fx.store.listEndedWorkflows('demo-school')).map((r) => [r.kind, r.id, r.endStatus])).toEqual(
      expect.arrayContaining([
        ['task', task.taskId, 'TERMINATED'],
        ['crisis', caseId, 'FAILED'],
      ]),
    );

    // a step on the stopped case: the restart message (409 through the web layer), never a 500
    const refused = await actOnCase({ client: app, knex: fx.knex }, user, caseId, 'check-in', { note: 'again' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TaskRejectedError);
    expect((refused as Error).message).toMatch(/stopped outside the app; the school administration can restart it/);

    // the restart: the supervision continues from its guardian and its check-in
    await restartStopped({ ...deps, schoolId: 'demo-school' }, 'crisis', caseId, admin);
    const supervision = app.workflow.getHandle(`supervision.${caseId}`);
    await present('the supervision runs again', () =>
      supervision.describe().then(
        (d) => d.status.name === 'RUNNING',
        () => false,
      ),
    );
    const state = await present('the supervision answers', () =>
      supervision.query(supervisionStateQuery).catch(() => undefined),
    );
    expect(state).toMatchObject({ guardianUserId: 'literature-counsellor', checkIns: 1, handOver: null });
    // without the guardian carried over, a check-in would be refused ("assign a guardian before checking in")
    const after = (await actOnCase({ client: app, knex: fx.knex }, user, caseId, 'check-in', {
      note: 'after the restart',
    })) as { checkIns: number };
    expect(after.checkIns).toBe(2);
    expect((await fx.store.listEndedWorkflows('demo-school')).map((r) => r.id)).toEqual([task.taskId]);
    const actions = (await fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId })).map((a) => a.action);
    expect(actions.filter((a) => a === 'guardian-assigned')).toHaveLength(1);
    expect(actions.filter((a) => a === 'workflow-ended-externally')).toHaveLength(1);
  });
});
