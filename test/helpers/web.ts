/**
 * A web app over a real SQLite read model for HTTP tests: the demo school, the 2024 autumn
 * semester planned for two colleges, and a signed-in client per user (cookie + CSRF token).
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { DEMO_PASSWORD, seedDemoSchool } from '../../db/demo';
import { createKnex, migrateLatest } from '../../db/knex';
import { createStore, type Store } from '../../db/store';
import { loadCalendarFile, loadTemplateFile } from '../../domain/load';
import { planSemester } from '../../domain/planner';
import { createCodec } from '../../codec/aes-gcm';
import { createApp } from '../../server/app';
import type { AppDeps } from '../../server/platform/deps';
import { registerDataFiles } from '../../server/features/semesters/use-cases/setup';
import { autumnSemester } from './demo-db';

const ROOT = path.resolve(__dirname, '..', '..');

export interface WebFixture {
  base: string;
  store: Store;
  knex: Knex;
  deps: AppDeps;
  dir: string;
  semesterId: string;
  close(): Promise<void>;
}

/**
 * opts.taskModel: the semester's task model (default: the product's, the ladder). Tests that start
 * a task workflow of their own (workflows/task.ts) under a task's id ask for 'per-task'.
 */
export async function webFixture(
  overrides: Partial<AppDeps> = {},
  opts: { plan?: boolean; taskModel?: 'per-task' | 'ladder' } = {},
): Promise<WebFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-webfx-'));
  const knex = createKnex({ sqliteFile: path.join(dir, 'app.sqlite') });
  await migrateLatest(knex);
  const store = createStore(knex);
  await seedDemoSchool(store);
  const semesterId = 'web-2024-autumn';
  const templateFile = path.join(ROOT, 'checklists', 'runxin-2024-autumn.json');
  const calendarFile = path.join(ROOT, 'calendars', '2024-autumn.json');
  const { template } = await registerDataFiles(store, { templateFile, calendarFile });
  await autumnSemester(store, template, semesterId, opts.taskModel);
  if (opts.plan !== false) {
    const plan = planSemester({
      semesterId,
      template: loadTemplateFile(templateFile).data,
      calendar: loadCalendarFile(calendarFile).data,
      colleges: [{ id: 'literature' }, { id: 'science' }],
    });
    await store.upsertPlannedTasks(plan.tasks.map(({ remindAts: _r, level2At: _l, ...t }) => t));
    await store.setSemesterStatus(semesterId, 'running', {
      workflowId: `semester.${semesterId}`,
      startedAt: Date.now(),
    });
  }
  const deps: AppDeps = {
    store,
    knex,
    schoolId: 'demo-school',
    temporalUiUrl: 'http://127.0.0.1:8233',
    publicUrl: '', // the server's own address once it listens (below), unless a test gives one
    namespace: 'default',
    taskQueue: 'web-test',
    checkTemporal: async () => {},
    evidenceDir: path.join(dir, 'evidence'),
    secureCookies: false,
    sessionIdleMs: 30 * 60_000,
    loginMaxAttempts: 5,
    loginWindowMs: 15 * 60_000,
    codec: createCodec({ current: 'test', keys: { test: Buffer.alloc(32, 7) } }),
    ...overrides,
  };
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (!deps.publicUrl) deps.publicUrl = base;
  return {
    base,
    store,
    knex,
    deps,
    dir,
    semesterId,
    async close() {
      await new Promise((r) => server.close(r));
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Temporal client that only records each workflow start with `onStart` (and answers with the
 * id and a run id): for pages that start workflows, whose real start path the dev-server tests run.
 */
export function recordingClient(onStart: (opts: { workflowId: string; args: unknown }) => void): Client {
  const workflow = {
    start: async (_wf: unknown, opts: { workflowId: string; args: unknown }) => {
      onStart(opts);
      return { workflowId: opts.workflowId, firstExecutionRunId: 'run-1' };
    },
  };
  return { workflow } as unknown as Client;
}

/** Every route (`METHOD /path`) the app registers over `deps`, walked from its router (once per router that has it). */
export function registeredRoutes(deps: AppDeps): string[] {
  const app = createApp(deps);
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route) for (const m of Object.keys(l.route.methods)) out.push(`${m.toUpperCase()} ${l.route.path}`);
      else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

export interface Session {
  cookie: string;
  csrf: string;
  /** fetch with the session cookie; adds the CSRF header to state-changing calls unless told not to */
  fetch(p: string, init?: RequestInit & { csrf?: boolean }): Promise<Response>;
  /** sends `body` as JSON (POST unless `init.method` says otherwise) */
  json(p: string, body: unknown, init?: { method?: string; headers?: Record<string, string> }): Promise<Response>;
}

export async function login(base: string, username: string, password = DEMO_PASSWORD): Promise<Session> {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const send: Session['fetch'] = (p, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && init.csrf !== false) headers.set('x-csrf-token', csrfToken);
    return fetch(`${base}${p}`, { ...init, headers, redirect: 'manual' });
  };
  return {
    cookie,
    csrf: csrfToken,
    fetch: send,
    json: (p, body, init = {}) =>
      send(p, {
        method: init.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: JSON.stringify(body),
      }),
  };
}
