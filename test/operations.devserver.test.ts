/**
 * The service as `npm start` runs it, against the dev server: secrets from *_FILE variables, JSON
 * logs with request ids, /metrics on the web's METRICS_PORT and on the worker's health port (the
 * app's families and the Temporal SDK's), and a worker killed with SIGKILL that start.ts brings
 * back alone while the dashboard keeps answering.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from './helpers/processes';
import { devServerEnv, uniqueQueue } from './helpers/temporal';

const ROOT = path.resolve(__dirname, '..');

async function until(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}\n--- output:\n${out.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const get = async (url: string, headers: Record<string, string> = {}) => {
  try {
    return await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  } catch {
    return undefined;
  }
};

/** JSON log lines of one child, as start.ts prefixes them: `[worker] {...}` (a line split across two output chunks is skipped) */
function jsonLines(name: string): Array<Record<string, unknown>> {
  const prefix = `[${name}] {`;
  return out
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .flatMap((l) => {
      try {
        return [JSON.parse(l.slice(name.length + 3)) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
const pollingLines = () =>
  jsonLines('worker').filter(
    (l) => l.service === 'worker' && typeof l.pid === 'number' && String(l.msg).startsWith('worker: polling'),
  );

let env: TestWorkflowEnvironment | undefined;
let start: ChildProcess | undefined;
let out = '';
let dir = '';
const port = { web: 0, metrics: 0, health: 0, sdk: 0 };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-ops-'));
  env = await devServerEnv();
  for (const k of Object.keys(port) as Array<keyof typeof port>) port[k] = await freePort();
  // the secrets come from files, as Docker and Kubernetes secrets do
  fs.writeFileSync(path.join(dir, 'payload-keys'), `ops:${crypto.randomBytes(32).toString('base64')}\n`, {
    mode: 0o600,
  });
  fs.writeFileSync(path.join(dir, 'signing-key'), `${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: uniqueQueue('ops'),
    TASK_MODEL: 'ladder',
    SQLITE_FILE: path.join(dir, 'app.sqlite'),
    EVIDENCE_DIR: path.join(dir, 'evidence'),
    HOST: '127.0.0.1',
    PORT: String(port.web),
    METRICS_PORT: String(port.metrics),
    WORKER_HEALTH_PORT: String(port.health),
    WORKER_SDK_METRICS_PORT: String(port.sdk),
    PAYLOAD_KEYS_FILE: path.join(dir, 'payload-keys'),
    WORKFLOW_SIGNING_KEY_FILE: path.join(dir, 'signing-key'),
  };
  for (const k of ['DATABASE_URL', 'PAYLOAD_KEYS', 'PAYLOAD_KEY_CURRENT', 'WORKFLOW_SIGNING_KEY', 'LOG_LEVEL'])
    delete childEnv[k];
  start = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const keep = (b: Buffer) => void (out += b.toString());
  start.stdout!.on('data', keep);
  start.stderr!.on('data', keep);
  await until(
    'start.ts to say the dashboard runs',
    () => {
      if (start!.exitCode !== null) throw new Error(`start.ts exited (${start!.exitCode}):\n${out}`);
      return out.includes('start: dashboard http://');
    },
    180_000,
  );
  await until(
    'the worker to be ready',
    async () => (await get(`http://127.0.0.1:${port.health}/readyz`))?.status === 200,
    120_000,
  );
  await until('the worker to poll', () => pollingLines().length === 1, 120_000);
}, 330_000);

afterAll(async () => {
  if (start && start.exitCode === null) {
    const exited = new Promise((r) => start!.once('exit', r));
    start.kill('SIGTERM'); // start.ts stops its children
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    try {
      process.kill(-start.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await env?.teardown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('logs and metrics of the running service', () => {
  test('When a request comes in, then the web echoes its X-Request-Id and logs one JSON line with it and the route pattern', async () => {
    const given = await get(`http://127.0.0.1:${port.web}/api/colleges?studentName=ops-probe`, {
      'x-request-id': 'ops-test-0001',
    });
    expect(given?.status).toBe(200);
    expect(given?.headers.get('x-request-id')).toBe('ops-test-0001');
    const fresh = await get(`http://127.0.0.1:${port.web}/livez`);
    expect(fresh?.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await until('the request log line', () => jsonLines('web').some((l) => l.reqId === 'ops-test-0001'), 5000);
    const line = jsonLines('web').find((l) => l.reqId === 'ops-test-0001')!;
    expect(line).toMatchObject({
      service: 'web',
      level: 'info',
      msg: 'request',
      method: 'GET',
      route: '/api/colleges',
      status: 200,
    });
    expect(JSON.stringify(jsonLines('web'))).not.toContain('ops-probe');
    // the worker logs JSON too, with its pid
    expect(pollingLines().length).toBe(1);
  });

  test('When Prometheus scrapes the web METRICS_PORT, then it gets HTTP latency by route, overdue tasks per college and the outbox backlog', async () => {
    await until(
      'an overdue task in the read model',
      async () =>
        /runxin_tasks_overdue\{college="[a-z-]+"\} [1-9]/.test(
          await (await get(`http://127.0.0.1:${port.metrics}/metrics`))!.text(),
        ),
      120_000,
    );
    const res = await get(`http://127.0.0.1:${port.metrics}/metrics`);
    expect(res?.status).toBe(200);
    expect(res?.headers.get('content-type')).toContain('text/plain');
    const text = await res!.text();
    for (const family of [
      'runxin_http_request_duration_seconds histogram',
      'runxin_tasks_overdue gauge',
      'runxin_outbox_backlog gauge',
      'process_cpu_user_seconds_total counter',
    ])
      expect(text).toContain(`# TYPE ${family}`);
    expect(text).toMatch(
      /runxin_http_request_duration_seconds_count\{method="GET",route="\/api\/colleges",status="200"\} [1-9]/,
    );
    expect(text).toMatch(/runxin_outbox_backlog\{status="failed"\} \d+/);
    // the dashboard's own port does not serve metrics (no session-less data there)
    expect((await get(`http://127.0.0.1:${port.web}/metrics`))?.status).not.toBe(200);
  });

  test('When Prometheus scrapes the worker health port, then it gets escalation lag, delivery failures and the Temporal SDK runtime metrics', async () => {
    const scrape = async () => (await (await get(`http://127.0.0.1:${port.health}/metrics`))?.text()) ?? '';
    // the demo semester lies in the past: its ladders record every task overdue at once
    await until(
      'an escalation lag observation',
      async () => /runxin_escalation_lag_seconds_count\{level="1",model="ladder"\} [1-9]/.test(await scrape()),
      150_000,
    );
    const text = await scrape();
    for (const family of [
      'runxin_escalation_lag_seconds histogram',
      'runxin_delivery_failures_total counter',
      'runxin_sdk_metrics_up gauge',
    ])
      expect(text).toContain(`# TYPE ${family}`);
    expect(text).toContain('runxin_sdk_metrics_up 1');
    expect(text).toMatch(/^temporal_[a-z_]+(\{[^}]*\})? \d/m);
    expect(text).toMatch(/^temporal_workflow_task_execution_latency_count(\{[^}]*\})? \d/m); // deploy/alerts.yaml WorkerNotPolling
  });
});

describe('supervision', () => {
  test('When the worker process is killed, then start.ts starts it again alone and the dashboard answers throughout', async () => {
    const workerPid = pollingLines()[0]!.pid as number;
    const webAnswers: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        webAnswers.push((await get(`http://127.0.0.1:${port.web}/livez`))?.status ?? 0);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const killedAt = Date.now();
    process.kill(workerPid, 'SIGKILL');
    await until('start.ts to restart the worker', () => /start: worker restarted \(pid \d+\)/.test(out), 30_000);
    expect(out).toMatch(
      /start: worker exited unexpectedly \([^)]*\); restarting it in 1 s \(exit 1 in a row\); the other processes keep running/,
    );
    await until(
      'the new worker to be ready and polling',
      async () => (await get(`http://127.0.0.1:${port.health}/readyz`))?.status === 200 && pollingLines().length === 2,
      120_000,
    );
    const back = Date.now() - killedAt;
    watching = false;
    await watch;
    const pids = pollingLines().map((l) => l.pid);
    expect(pids.length).toBe(2);
    expect(pids[1]).not.toBe(workerPid);
    expect(webAnswers.length).toBeGreaterThan(3);
    expect(webAnswers.every((s) => s === 200)).toBe(true);
    expect(out).not.toContain('stopping everything');
    expect(start!.exitCode).toBeNull();
    console.log(
      `worker back and ready ${back} ms after its kill; the dashboard answered ${webAnswers.length} of ${webAnswers.length} probes meanwhile`,
    );
  }, 150_000);
});
