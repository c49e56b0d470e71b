/**
 * A student's request to see or correct their data (PIPL Art. 44–47) on the time-skipping server,
 * with the worker's own activities over a real SQLite read model and a group robot that records
 * what it is sent: answered in time, nothing is sent and the clock ends; missed, the receiver is
 * reminded 3 days before, the school administration is alerted in its inbox and on its channel at
 * the deadline, and a late answer is still recorded.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dataRequestWorkflowId } from '../contracts/archive';
import { createOutbox } from '../notifications/outbox';
import type { WebhookChannel } from '../notifications/webhook';
import { allActivities } from '../server/worker';
import {
  answerDataRequest,
  closeArchive,
  purgeArchiveNow,
  recordDataRequest,
  type ArchiveDeps,
} from '../server/features/archive/use-cases';
import { staffUser } from './helpers/actors';
import { demoDb, serverDeps, type DemoDb } from './helpers/demo-db';
import { importWarningsOf } from './helpers/records';
import { timeSkippingEnv, uniqueQueue, workflowBundle } from './helpers/temporal';

const DAY = 86_400_000;
const admin = staffUser('admin', 'school_admin', null);
const counsellor = staffUser('literature-counsellor', 'counsellor', 'literature');

let env: TestWorkflowEnvironment;
let d: DemoDb;
let worker: Worker;
let running: Promise<void>;
const queue = uniqueQueue('data-request');
const robot: string[] = [];
const webhook: WebhookChannel = {
  kind: 'wecom',
  target: 'test#robot',
  send: async (m) => void robot.push(m.title),
};

beforeAll(async () => {
  env = await timeSkippingEnv();
  d = await demoDb('data-request');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: queue,
    workflowBundle: await workflowBundle(),
    activities: allActivities({
      knex: d.db,
      client: env.client,
      outbox: createOutbox({ knex: d.db, channels: { webhook } }),
    }),
  });
  running = worker.run();
  const applicants = [
    { no: '2024880201', name: '申请人甲', level: '橙色' as const },
    { no: '2024880202', name: '申请人乙', level: '橙色' as const },
    { no: '2024880203', name: '申请人丁', level: '橙色' as const },
  ];
  const now = await env.currentTimeMs();
  await importWarningsOf({ knex: d.db, store: d.store, now }, counsellor, applicants);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await d?.close();
  await env?.teardown();
});

const deps = (): Promise<ArchiveDeps> => serverDeps(d, env, queue);
const today = async () => DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Asia/Shanghai' }).toISODate()!;
const inbox = async (requestId: string) =>
  (await d.db('notifications').where({ subject_type: 'data-request', subject_id: requestId }).orderBy('id')) as Array<{
    recipient_user_id: string;
    kind: string;
  }>;
const actions = async (requestId: string) =>
  (await d.store.listAudit({ subjectType: 'data-request', subjectId: requestId })).map((a) => a.action);

describe('a data request’s deadline (time-skipping)', () => {
  test('When the request is answered in time, then nothing is reminded or escalated, the answer is stored and the clock ends', async () => {
    const { id, dueAt } = await recordDataRequest(await deps(), admin, {
      studentNo: '2024880201',
      kind: 'access',
      receivedOn: await today(),
      request: '申请查阅本人心理测评结果',
    });
    await env.sleep(5 * DAY);
    await answerDataRequest(await deps(), admin, id, '已当面提供测评结果复印件');
    const result = await env.client.workflow.getHandle(dataRequestWorkflowId(id)).result();
    expect(result.late).toBe(false);
    expect(result.answeredAt).toBeLessThan(dueAt);
    expect(await actions(id)).toEqual(['answered']);
    expect(await inbox(id)).toEqual([]);
    const row = (await d.db('data_requests').where({ id }).first()) as Record<string, unknown>;
    expect(row).toMatchObject({ status: 'answered', answer: '已当面提供测评结果复印件', answered_by: 'admin' });
    expect(Number(row.escalation_level)).toBe(0);
  }, 60_000);

  test('When the request is not answered, then the receiver is reminded 3 days before, the school administration is alerted at the deadline (inbox and channel), and a late answer is still recorded', async () => {
    const { id, dueAt } = await recordDataRequest(await deps(), admin, {
      studentNo: '2024880202',
      kind: 'correction',
      receivedOn: await today(),
      request: '申请更正家庭联系人电话',
    });
    await env.sleep(dueAt - 3 * DAY + 60_000 - (await env.currentTimeMs()));
    expect(await actions(id)).toEqual(['reminded']);
    expect((await inbox(id)).map((n) => [n.recipient_user_id, n.kind])).toEqual([['admin', 'data_request_reminder']]);
    await env.sleep(dueAt + 60_000 - (await env.currentTimeMs()));
    expect(await actions(id)).toEqual(['reminded', 'overdue']);
    const admins = (await d
      .db('users')
      .where({ role: 'school_admin', active: true })
      .orderBy('id')
      .pluck('id')) as string[];
    expect((await inbox(id)).filter((n) => n.kind === 'data_request_overdue').map((n) => n.recipient_user_id)).toEqual(
      admins,
    );
    expect(Number((await d.db('data_requests').where({ id }).first('escalation_level')).escalation_level)).toBe(1);
    // the alert went out on the school's channel too (the outbox), once; the reminder as well
    for (let i = 0; i < 50 && robot.filter((t) => t.includes('逾期')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(robot.filter((t) => t.includes('逾期')).length).toBe(1);
    await answerDataRequest(await deps(), admin, id, '已更正为 139xxxx1234');
    expect((await env.client.workflow.getHandle(dataRequestWorkflowId(id)).result()).late).toBe(true);
    expect(await actions(id)).toEqual(['reminded', 'overdue', 'answered']);
    // the audit log names the request and the student by opaque id only
    const audit = JSON.stringify(await d.store.listAudit({ subjectType: 'data-request', subjectId: id }));
    expect(audit).not.toMatch(/申请人|更正为|联系人/);
  }, 60_000);

  test('When the student’s archive is purged before the request is answered, then its clock ends at the next instant with nothing sent', async () => {
    const { id } = await recordDataRequest(await deps(), admin, {
      studentNo: '2024880203',
      kind: 'access',
      receivedOn: await today(),
      request: '申请查阅',
    });
    const student = (await d.db('students').where({ student_no: '2024880203' }).first('id')) as { id: string };
    const closed = await closeArchive(await deps(), admin, student.id, { leftOn: await today(), reason: 'withdrew' });
    expect((await purgeArchiveNow({ knex: d.db, now: closed.purgeDueAt }, student.id)).purged).toBe(true);
    expect(await d.db('data_requests').where({ id }).first()).toBeUndefined();
    const result = await env.client.workflow.getHandle(dataRequestWorkflowId(id)).result();
    expect(result).toEqual({ answeredAt: null, late: false });
    expect(await inbox(id)).toEqual([]);
  }, 60_000);
});
