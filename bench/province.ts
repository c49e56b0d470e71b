/**
 * A province-size semester: start it, and measure how long until every task workflow runs.
 *
 *   npm run bench:province -- [--colleges 500] [--timeout-minutes 30] [--until started|settled]
 *                             [--requests 50] [--db auto|postgres|sqlite] [--model per-task|ladder|both]
 *
 * Starts its own Temporal dev server (state in a temp SQLite file, whose size is reported), a
 * throw-away read model (PostgreSQL on TEST_PG_URL when it answers, else SQLite) and the real
 * worker process (server/worker.ts, WORKER_* tuning from this environment). Seeds N colleges
 * (each with its staff, so notifications have recipients) and starts the 2024 autumn semester the
 * way the admin does (startSemester: the semester workflow, one college-semester per college,
 * which plans its tasks and starts their workflows). The semester lies in the past, so every task
 * workflow starts at once and runs its ladder to level 2 (opened, overdue, escalated), as on a
 * first start after an outage or the demo's first start.
 *
 * Every 2 s it samples: task workflows started (Temporal's count of taskWorkflow executions),
 * colleges planned and tasks opened / at level 2 (read model), worker and Temporal server RSS
 * (/proc/<pid>/status VmRSS). `start_ms` = until every task workflow was started; `settled_ms` =
 * until every task is at level 2 in the read model. With --until started it stops at start_ms.
 * --timeout-minutes stops the run where it is and reports how far it got. Then the compliance
 * query (store.complianceByCollegeMonth) is timed on the resulting read model (5 warm-up, then
 * --requests). Prints a progress table, the load, the worker's tuning, and one RESULT line.
 *
 * --model (default per-task) chooses the semester's task model, ADR 0005. With 'ladder' the
 * semester workflow starts one collegeLadderWorkflow per college (20 at a time), which plans its
 * college and moves its tasks; "workflows started" then counts those ladders, and start_ms is
 * when every ladder runs and every college's tasks are in the read model. 'both' runs the ladder
 * semester, then the per-task one, on the same services (each with its own limit); the keys of
 * the RESULT line are the ladder's (model_name says which) and the per-task run's follow as
 * pertask_*. RSS maxima are per run.
 */
import { createStore } from '../db/store';
import { planSemester } from '../domain/planner';
import { startSemester } from '../server/features/semesters/use-cases/start';
import { benchArgs, DB_CHOICES, load1, MODEL_CHOICES, modelsOf, pct, printResult, timed, type Model } from './lib';
import { loadLine, runBench, rssMb, seedSchool, sleep, startServices, startWorkerAndClient, stats } from './services';

const args = benchArgs(
  'npm run bench:province -- [--colleges 1..999] [--timeout-minutes M] [--until started|settled] [--requests R] [--db auto|postgres|sqlite] [--model per-task|ladder|both]',
  { colleges: '500', 'timeout-minutes': '30', until: 'settled', requests: '50', db: 'auto', model: 'per-task' },
  (a) => {
    const colleges = Number(a.colleges);
    const requests = Number(a.requests);
    return (
      Number.isInteger(colleges) &&
      colleges >= 1 &&
      colleges <= 999 &&
      Number(a['timeout-minutes']) * 60_000 > 0 &&
      ['started', 'settled'].includes(a.until) &&
      Number.isInteger(requests) &&
      requests > 0 &&
      DB_CHOICES.includes(a.db) &&
      MODEL_CHOICES.includes(a.model)
    );
  },
);
const COLLEGES = Number(args.colleges);
const TIMEOUT_MS = Number(args['timeout-minutes']) * 60_000;
const REQUESTS = Number(args.requests);
const QUEUE = 'bench-province';
const MODELS = modelsOf(args.model, ['ladder', 'per-task']);
const semesterOf = (model: Model) =>
  model === 'ladder' ? 'bench-province-ladder-2024-autumn' : 'bench-province-2024-autumn';
const workflowTypeOf = (model: Model) => (model === 'ladder' ? 'collegeLadderWorkflow' : 'taskWorkflow');
const SAMPLE_MS = 2000;
const REPORT_MS = 30_000;

async function main(): Promise<void> {
  console.log(
    `province: ${COLLEGES} colleges, the 2024 autumn semester, model ${MODELS.join(' then ')}; ${loadLine()}`,
  );
  const services = await startServices('province', args.db);
  const { temporal, db } = services;
  const store = createStore(db.knex);
  const { template, calendar } = await seedSchool(db.knex, {
    colleges: COLLEGES,
    semesters: MODELS.map(semesterOf),
    taskModels: Object.fromEntries(MODELS.map((m) => [semesterOf(m), m])),
  });
  const perCollege = planSemester({ semesterId: 'probe', template, calendar, colleges: [{ id: 'x' }] }).tasks.length;
  const total = perCollege * COLLEGES;
  const { worker, client } = await startWorkerAndClient(services, QUEUE);
  console.log(
    `temporal dev server ${temporal.address} (pid ${temporal.pid}, state ${temporal.dbFile}); read model ${db.description}`,
  );
  console.log(`worker pid ${worker.pid}: ${worker.tuning}`);
  console.log(`${total} tasks per semester (${perCollege} per college)`);

  const count = async (q: ReturnType<typeof db.knex>) =>
    Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
  const mb = (x: number | null) => (x === null ? '—' : `${x.toFixed(0)} MiB`);
  const ms = (x: number | null) => (x === null ? 'NaN' : String(Math.round(x)));

  const runModel = async (model: Model): Promise<string[]> => {
    const SEMESTER = semesterOf(model);
    const expected = model === 'ladder' ? COLLEGES : total;
    const what = model === 'ladder' ? 'college ladders' : 'task workflows';
    console.log('');
    console.log(`model ${model}: ${expected} ${what} expected`);
    const t0 = Date.now();
    await startSemester(client, store, SEMESTER, QUEUE);
    console.log(`semester workflow started in ${Date.now() - t0} ms`);
    console.log('');
    console.log(
      `| elapsed | colleges planned | ${what} started | opened | level 2 | worker RSS | Temporal RSS | Temporal state | load (1 min) |`,
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');

    let startMs: number | null = null;
    let settledMs: number | null = null;
    let workerMax = 0;
    let temporalMax = 0;
    let last: { planned: number; started: number; opened: number; level2: number };
    let lastReport = -Infinity;
    let timedOut: boolean;
    for (;;) {
      const elapsed = Date.now() - t0;
      const [planned, started, opened, level2] = await Promise.all([
        db
          .knex('task_instances')
          .where('semester_id', SEMESTER)
          .countDistinct({ n: 'college_id' })
          .then((r) => Number((r as Array<{ n: number | string }>)[0]!.n)),
        client.workflow
          .count(`WorkflowType = '${workflowTypeOf(model)}' AND SemesterId = '${SEMESTER}'`)
          .then((r) => r.count),
        count(db.knex('task_instances').where('semester_id', SEMESTER).whereNot('status', 'planned')),
        count(db.knex('task_instances').where({ semester_id: SEMESTER, escalation_level: 2 })),
      ]);
      last = { planned, started, opened, level2 };
      const w = rssMb(worker.pid);
      const t = rssMb(temporal.pid);
      workerMax = Math.max(workerMax, w ?? 0);
      temporalMax = Math.max(temporalMax, t ?? 0);
      // the ladder: every ladder runs and every college is planned (its rows in the read model)
      if (startMs === null && started >= expected && (model === 'per-task' || planned >= COLLEGES)) startMs = elapsed;
      if (settledMs === null && level2 >= total) settledMs = elapsed;
      const done = args.until === 'started' ? startMs !== null : settledMs !== null;
      timedOut = !done && elapsed > TIMEOUT_MS;
      if (done || timedOut || elapsed - lastReport >= REPORT_MS) {
        lastReport = elapsed;
        console.log(
          `| ${(elapsed / 1000).toFixed(0)} s | ${planned}/${COLLEGES} | ${started}/${expected} | ${opened} | ${level2} | ${mb(w)} | ${mb(t)} | ${(temporal.stateBytes() / 2 ** 20).toFixed(1)} MiB | ${load1()} |`,
        );
      }
      if (done || timedOut) break;
      await sleep(SAMPLE_MS);
    }
    console.log('');
    if (timedOut)
      console.log(
        `${model}: stopped after the ${TIMEOUT_MS / 60_000}-minute limit: ${last.planned} of ${COLLEGES} colleges planned, ${last.started} of ${expected} ${what} started, ${last.level2} of ${total} tasks at level 2`,
      );
    else
      console.log(
        `${model}: every ${what.replace(/s$/, '')} started after ${((startMs ?? 0) / 1000).toFixed(1)} s${settledMs !== null ? `; every task at level 2 after ${(settledMs / 1000).toFixed(1)} s` : ''}`,
      );

    const rows = await count(db.knex('task_instances').where('semester_id', SEMESTER));
    const compliance = await timed(
      async () => {
        await store.complianceByCollegeMonth(SEMESTER, Date.now());
      },
      { warmup: 5, requests: REQUESTS },
    );
    console.log(`${model}: compliance query on ${rows} task rows (${db.kind}): ${stats(compliance)}`);
    const stateMb = temporal.stateBytes() / 2 ** 20;
    console.log(
      `${model}: worker RSS max ${workerMax.toFixed(0)} MiB; Temporal RSS max ${temporalMax.toFixed(0)} MiB; Temporal state ${stateMb.toFixed(1)} MiB; ${loadLine()}`,
    );
    return [
      `start_ms=${ms(startMs)}`,
      `settled_ms=${ms(settledMs)}`,
      `colleges_started=${last.planned}`,
      `${model === 'ladder' ? 'ladders_started' : 'tasks_started'}=${last.started}`,
      `tasks_opened=${last.opened}`,
      `tasks_level2=${last.level2}`,
      `timed_out=${timedOut}`,
      `worker_rss_mb=${workerMax.toFixed(0)}`,
      `temporal_rss_mb=${temporalMax.toFixed(0)}`,
      `temporal_state_mb=${stateMb.toFixed(1)}`,
      `compliance_p50_ms=${pct(compliance, 50).toFixed(1)}`,
      `compliance_p95_ms=${pct(compliance, 95).toFixed(1)}`,
    ];
  };

  const results = new Map<Model, string[]>();
  for (const model of MODELS) results.set(model, await runModel(model));
  const mainModel: Model = results.has('ladder') ? 'ladder' : 'per-task';
  const result = [
    `colleges=${COLLEGES}`,
    `db=${db.kind}`,
    `model_name=${mainModel}`,
    `tasks_total=${total}`,
    ...results.get(mainModel)!,
  ];
  if (mainModel === 'ladder' && results.has('per-task'))
    result.push(...results.get('per-task')!.map((kv) => `pertask_${kv}`));
  printResult(result, worker);
}

runBench(main);
