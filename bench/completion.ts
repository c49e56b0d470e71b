/**
 * Completion round trip, HTTP → Update → read model, at several concurrencies:
 *
 *   npm run bench:completion -- [--concurrency 1,20] [--requests 100] [--warmup 10] [--db auto|postgres|sqlite]
 *                               [--model both|per-task|ladder]
 *
 * Starts its own Temporal dev server, a throw-away read model (PostgreSQL on TEST_PG_URL when it
 * answers, else SQLite) and the real worker process (server/worker.ts, WORKER_* tuning from this
 * environment); the web app (createApp, the app's signed client) runs in this process on
 * 127.0.0.1:0 with each college's leader signed in. Open task workflows (the real taskWorkflow,
 * started as the app starts them, opened an hour ago, due in a week) of tasks whose evidence is a
 * note only are then completed through POST /api/tasks/:id/complete (multipart, a note), each task
 * once: for each concurrency C, `warmup` completions untimed, then `requests` timed, C in flight
 * at a time. A timing runs from sending the request until the response (200) is read and the read
 * model row shows the task completed. With --duplicates D, each completion is sent 1+D times at the
 * same moment without an Idempotency-Key (a client that sends none tapping twice, or two staff of the
 * college): exactly one must answer 200 and the others 409 "already completed"; the timing runs
 * until all have answered. Prints p50/p95/p99 per concurrency, the load, the worker's
 * tuning, and one RESULT line (p95_ms_c1, p95_ms_c20, …). Asserts nothing.
 *
 * --model (default both) chooses the task model, ADR 0005: 'per-task' (a taskWorkflow per task,
 * completed by its Update) or 'ladder' (a semester created with task model ladder, one
 * collegeLadderWorkflow per college holding its open tasks; the same route sends the ladder's
 * Update, written by a local activity); 'both' runs per-task, then ladder, in one run against the
 * same services. In the RESULT line the p*_ms_c* keys are the ladder's when it ran (model_name
 * says which); with both, the per-task figures follow as pertask_*.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createStore } from '../db/store';
import { planSemester } from '../domain/planner';
import { pct, printResult } from './lib';
import {
  BENCH_PASSWORD,
  BENCH_SCHOOL,
  cpuMsOf,
  cpuMsOfCommand,
  loadLine,
  machineCpuMs,
  onCleanup,
  pool,
  runBench,
  seedSchool,
  signIn,
  sleep,
  startServices,
  startWorkerAndClient,
  stats,
} from './services';
import {
  args,
  DAY,
  DUPLICATES,
  HOUR,
  LEVELS,
  MODELS,
  QUEUE,
  REQUESTS,
  semesterOf,
  WARMUP,
  type Model,
} from './completion-args';
import { startModel, type Planned } from './completion-start';
import { startBenchWeb } from './web';

async function main(): Promise<void> {
  const needed = LEVELS.length * (WARMUP + REQUESTS);
  console.log(
    `completion: model ${MODELS.join(', ')}; concurrency ${LEVELS.join(', ')}; ${REQUESTS} timed (+${WARMUP} warm-up) completions each; ${loadLine()}`,
  );
  const services = await startServices('completion', args.db);
  const { dir, temporal, db } = services;
  const store = createStore(db.knex);

  // tasks whose evidence is a note only, enough of them for every completion
  const probe = await seedSchool(db.knex, { colleges: 1, semesters: [] });
  const noteOnly = new Set(
    probe.template.tasks
      .filter(
        (t) =>
          t.evidence.minFiles === 0 &&
          !(t.evidence.documents ?? []).length &&
          !t.evidence.ledgerMonthlyReview &&
          !t.evidence.minPhotosPerActivity,
      )
      .map((t) => t.id),
  );
  const perCollege = planSemester({
    semesterId: 'probe',
    template: probe.template,
    calendar: probe.calendar,
    colleges: [{ id: 'x' }],
  }).tasks.filter((t) => noteOnly.has(t.templateTaskId)).length;
  const colleges = Math.ceil(needed / perCollege);
  const { template, calendar, collegeIds } = await seedSchool(db.knex, {
    colleges,
    semesters: MODELS.map(semesterOf),
    taskModels: Object.fromEntries(MODELS.map((m) => [semesterOf(m), m])),
  });
  const evidence = new Map(template.tasks.map((t) => [t.id, t.evidence]));
  const t0 = Date.now();
  const plannedOf = (model: Model) =>
    planSemester({ semesterId: semesterOf(model), template, calendar, colleges: collegeIds.map((id) => ({ id })) })
      .tasks.filter((t) => noteOnly.has(t.templateTaskId))
      .slice(0, needed)
      .map((t) => ({
        ...t,
        openAt: t0 - HOUR,
        dueAt: t0 + 7 * DAY,
        remindAts: [] as number[],
        level2At: t0 + 9 * DAY,
      }));

  const { worker, client } = await startWorkerAndClient(services, QUEUE);
  console.log(
    `temporal dev server ${temporal.address}; read model ${db.description}; ${colleges} colleges, ${needed} open tasks per model`,
  );
  console.log(`worker pid ${worker.pid}: ${worker.tuning}`);

  const web = await startBenchWeb({
    store,
    knex: db.knex,
    client,
    schoolId: BENCH_SCHOOL,
    taskQueue: QUEUE,
    evidenceDir: path.join(dir, 'evidence-web'),
    sessionIdleMs: 60 * 60_000,
  });
  onCleanup(() => web.close());
  const { base } = web;
  const sessions = new Map<string, { cookie: string; csrf: string }>();
  for (const c of collegeIds) sessions.set(c, await signIn(base, `${c}-college-leader`, BENCH_PASSWORD));

  let duplicatesRefused = 0;
  const complete = async (task: Planned) => {
    const s = sessions.get(task.collegeId)!;
    const form = new FormData();
    form.append('note', '基准测试：已完成');
    const send = async () => {
      const res = await fetch(`${base}/api/tasks/${encodeURIComponent(task.id)}/complete`, {
        method: 'POST',
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
        body: form,
      });
      return { status: res.status, body: await res.text() };
    };
    // the completion and its duplicates (--duplicates) at the same moment: one is taken, the others refused
    const answers = await Promise.all(Array.from({ length: 1 + DUPLICATES }, send));
    const taken = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 409 && /already completed/.test(a.body)).length;
    if (taken !== 1 || taken + refused !== answers.length)
      throw new Error(
        `POST /api/tasks/${task.id}/complete ×${answers.length}: ${answers.map((a) => `${a.status} ${a.body.slice(0, 200)}`).join(' | ')}`,
      );
    duplicatesRefused += refused;
    for (let i = 0; (await store.getTaskInstance(task.id))?.status !== 'completed'; i++) {
      if (i > 1000) throw new Error(`${task.id}: answered 200 but the read model does not show it completed`);
      await sleep(5);
    }
  };

  // where the CPU goes during a timed phase: this process (the web app and the clients), the
  // worker, the Temporal server, every PostgreSQL backend (shared with whatever else runs), and
  // how busy the machine's cores were
  const cpuNow = () => ({
    web: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    worker: cpuMsOf(worker.pid),
    temporal: cpuMsOf(temporal.pid),
    postgres: cpuMsOfCommand('postgres'),
    machine: machineCpuMs(),
  });
  type Cpu = { web: number; worker: number; temporal: number; postgres: number; busyPct: number };
  const cpuSince = (a: ReturnType<typeof cpuNow>, n: number): Cpu => {
    const b = cpuNow();
    return {
      web: (b.web - a.web) / n,
      worker: (b.worker - a.worker) / n,
      temporal: (b.temporal - a.temporal) / n,
      postgres: (b.postgres - a.postgres) / n,
      busyPct: (100 * (b.machine.busy - a.machine.busy)) / Math.max(1, b.machine.total - a.machine.total),
    };
  };
  const cpuLine = (x: Cpu) =>
    `CPU per completion: web+clients ${x.web.toFixed(1)} ms, worker ${x.worker.toFixed(1)} ms, Temporal ${x.temporal.toFixed(1)} ms, PostgreSQL ${x.postgres.toFixed(1)} ms (all backends), total ${(x.web + x.worker + x.temporal + x.postgres).toFixed(1)} ms; cores busy ${x.busyPct.toFixed(0)}%`;
  const runs = new Map<Model, Array<{ c: number; times: number[]; wallMs: number; cpu: Cpu }>>();
  for (const model of MODELS) {
    const planned = plannedOf(model);
    await store.upsertPlannedTasks(planned.map(({ remindAts: _r, level2At: _l, ...row }) => row));
    await startModel({ model, client, knex: db.knex, planned, evidence, endsAt: t0 + 30 * DAY });
    const results: Array<{ c: number; times: number[]; wallMs: number; cpu: Cpu }> = [];
    let next = 0;
    for (const c of LEVELS) {
      const warm = planned.slice(next, next + WARMUP);
      next += WARMUP;
      await pool(warm, c, complete);
      const timedTasks = planned.slice(next, next + REQUESTS);
      next += REQUESTS;
      const times: number[] = [];
      const w0 = performance.now();
      const cpu0 = cpuNow();
      await pool(timedTasks, c, async (task) => {
        const s0 = performance.now();
        await complete(task);
        times.push(performance.now() - s0);
      });
      const wallMs = performance.now() - w0;
      const cpu = cpuSince(cpu0, timedTasks.length);
      times.sort((a, b) => a - b);
      results.push({ c, times, wallMs, cpu });
      console.log(
        `${model.padEnd(8)} concurrency ${String(c).padStart(3)}: ${stats(times)}; ${(REQUESTS / (wallMs / 1000)).toFixed(1)} completions/s; ${loadLine()}`,
      );
      console.log(`${' '.repeat(8)}   ${cpuLine(cpu)}`);
    }
    runs.set(model, results);
  }

  const f = (x: number) => String(Math.round(x));
  const keys = (results: Array<{ c: number; times: number[]; wallMs: number; cpu: Cpu }>, prefix: string) => {
    const out: string[] = [];
    const c1 = results.find((r) => r.c === 1);
    for (const r of results)
      out.push(
        `${prefix}p50_ms_c${r.c}=${f(pct(r.times, 50))}`,
        `${prefix}p95_ms_c${r.c}=${f(pct(r.times, 95))}`,
        `${prefix}p99_ms_c${r.c}=${f(pct(r.times, 99))}`,
        `${prefix}per_s_c${r.c}=${(REQUESTS / (r.wallMs / 1000)).toFixed(1)}`,
        `${prefix}cpu_ms_per_completion_c${r.c}=${(r.cpu.web + r.cpu.worker + r.cpu.temporal + r.cpu.postgres).toFixed(1)}`,
        `${prefix}cores_busy_pct_c${r.c}=${r.cpu.busyPct.toFixed(0)}`,
      );
    if (c1)
      for (const r of results.filter((x) => x.c !== 1))
        out.push(`${prefix}p95_ratio_c${r.c}=${(pct(r.times, 95) / pct(c1.times, 95)).toFixed(2)}`);
    return out;
  };
  const mainModel: Model = runs.has('ladder') ? 'ladder' : 'per-task';
  const out = [
    `requests=${REQUESTS}`,
    `db=${db.kind}`,
    `model_name=${mainModel}`,
    `duplicates=${DUPLICATES}`,
    `duplicates_refused=${duplicatesRefused}`,
    ...keys(runs.get(mainModel)!, ''),
  ];
  if (mainModel === 'ladder' && runs.has('per-task')) out.push(...keys(runs.get('per-task')!, 'pertask_'));
  printResult(out, worker);
}

runBench(main);
