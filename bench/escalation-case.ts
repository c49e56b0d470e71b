/** One case of bench:escalation (see escalation.ts): the probe, the school's cron sweep, and runCase. */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createStore } from '../db/store';
import { planSemester } from '../domain/planner';
import type { Calendar, Template } from '../domain/schema';
import { DAY, HOUR, MAX_WAIT_MS, N, QUEUE, START_CONCURRENCY, type Model } from './escalation-args';
import { loadLine, rssMb, sleep, type ReadModel } from './services';
import { startPlanned } from './start-workflows';
import { ladderLagParts, lagPartsLine } from './escalation-breakdown';

/** Notes when each task's row becomes overdue, by the database's clock, in the writing transaction. */
export async function installProbe(knex: Knex): Promise<void> {
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

export interface CaseResult {
  model: number[];
  sweep: number[];
  missing: number;
  sweepMissing: number;
  startMs: number;
  openedMs: number | null;
  openedBeforeFirstDue: boolean;
}

export async function runCase(o: {
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
    const started = await startPlanned({
      model: o.model,
      client: o.client,
      queue: QUEUE,
      semesterId: o.semesterId,
      planned,
      evidence,
      endsAt: lastDue + 2 * DAY,
      concurrency: START_CONCURRENCY,
    });
    if (o.model === 'ladder')
      log(`started ${started} college ladders for ${N} tasks in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
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
    if (o.model === 'ladder' && firstDue === lastDue) {
      const colleges = [...new Set(planned.map((t) => t.collegeId))];
      log(lagPartsLine(await ladderLagParts(o.client, o.semesterId, colleges, firstDue), model));
    }
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
