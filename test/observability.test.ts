/**
 * Logs carry request ids and route patterns but no student data; the web's metrics count what the
 * read model holds; the worker's wrappers observe escalation lag and delivery failures.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger, temporalLogger } from '../server/observability/log';
import { createWebMetrics, createWorkerMetrics, startMetricsListener } from '../server/observability/metrics';
import type { Observability } from '../server/observability/http';
import { instrumentActivities, instrumentChannels } from '../server/observability/worker';
import { login, webFixture, type WebFixture } from './helpers/web';

const STUDENT_NAME = '林晓雨';
const STUDENT_NO = '2024990417';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

let fx: WebFixture;
const obs: Observability = { logger: createLogger({ service: 'web', destination: sink }) };

beforeAll(async () => {
  fx = await webFixture({ observability: obs });
  obs.metrics = createWebMetrics({ knex: fx.knex });
});
afterAll(() => fx?.close());

describe('request logs', () => {
  test('When requests carry a student name and number (body, query, path, header), then no log line contains them, and each line has the request id and the route pattern', async () => {
    const teacher = await login(fx.base, 'literature-class-teacher');
    lines.length = 0;
    // a crisis report: without a Temporal client this web app fails the request (5xx), so the error path is logged too
    const report = await teacher.fetch('/api/crises', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'crisis-req-1' },
      body: JSON.stringify({
        studentNo: STUDENT_NO,
        studentName: STUDENT_NAME,
        className: '汉语言 2401',
        situation: 'self_harm_risk',
        place: '3 号宿舍楼',
      }),
    });
    expect(report.status).toBeGreaterThanOrEqual(500);
    expect(report.headers.get('x-request-id')).toBe('crisis-req-1');
    const search = await teacher.fetch(
      `/api/tasks?mine=1&q=${encodeURIComponent(STUDENT_NAME)}&studentNo=${STUDENT_NO}`,
    );
    const caseLookup = await teacher.fetch(`/api/crises/${STUDENT_NO}`);
    const form = await teacher.fetch('/crises', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': `name ${STUDENT_NO}` },
      body: new URLSearchParams({
        _csrf: teacher.csrf,
        studentNo: STUDENT_NO,
        studentName: STUDENT_NAME,
        situation: 'injury',
        place: '食堂',
      }).toString(),
    });
    // a request id that is not a plain token is replaced, not echoed or logged
    expect(form.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));

    const all = lines.join('\n');
    expect(all).not.toContain(STUDENT_NAME);
    expect(all).not.toContain(STUDENT_NO);
    expect(all).not.toContain('宿舍');
    const requests = logged().filter((l) => l.msg === 'request');
    expect(requests.map((l) => [l.method, l.route, l.reqId === undefined])).toEqual([
      ['POST', '/api/crises', false],
      ['GET', '/api/tasks', false],
      ['GET', '/api/crises/:id', false],
      ['POST', '/crises', false],
    ]);
    expect(requests[0]).toMatchObject({
      service: 'web',
      reqId: 'crisis-req-1',
      level: 'error',
      status: report.status,
      user: 'literature-class-teacher',
    });
    expect(requests.map((l) => l.status)).toEqual([report.status, search.status, caseLookup.status, form.status]);
    const failure = logged().find((l) => l.msg === 'request failed');
    expect(failure).toMatchObject({ reqId: 'crisis-req-1', route: '/api/crises', method: 'POST' });
  });

  test('When an object with student fields is logged by mistake, then those fields are redacted', () => {
    lines.length = 0;
    obs.logger.info(
      { studentName: STUDENT_NAME, case: { studentNumber: STUDENT_NO, note: '谈话记录' }, caseId: 'c-1' },
      'oops',
    );
    expect(lines.join('\n')).not.toMatch(new RegExp(`${STUDENT_NAME}|${STUDENT_NO}|谈话记录`));
    expect(logged()[0]).toMatchObject({ caseId: 'c-1', studentName: '[redacted]' });
  });

  test('When the Temporal SDK logs an activity failure, then the line keeps the workflow id and drops the error message', () => {
    lines.length = 0;
    const err = new Error(`insert into students values ('${STUDENT_NAME}')`);
    temporalLogger(obs.logger).warn('Activity failed', {
      workflowId: 'crisis.abc',
      activityType: 'recordCrisisStep',
      attempt: 2,
      error: err,
      input: { studentName: STUDENT_NAME },
    });
    expect(lines.join('\n')).not.toContain(STUDENT_NAME);
    expect(logged()[0]).toMatchObject({
      level: 'warn',
      msg: 'Activity failed',
      workflowId: 'crisis.abc',
      activityType: 'recordCrisisStep',
      attempt: 2,
      error: 'Error',
    });
  });

  test('When LOG_LEVEL is not a level, then the logger refuses it by name', () => {
    expect(() => createLogger({ service: 'x', level: 'loud' })).toThrow(
      /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/,
    );
  });
});

describe('web metrics', () => {
  test('When the read model has overdue tasks and unsent deliveries, then /metrics reports them per college and per status, with request latency by route', async () => {
    const ids = (await fx.knex('task_instances').where({ college_id: 'literature' }).limit(3).pluck('id')) as string[];
    await fx.knex('task_instances').whereIn('id', ids).update({ status: 'overdue' });
    const one = (await fx.knex('task_instances').where({ college_id: 'science' }).first('id')) as { id: string };
    await fx.knex('task_instances').where({ id: one.id }).update({ status: 'overdue' });
    const [n] = (await fx
      .knex('notifications')
      .insert({
        recipient_user_id: 'admin',
        kind: 'digest',
        subject_type: 'school',
        subject_id: 'demo-school',
        title: 't',
        body: 'b',
        created_at: Date.now(),
        event_key: 'metrics-test',
      })
      .returning('id')) as Array<{ id: number } | number>;
    const nid = typeof n === 'number' ? n : n!.id;
    const row = (status: string, i: number) => ({
      notification_id: nid,
      event_key: 'metrics-test',
      channel: 'email',
      target: 'x@example.edu.cn',
      dedupe_key: `metrics:${i}`,
      status,
      created_at: Date.now(),
    });
    await fx
      .knex('notification_deliveries')
      .insert([row('pending', 1), row('failed', 2), row('failed', 3), row('sent', 4)]);

    const server = await startMetricsListener(0, '127.0.0.1', () => obs.metrics!.registry.metrics());
    try {
      const port = (server.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('runxin_tasks_overdue{college="literature"} 3');
      expect(text).toContain('runxin_tasks_overdue{college="science"} 1');
      expect(text).toContain('runxin_outbox_backlog{status="pending"} 1');
      expect(text).toContain('runxin_outbox_backlog{status="sending"} 0');
      expect(text).toContain('runxin_outbox_backlog{status="failed"} 2');
      expect(text).toMatch(
        /runxin_http_request_duration_seconds_count\{method="GET",route="\/api\/crises\/:id",status="\d+"\} 1/,
      );
      expect(text).not.toContain(STUDENT_NO);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});

describe('worker metrics', () => {
  test('When a ladder step or a task event records level 1 or 2, then the escalation lag is observed once per written step; a repeated (already written) step is not', async () => {
    const m = createWorkerMetrics();
    const now = 1_000_000;
    let applied = 3;
    const acts = instrumentActivities(
      {
        applyLadderStep: async (_req: { steps: Array<{ action: string; at: number }> }) => ({
          applied,
          notify: [] as string[],
        }),
        recordTaskEvent: async (e: { action: string; at: number }) => ({ applied: e.at > 0, eventKey: 'k' }),
        other: async () => 'untouched',
      },
      m,
      () => now,
    );
    await acts.applyLadderStep({
      steps: [
        { action: 'overdue', at: now - 2000 },
        { action: 'escalated', at: now - 500 },
        { action: 'reminded', at: now - 100 },
      ],
    });
    applied = 0;
    await acts.applyLadderStep({ steps: [{ action: 'overdue', at: now - 9000 }] });
    await acts.recordTaskEvent({ action: 'escalated', at: now - 7000 });
    await acts.recordTaskEvent({ action: 'escalated', at: 0 }); // not applied
    expect(await acts.other()).toBe('untouched');
    const h = (await m.escalationLag.get()).values;
    const v = (name: string, labels: Record<string, string>) =>
      h.find(
        (x) =>
          x.metricName === name &&
          Object.entries(labels).every(([k, val]) => (x.labels as Record<string, unknown>)[k] === val),
      )?.value;
    expect(v('runxin_escalation_lag_seconds_count', { level: '1', model: 'ladder' })).toBe(1);
    expect(v('runxin_escalation_lag_seconds_sum', { level: '1', model: 'ladder' })).toBe(2);
    expect(v('runxin_escalation_lag_seconds_sum', { level: '2', model: 'ladder' })).toBe(0.5);
    expect(v('runxin_escalation_lag_seconds_count', { level: '2', model: 'per-task' })).toBe(1);
    expect(v('runxin_escalation_lag_seconds_sum', { level: '2', model: 'per-task' })).toBe(7);
  });

  test('When a channel send throws, then runxin_delivery_failures_total counts it per channel and the error still reaches the outbox', async () => {
    const m = createWorkerMetrics();
    let fail = true;
    const channels = instrumentChannels(
      {
        email: {
          from: 'a@b',
          send: async () => {
            if (fail) throw new Error('smtp down');
          },
          messageIdFor: () => '<id>',
          close: () => {},
        },
      },
      m,
    );
    await expect(channels.email!.send({ to: 'x', subject: 's', text: 't', messageId: '<id>' })).rejects.toThrow(
      'smtp down',
    );
    fail = false;
    await channels.email!.send({ to: 'x', subject: 's', text: 't', messageId: '<id>' });
    expect(channels.email!.from).toBe('a@b');
    expect(channels.webhook).toBeUndefined();
    const text = await m.registry.metrics();
    expect(text).toContain('runxin_delivery_failures_total{channel="email"} 1');
    expect(text).toContain('runxin_delivery_failures_total{channel="webhook"} 0');
  });
});
