/**
 * Several replicas (issue 11, item 4): 2 worker processes (server/worker.ts) and 2 web processes
 * (server/web.ts) against ONE PostgreSQL read model (a throw-away database, dropped at the end) and
 * ONE Temporal dev server, with the per-task model (a handful of tasks with near-future instants)
 * and the ladder model (a past semester: every step of two colleges at once).
 *
 * - every escalation and notification happens exactly once across both workers, also when one
 *   worker is killed with SIGKILL mid-run (its replacement joins later);
 * - completions go through either web server with the same sessions (they live in the database);
 *   each succeeds once, and the same completion on the other server answers 409 "already
 *   completed"; a web server killed during completions loses none: what it did not answer is
 *   retried on the other one;
 * - the Schedules, applied from both sides at once, exist once; the daily digest triggered once
 *   runs once and writes one set of notices.
 *
 * Skipped, with the reason printed, only when PostgreSQL (TEST_PG_URL or
 * postgres://postgres@127.0.0.1:5432/test) cannot be reached.
 */
import { noteAlone } from './helpers/tasks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PASSWORD, DEMO_SCHOOL } from '../db/demo';
import { loadCalendarFile, loadTemplateFile } from '../domain/load';
import { planSemester, type PlannedTask } from '../domain/planner';
import { applySchedules } from '../schedules/apply';
import { dailyDigestScheduleId, scheduleDefinitions } from '../schedules/definitions';
import { triggerSchedule } from '../schedules/apply';
import { taskWorkflow } from '../workflows';
import { type TaskInput } from '../contracts';
import { collegeLadderWorkflow } from '../workflows/college-ladder';
import { collegeLadderWorkflowId } from '../contracts/ids';
import { pgUnreachable, throwawayDatabase } from '../bench/lib';
import {
  appStack,
  connectApp,
  inboxKinds,
  demoSemester,
  killAll,
  killHard,
  noteTaskInput,
  ROOT,
  signIn,
  sleep,
  startApp,
  startLadderOver,
  startWeb,
  type AppStack,
  type Proc,
  WHOLE_LADDER_INBOXES,
  wholeLadderSteps,
} from './helpers/processes';
import { devServerEnv, uniqueQueue } from './helpers/temporal';
import { until as waitUntil } from './helpers/wait';

const TEMPLATE_FILE = path.join(ROOT, 'checklists', 'runxin-2024-autumn.json');
const CALENDAR_FILE = path.join(ROOT, 'calendars', '2024-autumn.json');
const SCHOOL = DEMO_SCHOOL.id;
const LADDER_SEMESTER = 'replicas-ladder';
/** a ladder semester of near-future instants, so the killed worker leaves it mid-run */
const LIVE_LADDER_SEMESTER = 'replicas-ladder-live';
const LIVE_LADDER_COLLEGE = 'business';
const PER_TASK_SEMESTER = 'replicas-per-task';
const LADDER_COLLEGES = ['literature', 'science'];
const PER_TASK_COLLEGES = ['mechanical', 'computing'];

const until = (what: string, check: () => Promise<boolean>, ms: number) => waitUntil(what, check, { ms, everyMs: 250 });

// ---------------------------------------------------------------------------------------------
// The replicas: real processes, each in its own process group (the kill reaches tsx's node child)

const replicas: Proc[] = [];
let unavailable = '';
let database: { url: string; drop(): Promise<void> } | undefined;
let dir = '';
let env: TestWorkflowEnvironment | undefined;
let app: AppStack;
let queue = '';
const webBase: Record<'a' | 'b', string> = { a: '', b: '' };

async function startWorker(name: string): Promise<Proc> {
  const p = await startApp(name, 'worker.ts', 'worker: polling', app.env, 150_000);
  replicas.push(p);
  return p;
}
async function startWebReplica(name: string): Promise<string> {
  const { proc, base } = await startWeb(name, app.env);
  replicas.push(proc);
  return base;
}

beforeAll(async () => {
  unavailable = (await pgUnreachable()) ?? '';
  if (unavailable) {
    console.warn(`replicas test skipped: ${unavailable}`);
    return;
  }
  database = await throwawayDatabase('rx_replicas');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-replicas-'));

  env = await devServerEnv();
  queue = uniqueQueue('replicas');
  // keys of this run only, the same for every replica and for this process's client
  app = await appStack({
    label: 'replicas',
    databaseUrl: database.url,
    address: env.address,
    queue,
    dir,
    unset: ['TASK_MODEL'],
  });
  const { store, template } = app;
  await demoSemester(store, template, LADDER_SEMESTER, { taskModel: 'ladder', status: 'running' });
  await demoSemester(store, template, LIVE_LADDER_SEMESTER, { taskModel: 'ladder', status: 'running' });
  await demoSemester(store, template, PER_TASK_SEMESTER, { taskModel: 'per-task', status: 'running' });

  // the migrations ran above, so the replicas start at once without racing over them
  const [, , a, b] = await Promise.all([
    startWorker('worker-a'),
    startWorker('worker-b'),
    startWebReplica('web-a'),
    startWebReplica('web-b'),
  ]);
  webBase.a = a;
  webBase.b = b;
}, 240_000);

afterAll(async () => {
  await killAll();
  await app?.close();
  await env?.teardown();
  await database?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Sessions and completions over HTTP

const sessions = new Map<string, { cookie: string; csrf: string }>();

/** The college leader completes the task with a note, through the given web server. */
async function complete(base: string, taskId: string, collegeId: string): Promise<{ status: number; body: string }> {
  const s = sessions.get(collegeId)!;
  const form = new FormData();
  form.append('note', '多副本测试：已完成');
  const res = await fetch(`${base}/api/tasks/${encodeURIComponent(taskId)}/complete`, {
    method: 'POST',
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    body: form,
  });
  return { status: res.status, body: await res.text() };
}

// ---------------------------------------------------------------------------------------------
// What the read model holds

interface AuditRow {
  event_key: string;
  subject_id: string;
  action: string;
  at: number;
}
const auditOf = async (taskIds: string[]): Promise<AuditRow[]> =>
  (
    (await app
      .db('audit_events')
      .where({ subject_type: 'task' })
      .whereIn('subject_id', taskIds)
      .select('event_key', 'subject_id', 'action', 'at')) as AuditRow[]
  ).map((r) => ({ ...r, at: Number(r.at) }));

/** How many rows share each key (a count over 1 would be a duplicate). */
async function duplicates(table: string, columns: string[]): Promise<unknown[]> {
  return app.db(table).select(columns).count({ n: '*' }).groupBy(columns).havingRaw('count(*) > 1');
}

const ladderPlan = (): PlannedTask[] =>
  planSemester({
    semesterId: LADDER_SEMESTER,
    template: loadTemplateFile(TEMPLATE_FILE).data,
    calendar: loadCalendarFile(CALENDAR_FILE).data,
    colleges: LADDER_COLLEGES.map((id) => ({ id })),
  }).tasks;

/**
 * The per-task model's step keys of a planned task (the ladder writes the same); reminders already
 * past when the ladder started are skipped, as task.ts skips them.
 */
const stepKeys = (t: { id: string; remindAts: number[]; dueAt: number }, startedAt: number) => [
  `${t.id}/opened`,
  ...t.remindAts.filter((at) => at >= startedAt).map((at) => `${t.id}/remind:${at}`),
  `${t.id}/overdue:${t.dueAt}`,
  `${t.id}/level2:${t.dueAt}`,
];

/** Template tasks a note alone completes (no files, no ledger precondition). */
const noteOnly = new Set(
  loadTemplateFile(TEMPLATE_FILE)
    .data.tasks.filter((t) => noteAlone(t.evidence))
    .map((t) => t.id),
);

const perTaskTasks: TaskInput[] = [];

describe('two workers and two web servers on one PostgreSQL and one Temporal server', () => {
  test('When both workers run both models and one is killed with SIGKILL mid-run, then every step and notice is recorded exactly once, at its planned instant', async (ctx) => {
    if (unavailable) return ctx.skip();
    // the ladder model: a past semester, every step of two colleges due at once
    const ladderStart = Date.now();
    for (const collegeId of LADDER_COLLEGES) {
      await app.client.workflow.start(collegeLadderWorkflow, {
        args: [{ semesterId: LADDER_SEMESTER, collegeId }],
        taskQueue: queue,
        workflowId: collegeLadderWorkflowId(LADDER_SEMESTER, collegeId),
      });
    }
    // the per-task model: a handful of tasks with near-future instants
    const t0 = Date.now();
    const templateTasks = [...noteOnly].slice(0, 2);
    for (const collegeId of PER_TASK_COLLEGES) {
      for (const templateTaskId of templateTasks) {
        perTaskTasks.push(
          noteTaskInput({
            semesterId: PER_TASK_SEMESTER,
            collegeId,
            templateTaskId,
            title: { zh: '多副本测试任务', en: 'Replicas test task' },
            instants: {
              openAt: t0 + 2000,
              remindAts: [t0 + 5000, t0 + 9000],
              dueAt: t0 + 12_000,
              level2At: t0 + 15_000,
            },
          }),
        );
      }
    }
    for (const t of perTaskTasks)
      await app.client.workflow.start(taskWorkflow, { args: [t], taskQueue: queue, workflowId: t.taskId });
    // the ladder model with the same near-future instants, staggered so it wakes many times
    const liveTasks = await startLadderOver({
      client: app.client,
      store: app.store,
      queue,
      semesterId: LIVE_LADDER_SEMESTER,
      collegeId: LIVE_LADDER_COLLEGE,
      templateTaskId: '2024-10-01-update-key-care-list',
      title: { zh: '更新重点关爱名单', en: 'Update the key-care list' },
      instants: Array.from({ length: 6 }, (_, i) => {
        const d = i * 400;
        return {
          openAt: t0 + 2000 + d,
          remindAts: [t0 + 5000 + d, t0 + 9000 + d],
          dueAt: t0 + 12_000 + d,
          level2At: t0 + 15_000 + d,
        };
      }),
      endsAt: t0 + 3_600_000,
    });
    const timed = [...perTaskTasks, ...liveTasks.map((t) => ({ ...t, collegeId: LIVE_LADDER_COLLEGE }))];
    const timedIds = timed.map((t) => t.taskId);

    // worker A dies without warning once the first reminders are out; B carries on alone
    await until(
      'the first reminders',
      async () =>
        new Set((await auditOf(timedIds)).filter((a) => a.action === 'reminded').map((a) => a.subject_id)).size ===
        timedIds.length,
      45_000,
    );
    await killHard(replicas.find((r) => r.name === 'worker-a')!);
    // a replacement joins while the rest of the semester runs
    const replacement = startWorker('worker-c');

    const plan = ladderPlan();
    const ladderIds = plan.map((t) => t.id);
    const expectedLadderKeys = plan.flatMap((t) => stepKeys(t, ladderStart)).sort();
    const ladderDone = async () => {
      const rows = await app.store.listTaskInstances({ semesterId: LADDER_SEMESTER });
      return rows.length === plan.length && rows.every((r) => r.escalationLevel === 2);
    };
    await until('every ladder task at level 2', ladderDone, 75_000).catch(async (e: Error) => {
      const keys = new Set((await auditOf(ladderIds)).map((a) => a.event_key));
      const rows = await app.store.listTaskInstances({ semesterId: LADDER_SEMESTER });
      throw new Error(
        `${e.message}: ${keys.size} of ${expectedLadderKeys.length} steps, missing e.g. ${expectedLadderKeys
          .filter((k) => !keys.has(k))
          .slice(0, 5)
          .join(
            ', ',
          )}; rows ${rows.length} of ${plan.length}, levels ${JSON.stringify(rows.map((r) => r.escalationLevel).reduce<Record<number, number>>((m, l) => ({ ...m, [l]: (m[l] ?? 0) + 1 }), {}))}\n${replicas.map((r) => `[${r.name}] ${r.output().slice(-1500)}`).join('\n')}`,
      );
    });
    await until(
      'the level-2 escalations of the near-future tasks',
      async () => (await auditOf(timedIds)).filter((a) => a.action === 'escalated').length === timedIds.length,
      75_000,
    );
    await replacement;
    await sleep(1500); // room for any duplicate to show up

    // the ladder: every planned step of both colleges exactly once, nothing else
    const ladderAudit = await auditOf(ladderIds);
    expect(ladderAudit.map((a) => a.event_key).sort()).toEqual(expectedLadderKeys);
    const planned = new Map(plan.map((t) => [t.id, t]));
    for (const a of ladderAudit) {
      const t = planned.get(a.subject_id)!;
      const at =
        { opened: t.openAt, overdue: t.dueAt, escalated: t.level2At }[a.action as 'opened' | 'overdue' | 'escalated'] ??
        Number(a.event_key.split('remind:')[1]);
      expect(a.at, a.event_key).toBe(at);
    }
    const ladderRows = await app.store.listTaskInstances({ semesterId: LADDER_SEMESTER });
    expect(ladderRows).toHaveLength(plan.length);
    expect(ladderRows.every((r) => r.status === 'overdue' && r.escalationLevel === 2)).toBe(true);

    // the near-future tasks of both models: the durability test's timeline, once per task
    for (const t of timed) {
      const audit = (await auditOf([t.taskId])).sort((x, y) => x.at - y.at);
      expect(audit.map((a) => [a.action, a.at])).toEqual(wholeLadderSteps(t));
      expect(await inboxKinds(app.store, t, ['counsellor', 'college-leader', 'admin'])).toEqual(WHOLE_LADDER_INBOXES);
    }

    // notices: each step's notices once per recipient, and every notice belongs to a recorded step
    const allIds = [...ladderIds, ...timedIds];
    const notices = (await app
      .db('notifications')
      .where({ subject_type: 'task' })
      .whereIn('subject_id', allIds)
      .select('event_key', 'recipient_user_id', 'kind')) as Array<{
      event_key: string;
      recipient_user_id: string;
      kind: string;
    }>;
    const stepEventKeys = new Set((await auditOf(allIds)).map((a) => a.event_key));
    expect(notices.filter((n) => !stepEventKeys.has(n.event_key))).toEqual([]);
    const perKey = new Map<string, number>();
    for (const n of notices)
      perKey.set(
        `${n.event_key} → ${n.recipient_user_id}`,
        (perKey.get(`${n.event_key} → ${n.recipient_user_id}`) ?? 0) + 1,
      );
    expect([...perKey].filter(([, n]) => n > 1)).toEqual([]);
    // every ladder step notified someone; the level-2 steps the school admin, once each
    const noticed = new Set(notices.map((n) => n.event_key));
    expect(expectedLadderKeys.filter((k) => !noticed.has(k))).toEqual([]);
    expect(notices.filter((n) => n.kind === 'escalation_l2' && n.recipient_user_id === 'admin').length).toBe(
      plan.length + timed.length,
    );
    expect(await duplicates('audit_events', ['event_key'])).toEqual([]);
    expect(await duplicates('notifications', ['event_key', 'recipient_user_id', 'channel'])).toEqual([]);
  }, 180_000);

  test('When completions go through either web server and one web server is killed during completions, then each task is completed exactly once and a retry anywhere answers 409 "already completed"', async (ctx) => {
    if (unavailable) return ctx.skip();
    // one sign-in per leader, on web A; the session lives in the shared database, so web B knows it
    for (const c of [...LADDER_COLLEGES, ...PER_TASK_COLLEGES])
      sessions.set(c, await signIn(webBase.a, `${c}-college-leader`, DEMO_PASSWORD));

    const plan = ladderPlan().filter((t) => noteOnly.has(t.templateTaskId));
    const byCollege = (c: string) => plan.filter((t) => t.collegeId === c);
    // alternating servers: the per-task tasks and 3 ladder tasks of each college
    const alternating = [
      ...perTaskTasks.map((t) => ({ id: t.taskId, collegeId: t.collegeId })),
      ...LADDER_COLLEGES.flatMap((c) =>
        byCollege(c)
          .slice(0, 3)
          .map((t) => ({ id: t.id, collegeId: c })),
      ),
    ];
    for (const [i, t] of alternating.entries()) {
      const [first, other] = i % 2 === 0 ? [webBase.a, webBase.b] : [webBase.b, webBase.a];
      const done = await complete(first, t.id, t.collegeId);
      expect(done.status, `${t.id} on ${first}: ${done.body}`).toBe(200);
      expect(JSON.parse(done.body).task.status).toBe('completed');
      const again = await complete(other, t.id, t.collegeId);
      expect(again.status, `${t.id} again on ${other}: ${again.body}`).toBe(409);
      expect(JSON.parse(again.body).error).toMatch(/already completed/);
    }

    // web A is killed while it has completions in flight; what it did not answer goes to web B
    const batch = LADDER_COLLEGES.flatMap((c) =>
      byCollege(c)
        .slice(3, 8)
        .map((t) => ({ id: t.id, collegeId: c })),
    );
    const inFlight = batch.map((t) => complete(webBase.a, t.id, t.collegeId));
    await Promise.race(inFlight.map((p) => p.catch(() => undefined)));
    await killHard(replicas.find((r) => r.name === 'web-a')!);
    const answered = await Promise.allSettled(inFlight);
    let lost = 0;
    let alreadyDone = 0;
    for (const [i, r] of answered.entries()) {
      const t = batch[i]!;
      if (r.status === 'fulfilled') {
        expect(r.value.status, `${t.id} on web A: ${r.value.body}`).toBe(200);
        continue;
      }
      lost++;
      // no answer: it may or may not have reached the ladder; web B tells which, never a 500
      const retry = await complete(webBase.b, t.id, t.collegeId);
      expect([200, 409], `${t.id} retried on web B: ${retry.body}`).toContain(retry.status);
      if (retry.status === 409) {
        expect(JSON.parse(retry.body).error).toMatch(/already completed/);
        alreadyDone++;
      }
    }
    console.log(
      `replicas: web A answered ${batch.length - lost} of ${batch.length} completions before it was killed; of the ${lost} retried on web B, ${alreadyDone} had reached the ladder through web A (409 already completed) and ${lost - alreadyDone} were accepted by web B`,
    );

    // every completion is recorded once, with its notice trail, and the task is closed
    const completedIds = [...alternating, ...batch].map((t) => t.id);
    await until(
      'every completion in the read model',
      async () =>
        (await auditOf(completedIds)).filter((a) => a.action.startsWith('completed')).length >= completedIds.length,
      30_000,
    ).catch(async (e: Error) => {
      const audit = await auditOf(completedIds);
      throw new Error(
        `${e.message}: ${JSON.stringify(audit.filter((a) => !/opened|remind|overdue|level2/.test(a.event_key)).slice(0, 8))}; statuses ${JSON.stringify(await Promise.all(completedIds.map(async (id) => (await app.store.getTaskInstance(id))?.status)))}`,
      );
    });
    await sleep(1000);
    const completions = (await auditOf(completedIds)).filter((a) => a.action.startsWith('completed'));
    expect(completions.map((a) => a.subject_id).sort()).toEqual([...completedIds].sort());
    for (const id of completedIds) expect((await app.store.getTaskInstance(id))?.status, id).toBe('completed');
    // the other tasks stay at level 2
    const open = (await app.store.listTaskInstances({ semesterId: LADDER_SEMESTER })).filter(
      (r) => !completedIds.includes(r.id),
    );
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((r) => r.status === 'overdue' && r.escalationLevel === 2)).toBe(true);
    expect(await duplicates('audit_events', ['event_key'])).toEqual([]);
  }, 120_000);

  test('When both sides apply the Schedules at once and the daily digest is triggered once, then each Schedule exists once and one digest run writes one set of notices', async (ctx) => {
    if (unavailable) return ctx.skip();
    // "the web side" and "the worker side": two clients of their own, applying at the same time
    const { connection: other, client: otherClient } = await connectApp(env!.address, app.db);
    try {
      const defs = scheduleDefinitions({ schoolId: SCHOOL, timezone: DEMO_SCHOOL.timezone }, queue);
      const [x, y] = await Promise.all([applySchedules(app.client, defs), applySchedules(otherClient, defs)]);
      for (const def of defs) {
        const outcomes = [...x, ...y]
          .filter((r) => r.scheduleId === def.scheduleId)
          .map((r) => r.outcome)
          .sort();
        expect(outcomes, def.scheduleId).toEqual(['created', 'unchanged']);
      }
      const listed: string[] = [];
      await until(
        'both schedules in the server list',
        async () => {
          listed.length = 0;
          for await (const s of app.client.schedule.list()) listed.push(s.scheduleId);
          return defs.every((d) => listed.includes(d.scheduleId));
        },
        30_000,
      );
      expect(listed.sort()).toEqual(defs.map((d) => d.scheduleId).sort());

      const DAILY = dailyDigestScheduleId(SCHOOL);
      const handle = app.client.schedule.getHandle(DAILY);
      await triggerSchedule(otherClient, DAILY);
      let run: { workflowId: string; firstExecutionRunId: string } | undefined;
      await until(
        'the digest run',
        async () => {
          const d = await handle.describe();
          run = d.info.recentActions.at(-1)?.action.workflow;
          return d.info.numActionsTaken >= 1 && run !== undefined;
        },
        30_000,
      );
      const result = (await app.client.workflow.getHandle(run!.workflowId, run!.firstExecutionRunId).result()) as {
        eventKey: string;
        recipients: number;
        inserted: number;
      };
      await sleep(1500); // room for a second run or a second set of notices
      const d = await handle.describe();
      expect(d.info.numActionsTaken).toBe(1);
      // the server's list of runs (visibility is eventually consistent: wait for the run, then count)
      const digestRuns = async () => {
        let n = 0;
        for await (const w of app.client.workflow.list({ query: `WorkflowType = 'dailyDigestWorkflow'` }))
          if (w.workflowId.startsWith(DAILY)) n++;
        return n;
      };
      await until('the digest run in the server list', async () => (await digestRuns()) >= 1, 30_000);
      expect(await digestRuns()).toBe(1);

      const digests = (await app
        .db('notifications')
        .where({ kind: 'daily_digest' })
        .select('event_key', 'recipient_user_id')) as Array<{
        event_key: string;
        recipient_user_id: string;
      }>;
      expect(result.inserted).toBe(result.recipients);
      expect(digests).toHaveLength(result.recipients);
      expect(new Set(digests.map((n) => n.event_key))).toEqual(new Set([result.eventKey]));
      // the leaders of the three ladder colleges (level-2 work left) and the school admin
      expect(digests.map((n) => n.recipient_user_id).sort()).toEqual(
        ['admin', ...[...LADDER_COLLEGES, LIVE_LADDER_COLLEGE].map((c) => `${c}-college-leader`)].sort(),
      );
    } finally {
      await other.close();
    }
  }, 90_000);
});
