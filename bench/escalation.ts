/**
 * Escalation lag at scale, the service's model against a school's cron sweep, in one run:
 *
 *   npm run bench:escalation -- [--tasks 1000] [--lead-seconds 60] [--spread-minutes 10]
 *                               [--instants 100] [--max-wait-minutes 10] [--db auto|postgres|sqlite]
 *                               [--model both|per-task|ladder]
 *
 * Starts its own Temporal dev server (free port, state in a temp SQLite file), a throw-away read
 * model (PostgreSQL on TEST_PG_URL when it answers, else SQLite) and the real worker process
 * (server/worker.ts with its WORKER_* tuning from this environment). Then two cases:
 *
 *  1. "instant": N task workflows (the real taskWorkflow, started as the app starts them: signed,
 *     with search attributes) of N planned 2024-autumn tasks, opened an hour ago, no reminders,
 *     level 2 a day later, ALL due at one instant --lead-seconds after the first start.
 *  2. "spread": N more (another semester, same colleges), due at --instants instants evenly over
 *     --spread-minutes, the first --lead-seconds after the first start.
 *
 * Lag of the model = when the read model records the overdue (a trigger on task_instances notes
 * the database clock when a row's status becomes 'overdue', inside the activity's transaction)
 * minus the task's due instant. The baseline, in the same run over the same due instants: a copy
 * table and a cron job written the way a school would (every whole minute, like `* * * * *`:
 * UPDATE … SET status = 'overdue', marked_at = now WHERE due_at <= now AND status = 'open').
 * Prints p50/p95/p99 of both, their ratio (sweep p99 / model p99), the load, the worker's tuning,
 * and one RESULT line.
 *
 * --model (default both) chooses the task model, ADR 0005: 'per-task' (a taskWorkflow per task, as
 * above), 'ladder' (the same tasks run by one collegeLadderWorkflow per college, started as the
 * semester starts them, with the same plan), or both, one after the other in the same run (each
 * with both cases and its own sweep). In the RESULT line the model_*, ratio and spread_* keys are
 * the ladder's when it ran, else the per-task model's (model_name says which); with both, the
 * per-task figures follow under pertask_*. Task workflows left at level 1 stay open (as in the service) until the run
 * stops the server. Prints numbers only, asserts nothing.
 */
import { pct, printResult } from './lib';
import { loadLine, runBench, seedSchool, startServices, startWorkerAndClient, stats } from './services';
import { args, INSTANTS, LEAD_MS, MODELS, N, QUEUE, SPREAD_MS, TASKS_PER_COLLEGE, type Model } from './escalation-args';
import { installProbe, runCase, type CaseResult } from './escalation-case';

async function main(): Promise<void> {
  console.log(`escalation: ${N} tasks per case; ${loadLine()}`);
  const services = await startServices('escalation', args.db);
  const { temporal, db } = services;
  const colleges = Math.ceil(N / TASKS_PER_COLLEGE);
  const semesterOf = (model: Model, name: string) => (model === 'ladder' ? `bench-ladder-${name}` : `bench-${name}`);
  const { template, calendar, collegeIds } = await seedSchool(db.knex, {
    colleges,
    semesters: MODELS.flatMap((m) => [semesterOf(m, 'instant'), semesterOf(m, 'spread')]),
  });
  await installProbe(db.knex);
  const { worker, client } = await startWorkerAndClient(services, QUEUE);
  console.log(
    `temporal dev server ${temporal.address} (state ${temporal.dbFile}); read model ${db.description}; ${colleges} colleges`,
  );
  console.log(`worker pid ${worker.pid}: ${worker.tuning}`);

  const rss = { max: 0 };
  const common = { db, client, template, calendar, collegeIds, workerPid: worker.pid, rss };
  const step = SPREAD_MS / INSTANTS;
  const runs = new Map<Model, { instant: CaseResult; spread: CaseResult }>();
  for (const model of MODELS) {
    console.log(`model ${model}:`);
    const instant = await runCase({
      ...common,
      model,
      name: `${model} instant`,
      semesterId: semesterOf(model, 'instant'),
      dueOf: (_i, t0) => t0 + LEAD_MS,
    });
    const spread = await runCase({
      ...common,
      model,
      name: `${model} spread`,
      semesterId: semesterOf(model, 'spread'),
      dueOf: (i, t0) => Math.round(t0 + LEAD_MS + (i % INSTANTS) * step),
    });
    runs.set(model, { instant, spread });
  }

  const p = (xs: number[], q: number) => (xs.length ? pct(xs, q) : NaN);
  const ms = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : 'NaN');
  const ratio = (a: number, b: number) =>
    Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : 'NaN';
  console.log('');
  console.log(
    `| model | case (${N} tasks) | model: recorded − due | sweep (cron, every minute) | sweep p99 / model p99 |`,
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const [model, { instant, spread }] of runs) {
    console.log(
      `| ${model} | all due at one instant | ${stats(instant.model)} | ${stats(instant.sweep)} | ${ratio(p(instant.sweep, 99), p(instant.model, 99))} |`,
    );
    console.log(
      `| ${model} | ${INSTANTS} instants over ${SPREAD_MS / 60_000} min | ${stats(spread.model)} | ${stats(spread.sweep)} | ${ratio(p(spread.sweep, 99), p(spread.model, 99))} |`,
    );
    for (const [name, c] of [
      ['instant', instant],
      ['spread', spread],
    ] as const) {
      if (c.missing || c.sweepMissing)
        console.log(
          `${model} ${name}: NOT RECORDED within the wait: model ${c.missing}, sweep ${c.sweepMissing} (their lag is not in the percentiles)`,
        );
    }
  }
  console.log(
    `worker RSS max ${rss.max.toFixed(0)} MiB; Temporal state ${(temporal.stateBytes() / 2 ** 20).toFixed(1)} MiB; read model ${db.kind}; ${loadLine()}`,
  );
  const mainModel: Model = runs.has('ladder') ? 'ladder' : 'per-task';
  const { instant, spread } = runs.get(mainModel)!;
  const perTask = mainModel === 'ladder' ? runs.get('per-task') : undefined;
  const result = [
    `tasks=${N}`,
    `db=${db.kind}`,
    `model_name=${mainModel}`,
    `model_p50_ms=${ms(p(instant.model, 50))}`,
    `model_p95_ms=${ms(p(instant.model, 95))}`,
    `model_p99_ms=${ms(p(instant.model, 99))}`,
    `sweep_p50_ms=${ms(p(instant.sweep, 50))}`,
    `sweep_p95_ms=${ms(p(instant.sweep, 95))}`,
    `sweep_p99_ms=${ms(p(instant.sweep, 99))}`,
    `ratio=${ratio(p(instant.sweep, 99), p(instant.model, 99))}`,
    `spread_p50_ms=${ms(p(spread.model, 50))}`,
    `spread_p95_ms=${ms(p(spread.model, 95))}`,
    `spread_p99_ms=${ms(p(spread.model, 99))}`,
    `spread_sweep_p99_ms=${ms(p(spread.sweep, 99))}`,
    `spread_ratio=${ratio(p(spread.sweep, 99), p(spread.model, 99))}`,
    ...(perTask
      ? [
          `pertask_p50_ms=${ms(p(perTask.instant.model, 50))}`,
          `pertask_p99_ms=${ms(p(perTask.instant.model, 99))}`,
          `pertask_ratio=${ratio(p(perTask.instant.sweep, 99), p(perTask.instant.model, 99))}`,
          `pertask_spread_p99_ms=${ms(p(perTask.spread.model, 99))}`,
          `pertask_spread_ratio=${ratio(p(perTask.spread.sweep, 99), p(perTask.spread.model, 99))}`,
          `pertask_missing=${perTask.instant.missing + perTask.spread.missing}`,
        ]
      : []),
    `spread_instants=${INSTANTS}`,
    `spread_minutes=${SPREAD_MS / 60_000}`,
    `missing=${instant.missing + spread.missing}`,
    `start_ms=${Math.round(instant.startMs)}`,
    `opened_before_due=${[...runs.values()].every((r) => r.instant.openedBeforeFirstDue && r.spread.openedBeforeFirstDue)}`,
    `worker_rss_mb=${rss.max.toFixed(0)}`,
  ];
  printResult(result, worker);
}

runBench(main);
