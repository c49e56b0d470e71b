/**
 * Issue 14, deliver 7: the daily digest does not send counts that disagree while the semester's
 * workflows catch up. On the time-skipping server, over a real SQLite read model (the 2024 autumn
 * semester planned for two colleges, every row still 待开始 though the semester is past), with the
 * worker checking start proofs as in production (a Schedule's run carries none):
 *  - the digest waits, checking every minute, and sends nothing while rows are behind the clock;
 *    once the rows catch up it sends, and its numbers agree (every overdue task escalated);
 *  - when the catch-up outlasts the wait (30 checks), it sends anyway and says in the title and the
 *    first line that its numbers are not yet complete, naming how many tasks are behind.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshIntegrity, verifyingWorker } from './helpers/worker';
import { catchUpText, createDigestActivities } from '../activities/digest';
import { CATCH_UP_CHECKS } from '../workflows/daily-digest';
import { dailyDigestWorkflow } from '../workflows';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';
import { webFixture, type WebFixture } from './helpers/web';

let env: TestWorkflowEnvironment;
let fx: WebFixture;
let queue: string;
let worker: Worker;
let running: Promise<void>;
let checks = 0;

beforeAll(async () => {
  env = await timeSkippingEnv();
  queue = uniqueQueue('digest-catch-up');
  fx = await webFixture({ taskQueue: queue });
  const acts = createDigestActivities({ store: fx.store, knex: fx.knex });
  // the worker checks start proofs as in production; a Schedule's run (here: a plain client) has none
  const integrity = await freshIntegrity(fx.knex);
  worker = await verifyingWorker(env, queue, integrity, {
    ...acts,
    digestCatchUp: async (req: Parameters<typeof acts.digestCatchUp>[0]) => {
      checks++;
      return acts.digestCatchUp(req);
    },
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await fx?.close();
});

const digests = () =>
  fx.knex('notifications').where({ kind: 'daily_digest' }).select('title', 'body', 'recipient_user_id');
const taskCount = async () =>
  Number(
    (
      (await fx.knex('task_instances').where({ semester_id: fx.semesterId }).count({ n: '*' })) as Array<{ n: number }>
    )[0]!.n,
  );

async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

describe('the daily digest while the semester catches up', () => {
  test('When the task rows are behind the clock, then the digest waits and, once they catch up, sends counts that agree', async () => {
    const total = await taskCount();
    expect(total).toBeGreaterThan(100);
    checks = 0;
    const handle = await env.client.workflow.start(dailyDigestWorkflow, {
      args: [{ schoolId: 'demo-school' }],
      taskQueue: queue,
      workflowId: `digest-wait-${queue}`,
    });
    await until('the first catch-up check', async () => checks >= 1);
    // the workflow now sleeps a minute (time skips only while a result is awaited): nothing sent yet
    await new Promise((r) => setTimeout(r, 300));
    expect(await digests()).toEqual([]);
    // the catch-up: every task opened, fell overdue and escalated to level 2
    await fx
      .knex('task_instances')
      .where({ semester_id: fx.semesterId })
      .update({ status: 'overdue', escalation_level: 2 });
    const result = await handle.result();
    expect(checks).toBe(2);
    expect(result.behind).toBeUndefined();
    expect(result.inserted).toBeGreaterThan(0);
    const rows = await digests();
    const admin = rows.find((r) => r.recipient_user_id === 'admin' || /全校/.test(r.title));
    expect(admin, JSON.stringify(rows.map((r) => r.title))).toBeDefined();
    expect(admin!.title).toBe(`每日督办（全校）：逾期 ${total} 项，已预警 ${total} 项（二级预警 ${total} 项）`);
    for (const r of rows) expect(r.title).not.toContain('补记');
  });

  test('When the catch-up outlasts the wait, then the digest is sent and says its numbers are not yet complete', async () => {
    await fx.knex('notifications').where({ kind: 'daily_digest' }).delete();
    // rows behind again: the literature college's tasks still 待开始
    const behind = await fx
      .knex('task_instances')
      .where({ semester_id: fx.semesterId, college_id: 'literature' })
      .update({ status: 'planned', escalation_level: 0 });
    expect(behind).toBeGreaterThan(0);
    checks = 0;
    const result = await env.client.workflow.execute(dailyDigestWorkflow, {
      args: [{ schoolId: 'demo-school' }],
      taskQueue: queue,
      workflowId: `digest-late-${queue}`,
    });
    expect(checks).toBe(CATCH_UP_CHECKS);
    expect(result.behind).toBe(behind);
    const rows = await digests();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.title.startsWith('（数据补记中）'), r.title).toBe(true);
      expect(String(r.body).split('\n')[0]).toBe(catchUpText(behind));
    }
  });
});
