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
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { Knex } from 'knex';
import { createStore } from '../db/store';
import { planSemester } from '../domain/planner';
import type { Calendar, Template } from '../domain/schema';
import type { TaskInput } from '../workflows/task';
import type { CollegeLadderInput, LadderPlan } from '../workflows/college-ladder';
import { collegeLadderWorkflowId } from '../contracts/ids';
import { CollegeIdKey, SemesterIdKey, TaskKindKey } from '../contracts/search-attributes';
import { pct } from './lib';
import {
  benchClient,
  benchKeysEnv,
  load1,
  loadLine,
  pool,
  readModel,
  runBench,
  rssMb,
  seedSchool,
  sleep,
  startTemporal,
  startWorker,
  stats,
  tempDir,
  type ReadModel,
} from './services';

const { values: args } = parseArgs({
  options: {
    tasks: { type: 'string', default: '1000' },
    'lead-seconds': { type: 'string', default: '60' },
    'spread-minutes': { type: 'string', default: '10' },
    instants: { type: 'string', default: '100' },
    'max-wait-minutes': { type: 'string', default: '10' },
    db: { type: 'string', default: 'auto' },
    model: { type: 'string', default: 'both' },
  },
  strict: true,
});
const N = Number(args.tasks);
const LEAD_MS = Number(args['lead-seconds']) * 1000;
const SPREAD_MS = Number(args['spread-minutes']) * 60_000;
const INSTANTS = Number(args.instants);
const MAX_WAIT_MS = Number(args['max-wait-minutes']) * 60_000;
if (
  !(Number.isInteger(N) && N > 0 && N <= 100_000) ||
  !(LEAD_MS >= 5000) ||
  !(SPREAD_MS > 0) ||
  !(Number.isInteger(INSTANTS) && INSTANTS > 0) ||
  !(MAX_WAIT_MS > 0) ||
  !['auto', 'postgres', 'sqlite'].includes(args.db) ||
  !['both', 'per-task', 'ladder'].includes(args.model)
) {
  console.error(
    'usage: npm run bench:escalation -- [--tasks N] [--lead-seconds S≥5] [--spread-minutes M] [--instants K] [--max-wait-minutes W] [--db auto|postgres|sqlite] [--model both|per-task|ladder]',
  );
  process.exit(2);
}
const TASKS_PER_COLLEGE = 54;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START_CONCURRENCY = 20;
const QUEUE = 'bench-escalation';
type Model = 'per-task' | 'ladder';
const MODELS: Model[] = args.model === 'both' ? ['per-task', 'ladder'] : [args.model as Model];

/** Notes when each task's row becomes overdue, by the database's clock, in the writing transaction. */
async function installProbe(knex: Knex): Promise<void> {
  await knex.schema.createTable('bench_overdue_seen', (t) => {
    t.text('task_id').primary();
    t.bigInteger('seen_at').notNullable();
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(`create function bench_overdue_seen() returns trigger language plpgsql as $$
      begin
        insert into bench_overdue_seen (task_id, seen_at) values (new.id, (extract(epoch from clock_timestamp()) * 1000)::bigint) on conflict do nothing;
        return new;
      end $$`);
    await knex.raw(`create trigger bench_overdue_seen after update of status on task_instances for each row
      when (new.status = 'overdue' and old.status is distinct from 'overdue') execute function bench_overdue_seen()`);
  } else {
    await knex.raw(`create trigger bench_overdue_seen after update of status on task_instances
      when new.status = 'overdue' and old.status is not 'overdue'
      begin
        insert or ignore into bench_overdue_seen (task_id, seen_at) values (new.id, cast((julianday('now') - 2440587.5) * 86400000.0 as integer));
      end`);
  }
  // the cron job's copy of the tasks
  await knex.schema.createTable('sweep_tasks', (t) => {
    t.text('id').primary();
    t.bigInteger('due_at').notNullable();
    t.text('status').notNullable();
    t.bigInteger('marked_at');
    t.index(['status', 'due_at']);
  });
}

/**
 * The school's cron job: at every whole minute, mark what is due. Returns a stop function.
 * (setTimeout to the next minute boundary, then every 60 s, as `* * * * *` would run it.)
 */
function startSweep(knex: Knex, log: (line: string) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const sweep = async () => {
    const now = Date.now();
    const n = await knex('sweep_tasks')
      .where('due_at', '<=', now)
      .andWhere('status', 'open')
      .update({ status: 'overdue', marked_at: now });
    if (n) log(`sweep at ${new Date(now).toISOString().slice(11, 19)}: ${n} marked overdue`);
  };
  const schedule = () => {
    if (stopped) return;
    const wait = 60_000 - (Date.now() % 60_000);
    timer = setTimeout(() => {
      sweep().catch((e: unknown) => log(`sweep failed: ${e instanceof Error ? e.message : String(e)}`));
      schedule();
    }, wait);
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

interface CaseResult {
  model: number[];
  sweep: number[];
  missing: number;
  sweepMissing: number;
  startMs: number;
  openedMs: number | null;
  openedBeforeFirstDue: boolean;
}

async function runCase(o: {
  name: string;
  model: Model;
  semesterId: string;
  db: ReadModel;
  client: Client;
  template: Template;
  calendar: Calendar;
  collegeIds: string[];
  /** the due instant of the i-th task, from the case's first start instant */
  dueOf: (i: number, t0: number) => number;
  workerPid: number;
  rss: { max: number };
}): Promise<CaseResult> {
  const { knex } = o.db;
  const store = createStore(knex);
  const plan = planSemester({
    semesterId: o.semesterId,
    template: o.template,
    calendar: o.calendar,
    colleges: o.collegeIds.map((id) => ({ id })),
  });
  const evidence = new Map(o.template.tasks.map((t) => [t.id, t.evidence]));
  const t0 = Date.now();
  const planned = plan.tasks.slice(0, N).map((t, i) => ({
    ...t,
    openAt: t0 - HOUR,
    dueAt: o.dueOf(i, t0),
    remindAts: [] as number[],
    level2At: o.dueOf(i, t0) + DAY,
  }));
  const firstDue = Math.min(...planned.map((t) => t.dueAt));
  const lastDue = Math.max(...planned.map((t) => t.dueAt));
  await store.upsertPlannedTasks(planned.map(({ remindAts: _r, level2At: _l, ...row }) => row));
  await knex.batchInsert(
    'sweep_tasks',
    planned.map((t) => ({ id: t.id, due_at: t.dueAt, status: 'open', marked_at: null })),
    200,
  );
  const log = (line: string) => console.log(`  [${o.name}] ${line}`);
  log(
    `${N} tasks, due ${firstDue === lastDue ? `all at +${((firstDue - t0) / 1000).toFixed(0)} s` : `at ${new Set(planned.map((t) => t.dueAt)).size} instants from +${((firstDue - t0) / 1000).toFixed(0)} s to +${((lastDue - t0) / 1000).toFixed(0)} s`}`,
  );

  const stopSweep = startSweep(knex, log);
  try {
    const s0 = performance.now();
    if (o.model === 'ladder') {
      // one ladder per college, started as the semester workflow starts them: signed, indexed by semester and college
      const byCollege = new Map<string, typeof planned>();
      for (const t of planned) byCollege.set(t.collegeId, [...(byCollege.get(t.collegeId) ?? []), t]);
      await pool([...byCollege], START_CONCURRENCY, async ([collegeId, tasks]) => {
        const plan: LadderPlan = {
          endsAt: lastDue + 2 * DAY,
          evidence: Object.fromEntries(tasks.map((t) => [t.templateTaskId, evidence.get(t.templateTaskId)!])),
          tasks: tasks.map((t) => ({
            taskId: t.id,
            templateTaskId: t.templateTaskId,
            ownerRole: t.ownerRole,
            openAt: t.openAt,
            dueAt: t.dueAt,
            remindAts: t.remindAts,
            level2At: t.level2At,
          })),
        };
        const input: CollegeLadderInput = { semesterId: o.semesterId, collegeId, searchAttributes: true, plan };
        await o.client.workflow.start('collegeLadderWorkflow', {
          workflowId: collegeLadderWorkflowId(o.semesterId, collegeId),
          taskQueue: QUEUE,
          args: [input],
          typedSearchAttributes: [
            { key: SemesterIdKey, value: o.semesterId },
            { key: CollegeIdKey, value: collegeId },
          ],
        });
      });
      log(
        `started ${byCollege.size} college ladders for ${N} tasks in ${((performance.now() - s0) / 1000).toFixed(1)} s`,
      );
    } else {
      // start the task workflows as the app does (startTaskWorkflows): signed, with search attributes
      await pool(planned, START_CONCURRENCY, async ({ id, ...t }) => {
        const input: TaskInput = { ...t, taskId: id, evidence: evidence.get(t.templateTaskId)! };
        await o.client.workflow.start('taskWorkflow', {
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
    }
    const startMs = performance.now() - s0;
    if (o.model === 'per-task')
      log(`started ${N} workflows in ${(startMs / 1000).toFixed(1)} s (${START_CONCURRENCY} at a time)`);

    // wait until every task is overdue in the read model and in the sweep's table, or the limit
    const deadline = lastDue + MAX_WAIT_MS;
    let openedMs: number | null = null;
    let openedBeforeFirstDue = false;
    let lastReport = 0;
    const count = async (q: Knex.QueryBuilder) =>
      Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    for (;;) {
      const [notPlanned, seen, marked] = await Promise.all([
        count(knex('task_instances').where('semester_id', o.semesterId).whereNot('status', 'planned')),
        count(
          knex('bench_overdue_seen').whereIn(
            'task_id',
            knex('task_instances').select('id').where('semester_id', o.semesterId),
          ),
        ),
        count(
          knex('sweep_tasks')
            .whereIn('id', knex('task_instances').select('id').where('semester_id', o.semesterId))
            .whereNotNull('marked_at'),
        ),
      ]);
      o.rss.max = Math.max(o.rss.max, rssMb(o.workerPid) ?? 0);
      if (openedMs === null && notPlanned >= N) {
        openedMs = Date.now() - t0;
        openedBeforeFirstDue = Date.now() <= firstDue;
        log(
          `all ${N} opened in the read model after ${(openedMs / 1000).toFixed(1)} s${openedBeforeFirstDue ? ', before the first due instant' : ' — AFTER the first due instant: the backlog of openings is part of the lag (raise --lead-seconds)'}`,
        );
      }
      if (seen >= N && marked >= N) break;
      if (Date.now() > deadline) {
        log(
          `gave up ${MAX_WAIT_MS / 60_000} min after the last due instant: ${seen}/${N} overdue recorded by the model, ${marked}/${N} by the sweep`,
        );
        break;
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        log(
          `+${((Date.now() - t0) / 1000).toFixed(0)} s: opened ${notPlanned}/${N}, overdue recorded ${seen}/${N}, swept ${marked}/${N}; ${loadLine()}`,
        );
      }
      await sleep(1000);
    }

    const dueById = new Map(planned.map((t) => [t.id, t.dueAt]));
    const seenRows = (await knex('bench_overdue_seen').select('task_id', 'seen_at')) as Array<{
      task_id: string;
      seen_at: number | string;
    }>;
    const model = seenRows
      .filter((r) => dueById.has(r.task_id))
      .map((r) => Number(r.seen_at) - dueById.get(r.task_id)!);
    const sweepRows = (await knex('sweep_tasks').whereNotNull('marked_at').select('id', 'marked_at')) as Array<{
      id: string;
      marked_at: number | string;
    }>;
    const sweep = sweepRows.filter((r) => dueById.has(r.id)).map((r) => Number(r.marked_at) - dueById.get(r.id)!);
    model.sort((a, b) => a - b);
    sweep.sort((a, b) => a - b);
    return {
      model,
      sweep,
      missing: N - model.length,
      sweepMissing: N - sweep.length,
      startMs,
      openedMs,
      openedBeforeFirstDue,
    };
  } finally {
    stopSweep();
  }
}

async function main(): Promise<void> {
  const keysEnv = benchKeysEnv();
  const dir = tempDir('rx-bench-escalation-');
  console.log(`escalation: ${N} tasks per case; ${loadLine()}`);
  const temporal = await startTemporal(dir);
  const db = await readModel(dir, args.db as 'auto');
  const colleges = Math.ceil(N / TASKS_PER_COLLEGE);
  const semesterOf = (model: Model, name: string) => (model === 'ladder' ? `bench-ladder-${name}` : `bench-${name}`);
  const { template, calendar, collegeIds } = await seedSchool(db.knex, {
    colleges,
    semesters: MODELS.flatMap((m) => [semesterOf(m, 'instant'), semesterOf(m, 'spread')]),
  });
  await installProbe(db.knex);
  const worker = await startWorker({ address: temporal.address, taskQueue: QUEUE, db, dir, keysEnv });
  const client = await benchClient(temporal.address, db);
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
    worker.tuning,
    `worker_warnings=${worker.warnings()}`,
    `load1=${load1()}`,
  ];
  console.log(`RESULT ${result.join(' ')}`);
}

runBench(main);
