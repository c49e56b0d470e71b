/**
 * One validated configuration: each key has a default, an environment variable and a check.
 * Bad configuration fails at start with a message that names the variable.
 */
import path from 'node:path';
import { z } from 'zod';

export const ROOT = path.resolve(__dirname, '..');

const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** the Temporal server; default: the dev server `start` runs, on 127.0.0.1:TEMPORAL_PORT */
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:7233').optional(),
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
  SQLITE_FILE: z.string().min(1).default(path.join(ROOT, 'data', 'app.sqlite')),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  /** bearer token of the administration API (until sign-in with roles); unset: disabled */
  ADMIN_API_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** directory for uploaded evidence files */
  EVIDENCE_DIR: z.string().min(1).default(path.join(ROOT, 'data', 'evidence')),
  /** 'true' behind TLS: cookies get Secure, HSTS is sent */
  SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  /** number of proxy hops to trust for the client address (X-Forwarded-For), 0 = none */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** the school this deployment serves */
  SCHOOL_ID: z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and dashes').default('demo-school'),
});

export type Config = z.infer<typeof schema> & { TEMPORAL_ADDRESS: string; TEMPORAL_UI_URL: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return { ...c, TEMPORAL_ADDRESS: c.TEMPORAL_ADDRESS ?? `127.0.0.1:${c.TEMPORAL_PORT}`, TEMPORAL_UI_URL: c.TEMPORAL_UI_URL ?? `http://127.0.0.1:${c.TEMPORAL_UI_PORT}` };
}

export function dbOptions(config: Config): { databaseUrl?: string; sqliteFile?: string } {
  return config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { sqliteFile: config.SQLITE_FILE };
}
