/**
 * Issue 10, finding 3 (the admin side): a task and a crisis case whose workflows are terminated,
 * and a pairing whose workflow is cancelled, through a raw Temporal client (as from the Web UI).
 * The scan marks the task and case rows in the read model and finds the pairing; the admin page
 * and API list all three (others get 403); the daily digest counts them; a restart from the page
 * (with the CSRF token) lets the task be completed, the restarted case keeps the steps already
 * taken and escalates only what is still open, and the pairing's clock runs from its last talk. The time-skipping server has no
 * visibility list, so the scan describes each open row here (see ended-workflow.devserver.test.ts).
 */
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { present } from '../helpers/wait';
import { sessionUser } from '../helpers/actors';
import { noteOnlyTasks } from '../helpers/tasks';
import { freshIntegrity, quietOutbox, verifyingWorker, stopAll } from '../helpers/worker';
import { createActivities } from '../../activities';
import { createCrisisActivities } from '../../activities/crisis';
import { createDigestActivities } from '../../activities/digest';
import { createPairingActivities } from '../../activities/pairing';
import { assignPairing } from '../../server/features/care/use-cases';
import { appClient } from '../../codec/signing';
import { createDeliveryActivities } from '../../notifications/outbox';
import { reportCase } from '../../server/features/crisis/use-cases';
import { scanEndedWorkflows } from '../../server/features/operations/use-cases';
import { completeTask } from '../../server/features/tasks/use-cases';
import { taskWorkflow } from '../../workflows';
import { acknowledgeOnSceneUpdate, crisisStateQuery, type TaskInput } from '../../contracts';
import { recordTalkUpdate } from '../../contracts';
import { timeSkippingEnv, uniqueQueue } from '../helpers/temporal';
import { login, webFixture, type WebFixture } from '../helpers/web';

let env: TestWorkflowEnvironment;
let fx: WebFixture;
let app: Client;
let queue: string;
let worker: Worker;
let running: Promise<void>;
let task: TaskInput;
let caseId: string;
let onSceneAt: number;
let pairingId: string;

const counsellor = { userId: 'literature-counsellor', role: 'counsellor' as const, collegeId: 'literature' };

beforeAll(async () => {
  env = await timeSkippingEnv();
  queue = uniqueQueue('ended-admin');
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  fx = await webFixture({ taskQueue: queue }, { taskModel: 'per-task' });
  const integrity = await freshIntegrity(fx.knex);
  app = appClient({ connection: env.connection }, integrity, () => env.currentTimeMs());
  fx.deps.client = app;
  worker = await verifyingWorker(env, queue, integrity, {
    ...createActivities({ store: fx.store, client: app }),
    ...createCrisisActivities({ store: fx.store, knex: fx.knex }),
    ...createPairingActivities({ store: fx.store, knex: fx.knex }),
    ...createDeliveryActivities({ outbox: quietOutbox(fx.knex) }),
  });
  running = worker.run();

  // a task of the literature college (the 2024 calendar is past: it opens and falls overdue at once)
  task = (await noteOnlyTasks(fx.store, fx.semesterId))[0]!;
  await app.workflow.start(taskWorkflow, { args: [task], taskQueue: queue, workflowId: task.taskId });
  await present('the task opens', async () =>
    ['open', 'overdue'].includes((await fx.store.getTaskInstance(task.taskId))?.status ?? ''),
  );

  // a crisis case, acknowledged on scene, not yet confirmed to the school
  const user = sessionUser('literature-counsellor', 'counsellor' as const, 'literature', 'c');
  ({ caseId } = await reportCase(
    { client: app, store: fx.store, knex: fx.knex, taskQueue: queue, now: Date.now() },
    user,
    {
      studentNo: 'E2024001',
      studentName: '测试',
      collegeId: 'literature',
      situation: 'injury',
      place: '宿舍',
      occurredAt: Date.now() - 60_000,
    },
  ));
  const state = await app.workflow
    .getHandle(`crisis.${caseId}`)
    .executeUpdate(acknowledgeOnSceneUpdate, { args: [{ actor: counsellor }] });
  onSceneAt = state.onSceneAt!;

  // a pairing with a talk recorded
  const leader = sessionUser('literature-college-leader', 'college_leader' as const, 'literature', 'l');
  ({ id: pairingId } = await assignPairing(
    { client: app, store: fx.store, knex: fx.knex, taskQueue: queue, now: Date.now() },
    leader,
    'literature',
    { teacherUserId: 'literature-class-teacher', studentNo: 'P2024001', studentName: '结对' },
  ));
  await app.workflow.getHandle(`pairing.${pairingId}`).executeUpdate(recordTalkUpdate, {
    args: [
      {
        actor: { userId: 'literature-class-teacher', role: 'class_teacher', collegeId: 'literature' },
        note: 'talked',
      },
    ],
  });

  // all stopped from outside the app (a raw client: the Web UI or the CLI)
  await env.client.workflow.getHandle(task.taskId).terminate('stopped from the Web UI');
  await env.client.workflow.getHandle(`crisis.${caseId}`).terminate('stopped from the Web UI');
  await env.client.workflow.getHandle(`pairing.${pairingId}`).cancel();
  await present('the pairing is cancelled', () =>
    app.workflow
      .getHandle(`pairing.${pairingId}`)
      .describe()
      .then((d) => d.status.name === 'CANCELLED'),
  );
}, 120_000);

afterAll(() => stopAll({ worker, running, env, fx }));

const ended = async () =>
  (await fx.knex('task_instances').where({ id: task.taskId }).first('workflow_ended_at', 'workflow_end_status')) as {
    workflow_ended_at: number | null;
    workflow_end_status: string | null;
  };
const caseEnded = async () =>
  (await fx.knex('crisis_cases').where({ id: caseId }).first('workflow_ended_at', 'workflow_end_status')) as {
    workflow_ended_at: number | null;
    workflow_end_status: string | null;
  };

describe('workflows stopped outside the app, as the school admin sees them', () => {
  test('When the scan runs, then the task and the case are marked in the read model, and each stop is audited once', async () => {
    const first = await scanEndedWorkflows({ client: app, store: fx.store, schoolId: 'demo-school', now: Date.now() });
    expect(first.via).toBe('describe'); // the time-skipping server answers no visibility list
    expect(first.found.map((f) => [f.kind, f.id, f.status])).toEqual(
      expect.arrayContaining([
        ['task', task.taskId, 'TERMINATED'],
        ['crisis', caseId, 'TERMINATED'],
        ['pairing', pairingId, 'CANCELLED'],
      ]),
    );
    expect(first.marked).toBe(2); // tasks and cases have a mark column; a pairing is found by every scan
    expect(await ended()).toMatchObject({ workflow_end_status: 'TERMINATED' });
    expect((await ended()).workflow_ended_at).toEqual(expect.any(Number));
    expect(await caseEnded()).toMatchObject({ workflow_end_status: 'TERMINATED' });
    // a second scan finds nothing new: the rows are marked
    expect(
      (await scanEndedWorkflows({ client: app, store: fx.store, schoolId: 'demo-school', now: Date.now() })).marked,
    ).toBe(0);
    const audit = await fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId });
    expect(audit.filter((a) => a.action === 'workflow-ended-externally')).toHaveLength(1);
  });

  test('When the admin opens the page or the API, then each is listed with a restart form; others get 403', async () => {
    const admin = await login(fx.base, 'admin');
    const json = (await (await admin.fetch('/api/admin/workflows/ended')).json()) as {
      workflows: Array<{ kind: string; id: string; status: string; restartable: boolean; collegeId: string }>;
    };
    expect(json.workflows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'task',
          id: task.taskId,
          status: 'TERMINATED',
          restartable: true,
          collegeId: 'literature',
        }),
        expect.objectContaining({ kind: 'crisis', id: caseId, status: 'TERMINATED', restartable: true }),
        expect.objectContaining({
          kind: 'pairing',
          id: pairingId,
          status: 'CANCELLED',
          restartable: true,
          noticedAt: expect.any(Number),
        }),
      ]),
    );
    const pageRes = await admin.fetch('/admin/workflows');
    expect(pageRes.status).toBe(200);
    const pageHtml = await pageRes.text();
    expect(pageHtml).toContain(`action="/admin/workflows/task/${encodeURIComponent(task.taskId)}/restart"`);
    expect(pageHtml).toContain(`action="/admin/workflows/crisis/${caseId}/restart"`);
    expect(pageHtml).toContain(`action="/admin/workflows/pairing/${pairingId}/restart"`);
    expect(pageHtml).toContain('href="/admin/workflows"'); // the admin navigation links it
    for (const who of ['literature-counsellor', 'literature-college-leader']) {
      const s = await login(fx.base, who);
      expect((await s.fetch('/admin/workflows')).status).toBe(403);
      expect((await s.fetch('/api/admin/workflows/ended')).status).toBe(403);
      expect(
        (await s.fetch(`/api/admin/workflows/task/${encodeURIComponent(task.taskId)}/restart`, { method: 'POST' }))
          .status,
      ).toBe(403);
    }
  });

  test('When the daily digest runs, then the school admin is told how many workflows were stopped outside the app', async () => {
    const r = await createDigestActivities({ store: fx.store, knex: fx.knex, client: app }).sendDailyDigest({
      schoolId: 'demo-school',
      at: Date.now(),
    });
    expect(r.stoppedWorkflows).toBe(3);
    const notices = await fx.store.listNotifications('admin');
    const digest = notices.find((n) => n.eventKey === r.eventKey);
    expect(digest?.title).toContain('流程中断 3 项');
    expect(digest?.body).toContain('/admin/workflows');
  });

  test('When the admin restarts the task from the page, then the CSRF token is required, the mark is cleared, and the task can be completed', async () => {
    const admin = await login(fx.base, 'admin');
    const path = `/admin/workflows/task/${encodeURIComponent(task.taskId)}/restart`;
    expect((await admin.fetch(path, { method: 'POST', csrf: false })).status).toBe(403);
    const res = await admin.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(admin.csrf)}`,
      csrf: false,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/admin\/workflows\?done=/);
    expect((await app.workflow.getHandle(task.taskId).describe()).status.name).toBe('RUNNING');
    expect((await ended()).workflow_ended_at).toBeNull();
    // a second restart of a running workflow: back to the page with the reason
    const again = await admin.fetch(path, { method: 'POST' });
    expect(again.status).toBe(303);
    expect(decodeURIComponent(again.headers.get('location') ?? '')).toMatch(/error=.*running/);
    const state = await completeTask(app, fx.store, task.taskId, {
      actor: counsellor,
      note: 'done after the restart',
      files: [],
      activities: undefined,
    });
    expect(state.status).toBe('completed');
  });

  test('When the admin restarts the case, then the new run keeps the on-scene acknowledgement and escalates only the missed confirmation to the school', async () => {
    // the stop lasted two hours: the case was reported two hours before its restart, so both
    // deadlines (on scene 30 min, school confirmation 1 h) are past when the new run starts
    const reportedAt = Date.now() - 2 * 3_600_000;
    await fx.knex('crisis_cases').where({ id: caseId }).update({ reported_at: reportedAt });
    const admin = await login(fx.base, 'admin');
    const res = await admin.fetch(`/admin/workflows/crisis/${caseId}/restart`, { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/done=/);
    expect((await caseEnded()).workflow_ended_at).toBeNull();
    const handle = app.workflow.getHandle(`crisis.${caseId}`);
    expect((await handle.query(crisisStateQuery)).onSceneAt).toBe(onSceneAt);
    // only what is still open is escalated, at once: the confirmation to the school
    const timeline = await present('the missed confirmation is escalated', async () => {
      const t = await fx.store.listAudit({ subjectType: 'crisis', subjectId: caseId });
      return t.some((e) => e.action === 'school-notify-missed') && t;
    });
    const actions = timeline.map((e) => e.action);
    expect(actions.filter((a) => a === 'on-scene')).toHaveLength(1);
    expect(actions.filter((a) => a === 'reported')).toHaveLength(1);
    expect(actions).not.toContain('on-scene-missed');
    expect(actions).not.toContain('on-scene-missed-school');
    expect(actions).toContain('workflow-restarted');
    const json = (await (await admin.fetch('/api/admin/workflows/ended')).json()) as {
      workflows: Array<{ kind: string }>;
    };
    expect(json.workflows.map((w) => w.kind)).toEqual(['pairing']); // restarted below
  });

  test('When the admin restarts the pairing through the API, then its clock runs from the talk already recorded', async () => {
    const talks = await fx.store.listAudit({ subjectType: 'pairing', subjectId: pairingId });
    const talkAt = talks.find((a) => a.action === 'talk')!.at;
    const admin = await login(fx.base, 'admin');
    const res = await admin.fetch(`/api/admin/workflows/pairing/${pairingId}/restart`, { method: 'POST' });
    expect(res.status).toBe(202);
    const d = await app.workflow.getHandle(`pairing.${pairingId}`).describe();
    expect(d.status.name).toBe('RUNNING');
    const history = await app.workflow.getHandle(`pairing.${pairingId}`).fetchHistory();
    const input = await app.options.loadedDataConverter.payloadConverter.fromPayload<{ lastTalkAt: number }>(
      history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!,
    );
    expect(input.lastTalkAt).toBe(talkAt);
    expect((await admin.fetch(`/api/admin/workflows/pairing/${pairingId}/restart`, { method: 'POST' })).status).toBe(
      409,
    ); // running: nothing to restart
    expect((await admin.fetch('/api/admin/workflows/nonsense/x/restart', { method: 'POST' })).status).toBe(404);
  });
});
