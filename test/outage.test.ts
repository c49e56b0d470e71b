/**
 * Honest answers during an outage (issue 15): with the database closed the API answers 503 with
 * Retry-After and pages show "service temporarily unavailable, your data is safe"; a completion
 * while Temporal does not answer is 503; /livez stays 200 while /readyz is 503.
 */
import { Client, Connection } from '@temporalio/client';
import { afterEach, describe, expect, test } from 'vitest';
import { login, webFixture, type WebFixture } from './helpers/web';

let fx: WebFixture | undefined;
afterEach(async () => {
  await fx?.close().catch(() => undefined);
  fx = undefined;
});

describe('the database unreachable', () => {
  test('When the database is closed, then the API answers 503 with Retry-After, a page shows the friendly page, /livez is 200 and /readyz 503', async () => {
    fx = await webFixture();
    const staff = await login(fx.base, 'literature-counsellor');
    await fx.knex.destroy(); // every query now fails to get a connection
    const api = await staff.fetch('/api/tasks?mine=1');
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('30');
    expect(((await api.json()) as { error: string }).error).toMatch(/temporarily unavailable.*your data is safe/);
    const pageRes = await staff.fetch('/tasks', { headers: { accept: 'text/html' } });
    expect(pageRes.status).toBe(503);
    expect(pageRes.headers.get('retry-after')).toBe('30');
    expect(await pageRes.text()).toContain('服务暂时不可用，您的数据是安全的');
    expect((await fetch(`${fx.base}/livez`)).status).toBe(200);
    const ready = await fetch(`${fx.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { database: string }).database).toMatch(/^error/);
  });
});

describe('Temporal unreachable', () => {
  test('When Temporal does not answer, then a completion is 503 with Retry-After (not 500) and nothing is recorded', async () => {
    // a port nothing listens on: the lazy connection is refused. No gRPC retry interceptor: a call
    // the SDK retries in the background could outlive the connection.close() below and throw
    // "Channel has been shut down" from its timer (seen once in CI as an unhandled error)
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s', interceptors: [] });
    const client = new Client({ connection, namespace: 'default' });
    fx = await webFixture({
      client,
      checkTemporal: async () => void (await connection.workflowService.getSystemInfo({})),
    });
    const task = (await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'literature' })).find(
      (r) => r.templateTaskId === '2024-10-01-update-key-care-list',
    )!;
    const staff = await login(fx.base, 'literature-counsellor');
    const res = await staff.fetch(`/api/tasks/${encodeURIComponent(task.id)}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: '已完成' }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect((await fx.store.getTaskInstance(task.id))?.status).not.toBe('completed');
    expect((await fetch(`${fx.base}/livez`)).status).toBe(200);
    const ready = await fetch(`${fx.base}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()) as { temporal: string; database: string }).toMatchObject({
      database: 'ok',
      temporal: expect.stringMatching(/^error/),
    });
    await connection.close().catch(() => undefined);
  }, 30_000);
});
