/**
 * Prometheus metrics (prom-client). Every family of the app is prefixed `runxin_`; the Temporal
 * SDK's own (worker) are prefixed `temporal_` and come from the SDK's Prometheus exporter.
 *
 * - web (`/metrics` on METRICS_PORT): HTTP latency by route pattern; at scrape, from the read
 *   model, overdue tasks per college and the outbox backlog per status; the Node process metrics.
 * - worker (`/metrics` on WORKER_HEALTH_PORT): escalation lag, delivery failures, the Node process
 *   metrics, and the SDK's runtime metrics (polls, task latencies, slots, sticky cache…).
 */
import http from 'node:http';
import type { Knex } from 'knex';
import client from 'prom-client';
import { countOverdueByCollege } from '../../db/repositories/compliance';
import { countUnsentByStatus } from '../../db/repositories/outbox';

export interface WebMetrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
}

export interface WorkerMetrics {
  registry: client.Registry;
  escalationLag: client.Histogram<'level' | 'model'>;
  deliveryFailures: client.Counter<'channel'>;
}

export function createWebMetrics(opts: { knex: Knex; onError?: (what: string, err: unknown) => void }): WebMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const { knex } = opts;
  const httpDuration = new client.Histogram({
    name: 'runxin_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern (not the raw URL) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new client.Gauge({
    name: 'runxin_tasks_overdue',
    help: 'Tasks in the read model that are overdue (status overdue), per college id; computed at scrape',
    labelNames: ['college'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const r of await countOverdueByCollege(knex)) this.set({ college: r.collegeId }, r.n);
      } catch (err) {
        opts.onError?.('runxin_tasks_overdue', err);
      }
    },
  });
  new client.Gauge({
    name: 'runxin_outbox_backlog',
    help: 'Notification deliveries not yet sent, per status (pending, sending, failed); computed at scrape',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      try {
        const by = await countUnsentByStatus(knex);
        for (const s of ['pending', 'sending', 'failed']) this.set({ status: s }, by.get(s) ?? 0);
      } catch (err) {
        this.reset();
        opts.onError?.('runxin_outbox_backlog', err);
      }
    },
  });
  return { registry, httpDuration };
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const escalationLag = new client.Histogram({
    name: 'runxin_escalation_lag_seconds',
    help: 'When an overdue (level 1) or level-2 step was recorded in the read model minus the instant it was due',
    labelNames: ['level', 'model'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  const deliveryFailures = new client.Counter({
    name: 'runxin_delivery_failures_total',
    help: 'Notification sends that failed (the receiver refused or did not answer), per channel',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  for (const channel of ['email', 'webhook']) deliveryFailures.inc({ channel }, 0);
  return { registry, escalationLag, deliveryFailures };
}

/** A listener that answers GET /metrics with `render()` (Prometheus text format); anything else is 404. */
export function startMetricsListener(port: number, host: string, render: () => Promise<string>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: 'GET only' }));
    }
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: 'no such path; metrics are at /metrics' }));
    }
    render().then(
      (text) => {
        res.writeHead(200, { 'content-type': client.Registry.PROMETHEUS_CONTENT_TYPE });
        res.end(text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics failed: ${err instanceof Error ? err.name : 'error'}\n`);
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * The worker's /metrics text: its own registry, then what the Temporal SDK's Prometheus exporter
 * serves on `sdkAddress` (Runtime telemetry options), when set. An unreachable exporter is
 * reported as a comment and a 0 in runxin_sdk_metrics_up, not as a failed scrape.
 */
export async function workerMetricsText(metrics: WorkerMetrics, sdkAddress?: string): Promise<string> {
  const own = await metrics.registry.metrics();
  if (!sdkAddress) return own;
  try {
    const res = await fetch(`http://${sdkAddress}/metrics`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const sdk = await res.text();
    return `${own}\n# HELP runxin_sdk_metrics_up 1 when the Temporal SDK's exporter answered this scrape\n# TYPE runxin_sdk_metrics_up gauge\nrunxin_sdk_metrics_up 1\n${sdk}`;
  } catch (err) {
    return `${own}\n# Temporal SDK metrics at ${sdkAddress} unavailable: ${err instanceof Error ? err.message : 'error'}\n# HELP runxin_sdk_metrics_up 1 when the Temporal SDK's exporter answered this scrape\n# TYPE runxin_sdk_metrics_up gauge\nrunxin_sdk_metrics_up 0\n`;
  }
}
