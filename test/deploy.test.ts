/**
 * The deployment files are checked here without containers (this machine has no compose): the
 * structure of deploy/compose.yaml (services, dependencies, secrets, restart policies, health
 * checks, published ports), its web and worker environments run through the app's own
 * configuration loaders, the Temporal UI's sign-in and read-only switches, the search
 * attributes, and deploy/alerts.yaml against the metric families the app defines.
 * `docker compose config` runs only where `docker compose` exists; elsewhere that test is skipped
 * and says so.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadCodecKeys } from '../codec/aes-gcm';
import { loadSigningKeys } from '../codec/signing';
import { loadChannelConfig } from '../notifications/config';
import { loadConfig } from '../server/platform/config/config';
import { applySecretFiles, SECRET_VARIABLES } from '../server/platform/config/secret-files';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { TIMER_SHIFT_DYNAMIC_CONFIG } from './helpers/processes';

const ROOT = path.resolve(__dirname, '..');
const DEPLOY = path.join(ROOT, 'deploy');
const read = (f: string) => fs.readFileSync(path.join(DEPLOY, f), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  restart?: string;
  command?: unknown;
  environment?: Record<string, string>;
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
  ports?: string[];
  volumes?: string[];
}
const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const envExample = Object.fromEntries(
  read('env.example')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

/** ${X}, ${X:-default}, ${X:?message} as compose interpolates them, from deploy/.env (env.example here) */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const v = envExample[name];
    if (v !== undefined && v !== '') return v;
    if (op === '-') return arg ?? '';
    throw new Error(
      `\${${name}} has no value in deploy/env.example${op === '?' ? ` (compose would stop: ${arg})` : ''}`,
    );
  });
}

const ONE_SHOT = ['temporal-schema', 'temporal-setup'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-deploy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The app's source, where every variable the compose file sets must be read. */
const appSource = ['server', 'codec', 'notifications', 'db', 'scripts']
  .flatMap((d) =>
    fs
      .readdirSync(path.join(ROOT, d), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(ROOT, d, f)),
  )
  .map((f) => fs.readFileSync(f, 'utf8'))
  .join('\n');

describe('deploy/compose.yaml', () => {
  test('When compose starts the stack, then every service it needs is there and every dependency names a service, one-shot jobs waited for with service_completed_successfully', () => {
    expect(Object.keys(services).sort()).toEqual([
      'postgres',
      'temporal',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
      'web',
      'worker',
    ]);
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, `${name}.image`).toBeTruthy();
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} depends on unknown service ${dep}`).toBeDefined();
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_completed_successfully')
          expect(ONE_SHOT, `${name} waits for ${dep} to complete`).toContain(dep);
        if (condition === 'service_healthy')
          expect(services[dep]!.healthcheck, `${name} waits for ${dep} to be healthy`).toBeDefined();
      }
    }
    // the image the setup job runs is the one compose builds
    expect(services['temporal-setup']!.image).toBe(services.web!.image);
    expect(services['temporal-setup']!.build).toEqual(services.web!.build);
    expect(
      fs.existsSync(
        path.join(DEPLOY, (services.web!.build as { dockerfile: string }).dockerfile.replace(/^deploy\//, '')),
      ),
    ).toBe(true);
  });

  test("When compose starts Temporal, then its timers fire within 100 ms (the dev server's value, not the 1 s default): the dynamic config file is mounted where DYNAMIC_CONFIG_FILE_PATH points", () => {
    const temporal = services.temporal!;
    const target = temporal.environment!.DYNAMIC_CONFIG_FILE_PATH!;
    const mount = (temporal.volumes ?? []).find((v) => v.split(':')[1] === target);
    expect(mount, `a volume mounted at ${target}`).toBeDefined();
    const file = path.join(DEPLOY, mount!.split(':')[0]!);
    const config = parse(fs.readFileSync(file, 'utf8')) as Record<string, Array<{ value: unknown }>>;
    const [key, value] = TIMER_SHIFT_DYNAMIC_CONFIG.split('=') as [string, string];
    expect(config[key]).toEqual([{ value: JSON.parse(value) }]);
    // the dev server of `./dev.sh start` gets the same value
    expect(fs.readFileSync(path.join(ROOT, 'temporal-dev.sh'), 'utf8')).toContain(`'${TIMER_SHIFT_DYNAMIC_CONFIG}'`);
  });

  test('When a process crashes, then compose restarts it; long-running services have a restart policy and a health check, one-shot jobs do not restart', () => {
    for (const [name, s] of Object.entries(services)) {
      if (ONE_SHOT.includes(name)) {
        expect(s.restart, name).toBe('no');
        continue;
      }
      expect(['always', 'unless-stopped', 'on-failure'], `${name}.restart`).toContain(s.restart);
      expect(Array.isArray(s.healthcheck?.test) && s.healthcheck!.test.length > 1, `${name}.healthcheck`).toBe(true);
      expect(['CMD', 'CMD-SHELL']).toContain(s.healthcheck!.test[0]);
    }
    // the app's health checks ask the readiness endpoints on the ports the processes listen on
    expect(services.web!.healthcheck!.test.join(' ')).toContain(
      `http://127.0.0.1:${services.web!.environment!.PORT}/readyz`,
    );
    expect(services.worker!.healthcheck!.test.join(' ')).toContain(
      `http://127.0.0.1:${services.worker!.environment!.WORKER_HEALTH_PORT}/readyz`,
    );
  });

  test('When secrets are given, then they come from files: every secret a service names exists, every file is under deploy/secrets, and every *_FILE variable points at a secret of its service', () => {
    const used = new Set<string>();
    for (const [name, s] of Object.entries(services)) {
      for (const sec of s.secrets ?? []) {
        expect(compose.secrets[sec], `${name} uses undefined secret ${sec}`).toBeDefined();
        used.add(sec);
      }
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (!k.endsWith('_FILE')) continue;
        const m = /^\/run\/secrets\/([a-z_]+)$/.exec(String(v));
        expect(m, `${name}.${k} must be /run/secrets/<secret>`).not.toBeNull();
        expect(s.secrets, `${name}.${k}: ${m![1]} is not among the service's secrets`).toContain(m![1]);
        if (name === 'web' || name === 'worker')
          expect(SECRET_VARIABLES as readonly string[], `${k} is not read from a file by the app`).toContain(
            k.slice(0, -5),
          );
      }
      // no secret in plain app environment
      if (name === 'web' || name === 'worker')
        for (const v of SECRET_VARIABLES)
          expect(s.environment?.[v], `${name}.${v} must come from ${v}_FILE`).toBeUndefined();
    }
    for (const [sec, { file }] of Object.entries(compose.secrets)) {
      expect(file, sec).toMatch(/^\.\/secrets\/[a-z_]+$/);
      expect(used.has(sec), `secret ${sec} is not used`).toBe(true);
    }
    expect(read('.gitignore')).toContain('secrets/');
  });

  test('When the web and worker environments are loaded by the app (secrets as files), then the configuration is valid in production and every variable is one the app reads', () => {
    const secretDir = path.join(tmp, 'run-secrets');
    fs.mkdirSync(secretDir, { recursive: true });
    const fake: Record<string, string> = {
      database_url: 'postgres://postgres:pw@postgres:5432/runxin\n',
      payload_keys: `k1:${crypto.randomBytes(32).toString('base64')}\n`,
      workflow_signing_key: `${crypto.randomBytes(32).toString('base64')}\n`,
      smtp_url: 'smtps://duty:pw@mail.example.edu.cn:465\n',
      webhook_url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc\n',
      postgres_password: 'pw\n',
    };
    for (const [k, v] of Object.entries(fake)) fs.writeFileSync(path.join(secretDir, k), v);
    for (const name of ['web', 'worker']) {
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(services[name]!.environment!)) {
        // a *_FILE variable is checked against SECRET_VARIABLES above
        if (!k.endsWith('_FILE'))
          expect(appSource, `${name}.${k} is not read anywhere in the app`).toMatch(new RegExp(`\\b${k}\\b`));
        env[k] = interpolate(String(v)).replace(/^\/run\/secrets\//, `${secretDir}/`);
      }
      applySecretFiles(env);
      const c = loadConfig(env);
      expect(c.NODE_ENV).toBe('production');
      expect(c.DATABASE_URL).toBe('postgres://postgres:pw@postgres:5432/runxin');
      expect(loadCodecKeys(env).current).toBe('k1');
      expect(loadSigningKeys(env).current).toBeDefined();
      if (name === 'worker') expect(Object.keys(loadChannelConfig(env)).sort()).toEqual(['email', 'webhook']);
      if (name === 'web')
        expect([c.PORT, c.METRICS_PORT, c.SECURE_COOKIES, c.TRUST_PROXY]).toEqual([3000, 9090, 'true', 1]);
    }
  });

  test('When the Temporal Web UI runs, then it requires sign-in, is read-only, decodes through the app; Temporal gRPC and PostgreSQL are not published, other ports only on loopback', () => {
    const ui = services['temporal-ui']!.environment!;
    expect(ui.TEMPORAL_AUTH_ENABLED).toBe('true');
    expect(ui.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    for (const k of [
      'TEMPORAL_AUTH_PROVIDER_URL',
      'TEMPORAL_AUTH_CLIENT_ID',
      'TEMPORAL_AUTH_CLIENT_SECRET',
      'TEMPORAL_AUTH_CALLBACK_URL',
    ])
      expect(ui[k], k).toMatch(/^\$\{[A-Z_]+:\?/);
    expect(interpolate(ui.TEMPORAL_CODEC_ENDPOINT!)).toBe(`${envExample.PUBLIC_URL}/codec`);
    expect(services.temporal!.ports).toBeUndefined();
    expect(services.postgres!.ports).toBeUndefined();
    for (const [name, s] of Object.entries(services))
      for (const p of s.ports ?? []) expect(p, `${name} publishes ${p}`).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  test("When the setup job runs, then it creates exactly the search attributes the workflows use, with the dev server's types", () => {
    const script = (services['temporal-setup']!.command as string[]).join('\n');
    const inCompose = /for sa in ([^;]+);/.exec(script)![1]!.trim().split(/\s+/);
    const inDev = [...read('../temporal-dev.sh').matchAll(/"(\w+=\w+)"/g)].map((m) => m[1]!);
    expect(inCompose.sort()).toEqual(inDev.sort());
    expect(inCompose.map((s) => s.split('=')[0]).sort()).toEqual(ALL_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
  });

  test('When compose reads deploy/.env, then every required ${VAR:?} is in env.example', () => {
    const required = new Set([...read('compose.yaml').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!));
    for (const v of required) expect(envExample, v).toHaveProperty(v);
  });

  const hasCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  test.skipIf(!hasCompose)('When docker compose is installed, then `docker compose config` accepts the file', () => {
    const envFile = path.join(tmp, '.env');
    fs.writeFileSync(envFile, read('env.example'));
    const r = spawnSync(
      'docker',
      ['compose', '--env-file', envFile, '-f', path.join(DEPLOY, 'compose.yaml'), 'config', '--quiet'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  if (!hasCompose)
    console.warn('deploy test: `docker compose` is not installed here; compose.yaml was checked structurally only');
});

describe('deploy/alerts.yaml and prometheus.yml', () => {
  const rules = (
    parse(read('alerts.yaml')) as {
      groups: Array<{
        name: string;
        rules: Array<{
          alert: string;
          expr: string;
          for: string;
          labels: { severity: string };
          annotations: { summary: string };
        }>;
      }>;
    }
  ).groups.flatMap((g) => g.rules);
  const families = [
    ...fs
      .readFileSync(path.join(ROOT, 'server', 'observability', 'metrics.ts'), 'utf8')
      .matchAll(/name: '(runxin_[a-z_]+)'/g),
  ].map((m) => m[1]!);
  const prom = parse(read('prometheus.yml')) as {
    rule_files: string[];
    scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
  };

  test("When Prometheus loads the rules, then each has a name, an expression, a duration, a severity and a summary, and the issue's alerts are there", () => {
    for (const r of rules) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(r.expr.length).toBeGreaterThan(5);
      expect(r.for).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning', 'info']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(5);
    }
    const by = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(by.OutboxBacklog).toMatchObject({ for: '5m' });
    expect(by.OutboxBacklog!.expr).toMatch(/runxin_outbox_backlog.*> 100$/);
    expect(by.EscalationLagHigh!.expr).toMatch(
      /histogram_quantile\(0\.99, .*runxin_escalation_lag_seconds_bucket.*\) > 5$/,
    );
    expect(by.DeliveriesFailing!.expr).toContain('runxin_delivery_failures_total');
    expect(by.WorkerDown!.expr).toContain('up{job="runxin-worker"} == 0');
  });

  test('When a rule names an app metric, then the app defines that family; every job a rule names is scraped, on the ports compose sets', () => {
    expect(families.sort()).toEqual([
      'runxin_delivery_failures_total',
      'runxin_escalation_lag_seconds',
      'runxin_http_request_duration_seconds',
      'runxin_outbox_backlog',
      'runxin_tasks_overdue',
    ]);
    for (const r of rules) {
      for (const [m] of r.expr.matchAll(/runxin_[a-z_]+/g))
        expect(families, `${r.alert}: ${m}`).toContain(m.replace(/_(bucket|count|sum)$/, ''));
      for (const [, job] of r.expr.matchAll(/job="([^"]+)"/g))
        expect(
          prom.scrape_configs.map((s) => s.job_name),
          `${r.alert}: job ${job}`,
        ).toContain(job);
    }
    expect(prom.rule_files).toEqual(['alerts.yaml']);
    const target = (job: string) => prom.scrape_configs.find((s) => s.job_name === job)!.static_configs[0]!.targets[0];
    expect(target('runxin-web')).toBe(`web:${services.web!.environment!.METRICS_PORT}`);
    expect(target('runxin-worker')).toBe(`worker:${services.worker!.environment!.WORKER_HEALTH_PORT}`);
    expect(target('temporal-server')).toBe(
      `temporal:${services.temporal!.environment!.PROMETHEUS_ENDPOINT!.split(':')[1]}`,
    );
    expect(services.web!.environment!.METRICS_HOST).toBe('0.0.0.0'); // scraped from the compose network
  });
});

describe('deploy/Dockerfile', () => {
  test('When the image is built from the repository root, then local state, dependencies and secrets stay out of the context, and the evidence volume is writable by the app user', () => {
    const ignore = read('Dockerfile.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'data', '.venv-temporal', 'deploy/secrets', 'deploy/.env'])
      expect(ignore, p).toContain(p);
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^USER node$/m);
    const evidence = services.web!.environment!.EVIDENCE_DIR!;
    expect(dockerfile).toContain(`mkdir -p ${evidence}`);
    expect(dockerfile).toMatch(/chown -R node:node \/app\/data/);
    expect(evidence.startsWith('/app/data/')).toBe(true);
  });
});
