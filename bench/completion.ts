/**
 * Completion round trip, HTTP → Update → read model, at several concurrencies:
 *
 *   npm run bench:completion -- [--concurrency 1,20] [--requests 100] [--warmup 10] [--db auto|postgres|sqlite]
 *
 * Starts its own Temporal dev server, a throw-away read model (PostgreSQL on TEST_PG_URL when it
 * answers, else SQLite) and the real worker process (server/worker.ts, WORKER_* tuning from this
 * environment); the web app (createApp, the app's signed client) runs in this process on
 * 127.0.0.1:0 with each college's leader signed in. Open task workflows (the real taskWorkflow,
 * started as the app starts them, opened an hour ago, due in a week) of tasks whose evidence is a
 * note only are then completed through POST /api/tasks/:id/complete (multipart, a note), each task
 * once: for each concurrency C, `warmup` completions untimed, then `requests` timed, C in flight
 * at a time. A timing runs from sending the request until the response (200) is read and the read
 * model row shows the task completed. Prints p50/p95/p99 per concurrency, the load, the worker's
 * tuning, and one RESULT line (p95_ms_c1, p95_ms_c20, …). Asserts nothing.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { createStore } from '../db/store';
import { planSemester } from '../domain/planner';
import { createApp } from '../server/app';
import type { TaskInput } from '../workflows/task';
import { CollegeIdKey, SemesterIdKey, TaskKindKey } from '../workflows/search-attributes';
import { pct } from './lib';
import {
  BENCH_SCHOOL,
  benchClient,
  benchKeysEnv,
  load1,
  loadLine,
  onCleanup,
  pool,
  readModel,
  runBench,
  seedSchool,
  signIn,
  sleep,
  startTemporal,
  startWorker,
  stats,
  tempDir,
} from './services';

const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '1,20' },
    requests: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    db: { type: 'string', default: 'auto' },
  },
  strict: true,
});
const LEVELS = args.concurrency.split(',').map((s) => Number(s.trim()));
const REQUESTS = Number(args.requests);
const WARMUP = Number(args.warmup);
if (!LEVELS.length || LEVELS.some((c) => !(Number.isInteger(c) && c >= 1 && c <= 200)) || !(Number.isInteger(REQUESTS) && REQUESTS > 0) || !(Number.isInteger(WARMUP) && WARMUP >= 0) || !['auto', 'postgres', 'sqlite'].includes(args.db)) {
  console.error('usage: npm run bench:completion -- [--concurrency 1,20] [--requests R] [--warmup W] [--db auto|postgres|sqlite]');
  process.exit(2);
}
const QUEUE = 'bench-completion';
const SEMESTER = 'bench-completion';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function main(): Promise<void> {
  const keysEnv = benchKeysEnv();
  const dir = tempDir('rx-bench-completion-');
  const needed = LEVELS.length * (WARMUP + REQUESTS);
  console.log(`completion: concurrency ${LEVELS.join(', ')}; ${REQUESTS} timed (+${WARMUP} warm-up) completions each; ${loadLine()}`);
  const temporal = await startTemporal(dir);
  const db = await readModel(dir, args.db as 'auto');
  const store = createStore(db.knex);

  // tasks whose evidence is a note only, enough of them for every completion
  const probe = await seedSchool(db.knex, { colleges: 1, semesters: [] });
  const noteOnly = new Set(
    probe.template.tasks
      .filter((t) => t.evidence.minFiles === 0 && !(t.evidence.documents ?? []).length && !t.evidence.ledgerMonthlyReview && !t.evidence.minPhotosPerActivity)
      .map((t) => t.id),
  );
  const perCollege = planSemester({ semesterId: SEMESTER, template: probe.template, calendar: probe.calendar, colleges: [{ id: 'x' }] }).tasks.filter((t) => noteOnly.has(t.templateTaskId)).length;
  const colleges = Math.ceil(needed / perCollege);
  const { template, calendar, collegeIds } = await seedSchool(db.knex, { colleges, semesters: [SEMESTER] });
  const evidence = new Map(template.tasks.map((t) => [t.id, t.evidence]));
  const t0 = Date.now();
  const planned = planSemester({ semesterId: SEMESTER, template, calendar, colleges: collegeIds.map((id) => ({ id })) })
    .tasks.filter((t) => noteOnly.has(t.templateTaskId))
    .slice(0, needed)
    .map((t) => ({ ...t, openAt: t0 - HOUR, dueAt: t0 + 7 * DAY, remindAts: [] as number[], level2At: t0 + 9 * DAY }));
  await store.upsertPlannedTasks(planned.map(({ remindAts: _r, level2At: _l, ...row }) => row));

  const worker = await startWorker({ address: temporal.address, taskQueue: QUEUE, db, dir, keysEnv });
  const client = await benchClient(temporal.address, db);
  console.log(`temporal dev server ${temporal.address}; read model ${db.description}; ${colleges} colleges, ${planned.length} open tasks`);
  console.log(`worker pid ${worker.pid}: ${worker.tuning}`);

  await pool(planned, 20, async ({ id, ...t }) => {
    const input: TaskInput = { ...t, taskId: id, evidence: evidence.get(t.templateTaskId)! };
    await client.workflow.start('taskWorkflow', {
      workflowId: id,
      taskQueue: QUEUE,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: [
        { key: SemesterIdKey, value: t.semesterId },
        { key: CollegeIdKey, value: t.collegeId },
        { key: TaskKindKey, value: t.kind },
      ],
    });
  });
  const countOpen = async () => Number(((await db.knex('task_instances').where({ semester_id: SEMESTER, status: 'open' }).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
  for (let i = 0; (await countOpen()) < planned.length; i++) {
    if (i > 600) throw new Error(`only ${await countOpen()} of ${planned.length} tasks opened within 10 min`);
    await sleep(1000);
  }
  console.log(`${planned.length} task workflows started and open after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const app = createApp({
    store,
    knex: db.knex,
    client,
    schoolId: BENCH_SCHOOL,
    temporalUiUrl: 'http://127.0.0.1:8233',
    publicUrl: 'http://127.0.0.1:3000',
    namespace: 'default',
    taskQueue: QUEUE,
    checkTemporal: async () => {},
    evidenceDir: path.join(dir, 'evidence-web'),
    secureCookies: false,
    sessionIdleMs: 60 * 60_000,
    loginMaxAttempts: 1000,
    loginWindowMs: 60_000,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sessions = new Map<string, { cookie: string; csrf: string }>();
  for (const c of collegeIds) sessions.set(c, await signIn(base, `${c}-college-leader`));

  const complete = async (task: (typeof planned)[number]) => {
    const s = sessions.get(task.collegeId)!;
    const form = new FormData();
    form.append('note', '基准测试：已完成');
    const res = await fetch(`${base}/api/tasks/${encodeURIComponent(task.id)}/complete`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, body: form });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`POST /api/tasks/${task.id}/complete: ${res.status} ${body.slice(0, 300)}`);
    for (let i = 0; (await store.getTaskInstance(task.id))?.status !== 'completed'; i++) {
      if (i > 1000) throw new Error(`${task.id}: answered 200 but the read model does not show it completed`);
      await sleep(5);
    }
  };

  const results: Array<{ c: number; times: number[]; wallMs: number }> = [];
  let next = 0;
  for (const c of LEVELS) {
    const warm = planned.slice(next, next + WARMUP);
    next += WARMUP;
    await pool(warm, c, complete);
    const timedTasks = planned.slice(next, next + REQUESTS);
    next += REQUESTS;
    const times: number[] = [];
    const w0 = performance.now();
    await pool(timedTasks, c, async (task) => {
      const s0 = performance.now();
      await complete(task);
      times.push(performance.now() - s0);
    });
    const wallMs = performance.now() - w0;
    times.sort((a, b) => a - b);
    results.push({ c, times, wallMs });
    console.log(`concurrency ${String(c).padStart(3)}: ${stats(times)}; ${(REQUESTS / (wallMs / 1000)).toFixed(1)} completions/s; ${loadLine()}`);
  }

  const f = (x: number) => String(Math.round(x));
  const c1 = results.find((r) => r.c === 1);
  const out = [`requests=${REQUESTS}`, `db=${db.kind}`];
  for (const r of results) out.push(`p50_ms_c${r.c}=${f(pct(r.times, 50))}`, `p95_ms_c${r.c}=${f(pct(r.times, 95))}`, `p99_ms_c${r.c}=${f(pct(r.times, 99))}`, `per_s_c${r.c}=${(REQUESTS / (r.wallMs / 1000)).toFixed(1)}`);
  if (c1) for (const r of results.filter((x) => x.c !== 1)) out.push(`p95_ratio_c${r.c}=${(pct(r.times, 95) / pct(c1.times, 95)).toFixed(2)}`);
  out.push(worker.tuning, `worker_warnings=${worker.warnings()}`, `load1=${load1()}`);
  console.log(`RESULT ${out.join(' ')}`);
}

runBench(main);
