/**
 * One validated configuration: each key has a default, an environment variable and a check.
 * Bad configuration fails at start with a message that names the variable.
 */
import path from 'node:path';
import { z } from '../../../domain/zod';
import { AppError } from '../errors';

export const ROOT = path.resolve(__dirname, '../../..'); // server/platform/config/ → the repository

const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** the Temporal server; default: the dev server `start` runs, on 127.0.0.1:TEMPORAL_PORT */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:7233')
    .optional(),
  /** ports of the dev server (temporal-dev.sh, and so of `start`) */
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('mental-health-duties'),
  /** link target of the Web UI; default: the dev server's, on 127.0.0.1:TEMPORAL_UI_PORT */
  TEMPORAL_UI_URL: z.string().url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave it unset for SQLite)')
    .optional(),
  SQLITE_FILE: z
    .string()
    .min(1)
    .default(path.join(ROOT, 'data', 'app.sqlite')),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  /** the dashboard's address as users reach it (links it hands out, e.g. the calendar feed); default http://HOST:PORT */
  PUBLIC_URL: z
    .string()
    .url()
    .regex(
      /^https?:\/\/[^\s?#]+$/,
      'must be an http(s) URL without query or fragment, e.g. https://duty.example.edu.cn',
    )
    .optional(),
  /** bearer token of the administration API (until sign-in with roles); unset: disabled */
  ADMIN_API_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** directory for uploaded evidence files */
  EVIDENCE_DIR: z
    .string()
    .min(1)
    .default(path.join(ROOT, 'data', 'evidence')),
  /** 'true' behind TLS: cookies get Secure, HSTS is sent */
  SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  /** number of proxy hops to trust for the client address (X-Forwarded-For), 0 = none */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** port of the web process's Prometheus /metrics listener (separate from PORT, no session); unset or 0: none */
  METRICS_PORT: port.default(0),
  /** address that listener binds (loopback by default; 0.0.0.0 in a container scraped from outside) */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** port on 127.0.0.1 where the worker's Temporal SDK serves its runtime metrics (merged into the worker's /metrics); unset or 0: off */
  WORKER_SDK_METRICS_PORT: port.default(0),
  /** the school this deployment serves */
  SCHOOL_ID: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and dashes')
    .default('demo-school'),
  // Worker tuning (server/worker-tuning.ts maps these to the SDK's WorkerOptions; README: Configuration)
  /** threads that run workflow code (workflowThreadPoolSize) */
  WORKER_WORKFLOW_THREADS: z.coerce
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(32, 'must be at most 32')
    .default(1),
  /** workflows kept in the worker's cache (maxCachedWorkflows): 0 = no cache; unset = the SDK's default from the heap size */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .refine((n) => n !== 1, 'must be 0 (no cache) or at least 2')
    .optional(),
  /** workflow tasks run at once (maxConcurrentWorkflowTaskExecutions) */
  WORKER_WORKFLOW_TASK_SLOTS: z.coerce.number().int().min(2, 'must be at least 2').max(10_000).default(40),
  /** activities run at once (maxConcurrentActivityTaskExecutions) */
  WORKER_ACTIVITY_TASK_SLOTS: z.coerce.number().int().min(1, 'must be at least 1').max(10_000).default(100),
  /** local activities run at once (maxConcurrentLocalActivityExecutions) */
  WORKER_LOCAL_ACTIVITY_SLOTS: z.coerce.number().int().min(1, 'must be at least 1').max(10_000).default(100),
  /** pollers of workflow tasks; unset = the SDK's min(10, slots) */
  WORKER_WORKFLOW_POLLERS: z.coerce.number().int().min(2, 'must be at least 2').max(1_000).optional(),
  /** pollers of activity tasks; unset = the SDK's min(10, slots) */
  WORKER_ACTIVITY_POLLERS: z.coerce.number().int().min(1, 'must be at least 1').max(1_000).optional(),
  /** activities this worker starts per second (maxActivitiesPerSecond); unset = no limit */
  WORKER_MAX_ACTIVITIES_PER_SECOND: z.coerce.number().positive('must be a positive number').max(100_000).optional(),
  /** activities the whole task queue dispatches per second, enforced by the server (maxTaskQueueActivitiesPerSecond); unset = no limit */
  WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND: z.coerce
    .number()
    .positive('must be a positive number')
    .max(100_000)
    .optional(),
  /** the SDK's stack trace of every workflow promise, for the "stack trace" query (server/workflow-threads/stack-traces.ts) */
  WORKER_WORKFLOW_STACK_TRACES: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
});

/** Worker settings that must agree with each other (the SDK would otherwise change them with only a log line). */
function workerTuningProblems(c: z.infer<typeof schema>): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const cache = c.WORKER_MAX_CACHED_WORKFLOWS;
  if (cache !== undefined && cache > 0 && c.WORKER_WORKFLOW_TASK_SLOTS > cache) {
    out.push({
      path: 'WORKER_WORKFLOW_TASK_SLOTS',
      message: `must not exceed WORKER_MAX_CACHED_WORKFLOWS (${cache}) while the cache is on`,
    });
  }
  if (c.WORKER_WORKFLOW_POLLERS !== undefined && c.WORKER_WORKFLOW_POLLERS > c.WORKER_WORKFLOW_TASK_SLOTS) {
    out.push({
      path: 'WORKER_WORKFLOW_POLLERS',
      message: `must not exceed WORKER_WORKFLOW_TASK_SLOTS (${c.WORKER_WORKFLOW_TASK_SLOTS})`,
    });
  }
  if (c.WORKER_ACTIVITY_POLLERS !== undefined && c.WORKER_ACTIVITY_POLLERS > c.WORKER_ACTIVITY_TASK_SLOTS) {
    out.push({
      path: 'WORKER_ACTIVITY_POLLERS',
      message: `must not exceed WORKER_ACTIVITY_TASK_SLOTS (${c.WORKER_ACTIVITY_TASK_SLOTS})`,
    });
  }
  return out;
}

export type Config = z.infer<typeof schema> & { TEMPORAL_ADDRESS: string; TEMPORAL_UI_URL: string; PUBLIC_URL: string };

export class ConfigError extends AppError {
  override name = 'ConfigError';
  /** a start-up error: never a request's answer */
  readonly status = 500;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const tuning = workerTuningProblems(c);
  if (tuning.length) {
    const got = (name: string) =>
      env[name] ? `got ${JSON.stringify(env[name])}` : `the default ${String(c[name as keyof typeof c])}`;
    throw new ConfigError(
      `invalid configuration:\n${tuning.map((p) => `  ${p.path}: ${p.message} (${got(p.path)})`).join('\n')}`,
    );
  }
  return {
    ...c,
    TEMPORAL_ADDRESS: c.TEMPORAL_ADDRESS ?? `127.0.0.1:${c.TEMPORAL_PORT}`,
    TEMPORAL_UI_URL: c.TEMPORAL_UI_URL ?? `http://127.0.0.1:${c.TEMPORAL_UI_PORT}`,
    // no trailing slash: paths are appended to it
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://${c.HOST.includes(':') ? `[${c.HOST}]` : c.HOST}:${c.PORT}`).replace(
      /\/+$/,
      '',
    ),
  };
}

export function dbOptions(config: Config): { databaseUrl?: string; sqliteFile?: string } {
  return config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { sqliteFile: config.SQLITE_FILE };
}
