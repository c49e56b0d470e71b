/**
 * Temporal Schedules on the real dev server (the time-skipping server has no Schedules):
 * applying the definitions is idempotent, pause and resume keep their note, and the triggered
 * daily digest and weekly review kick-off (周周研判) write the right inbox notices, once a day.
 * The CLI lists the schedules and names an unknown id.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createActivities } from '../activities';
import { createDigestActivities, type NoticeResult } from '../activities/digest';
import { DEMO_SCHOOL, seedDemoSchool } from '../db/demo';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore, type PlannedTaskInput, type Store, type TaskInstanceRow } from '../db/store';
import type { TaskKind } from '../domain/schema';
import { applySchedules, listSchedules, pauseSchedule, resumeSchedule, triggerSchedule } from '../schedules/apply';
import {
  dailyDigestScheduleId,
  scheduleDefinitions,
  scheduleIds,
  weeklyReviewKickoffScheduleId,
} from '../schedules/definitions';
import { registerAutumn } from './helpers/demo-db';
import { demoSemester } from './helpers/processes';
import { devServerEnv, uniqueQueue, workflowBundle } from './helpers/temporal';

const ROOT = path.resolve(__dirname, '..');
const SCHOOL = DEMO_SCHOOL.id;
const WEEKLY = weeklyReviewKickoffScheduleId(SCHOOL);
const DAILY = dailyDigestScheduleId(SCHOOL);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let env: TestWorkflowEnvironment;
let db: Knex;
let store: Store;
let dir: string;
let sqliteFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-schedules-'));
  sqliteFile = path.join(dir, 'app.sqlite');
  db = createKnex({ sqliteFile });
  await migrateLatest(db);
  store = createStore(db);
  await seedDemoSchool(store);
  await seedTasks(Date.now());
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A running semester where literature has two overdue tasks (levels 2 and 1) and science one
 * (open, an hour past due, not yet recorded as overdue by its workflow: a lag the digest does not
 * wait for, activities/digest.ts CATCH_UP_GRACE_MS); mechanical and computing have nothing overdue;
 * closed or completed work never counts (arts' overdue task is in a closed semester).
 */
async function seedTasks(now: number): Promise<void> {
  const { template } = await registerAutumn(store);
  await demoSemester(store, template, 'sched-running', { status: 'running', startedAt: now });
  await demoSemester(store, template, 'sched-closed', { status: 'closed', startedAt: now });

  const task = (
    semesterId: string,
    collegeId: string,
    name: string,
    kind: TaskKind,
    openAt: number,
    dueAt: number,
  ): PlannedTaskInput => ({
    id: `task.${semesterId}.${collegeId}.${name}`,
    semesterId,
    collegeId,
    templateTaskId: name,
    month: '2024-10',
    kind,
    ownerRole: 'counsellor',
    titleZh: `任务 ${collegeId}/${name}`,
    titleEn: `Task ${collegeId}/${name}`,
    openAt,
    dueAt,
  });
  const rows = [
    task('sched-running', 'literature', 'kickoff-meeting', 'once', now - 10 * DAY, now - 3 * DAY),
    task('sched-running', 'literature', 'weekly-1', 'weekly', now - 6 * DAY, now - DAY),
    task('sched-running', 'literature', 'weekly-2', 'weekly', now - HOUR, now + 4 * DAY),
    task('sched-running', 'literature', 'done-late', 'once', now - 10 * DAY, now - 5 * DAY),
    task('sched-running', 'science', 'weekly-1', 'weekly', now - 6 * DAY, now - HOUR),
    task('sched-running', 'science', 'waived', 'once', now - 10 * DAY, now - 2 * DAY),
    task('sched-running', 'mechanical', 'weekly-1', 'weekly', now - HOUR, now + 4 * DAY),
    task('sched-running', 'mechanical', 'weekly-2', 'weekly', now + 6 * DAY, now + 11 * DAY),
    task('sched-running', 'computing', 'report', 'once', now - HOUR, now + 10 * DAY),
    task('sched-closed', 'arts', 'weekly-1', 'weekly', now - 6 * DAY, now - DAY),
  ];
  await store.upsertPlannedTasks(rows);
  const set = (r: PlannedTaskInput, patch: Partial<TaskInstanceRow>) =>
    store.applyTaskTransition({
      taskId: r.id,
      patch,
      audit: { eventKey: `${r.id}/seed`, action: 'seed', actor: 'test', at: now },
      notifications: [],
    });
  const [
    litKickoff,
    litWeekly1,
    litWeekly2,
    litDoneLate,
    sciWeekly1,
    sciWaived,
    mechWeekly1,
    ,
    compReport,
    artsWeekly,
  ] = rows;
  await set(litKickoff!, { status: 'overdue', escalationLevel: 2 });
  await set(litWeekly1!, { status: 'overdue', escalationLevel: 1 });
  await set(litWeekly2!, { status: 'open' });
  await set(litDoneLate!, {
    status: 'completed',
    escalationLevel: 1,
    completedAt: now - DAY,
    completedBy: 'literature-counsellor',
    late: true,
  });
  await set(sciWeekly1!, { status: 'open' });
  await set(sciWaived!, { status: 'waived', escalationLevel: 1, waivedReason: '不适用' });
  await set(mechWeekly1!, { status: 'open' });
  await set(compReport!, { status: 'open' });
  await set(artsWeekly!, { status: 'overdue', escalationLevel: 2 });
}

async function eventually<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
    last = await fn();
  }
  return last;
}

/** Runs `fn` with a worker for the schedules' workflows, and deletes the schedules afterwards. */
async function withWorkerAndSchedules<T>(queue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: queue,
    workflowBundle: await workflowBundle(),
    activities: { ...createActivities({ store }), ...createDigestActivities({ store, knex: db }) },
  });
  try {
    return await worker.runUntil(fn());
  } finally {
    await deleteSchedules();
  }
}

async function deleteSchedules(): Promise<void> {
  for (const id of scheduleIds(SCHOOL)) {
    await env.client.schedule
      .getHandle(id)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
  }
}

const definitions = (queue: string) => scheduleDefinitions({ schoolId: SCHOOL, timezone: DEMO_SCHOOL.timezone }, queue);
const outcomes = (results: Array<{ scheduleId: string; outcome: string }>) =>
  results.map((r) => [r.scheduleId, r.outcome]);

/** Triggers a schedule and waits for the run it started. */
async function triggerAndWait(scheduleId: string): Promise<NoticeResult> {
  const handle = env.client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.numActionsTaken;
  await triggerSchedule(env.client, scheduleId);
  const d = await eventually(
    `${scheduleId} starts a run`,
    () => handle.describe(),
    (x) => x.info.numActionsTaken > before,
  );
  const last = [...d.info.recentActions].sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime()).at(-1)!;
  const run = env.client.workflow.getHandle(last.action.workflow.workflowId, last.action.workflow.firstExecutionRunId);
  return (await run.result()) as NoticeResult;
}

async function inbox(
  kind: string,
): Promise<Array<{ recipient: string; eventKey: string; title: string; body: string }>> {
  const rows = (await db('notifications').where({ kind }).orderBy('recipient_user_id')) as Array<
    Record<string, string>
  >;
  return rows.map((r) => ({ recipient: r.recipient_user_id!, eventKey: r.event_key!, title: r.title!, body: r.body! }));
}

const today = () => DateTime.now().setZone(DEMO_SCHOOL.timezone).toISODate()!;

describe('schedules: definitions and apply', () => {
  test('When the schedules are applied twice, then each exists once, Monday 08:00 and daily 08:00 in Asia/Shanghai, and the second apply changes nothing', async () => {
    const queue = uniqueQueue('schedules');
    await withWorkerAndSchedules(queue, async () => {
      expect(outcomes(await applySchedules(env.client, definitions(queue)))).toEqual([
        [WEEKLY, 'created'],
        [DAILY, 'created'],
      ]);
      expect(outcomes(await applySchedules(env.client, definitions(queue)))).toEqual([
        [WEEKLY, 'unchanged'],
        [DAILY, 'unchanged'],
      ]);

      // the server's own list (eventually consistent) holds exactly one schedule per id
      const serverIds = async () => {
        const ids: string[] = [];
        for await (const s of env.client.schedule.list()) ids.push(s.scheduleId);
        return ids.sort();
      };
      await eventually(
        'both schedules in the server list',
        serverIds,
        (ids) => ids.includes(WEEKLY) && ids.includes(DAILY),
      );
      expect(await serverIds()).toEqual([DAILY, WEEKLY]);

      const listed = await listSchedules(env.client, scheduleIds(SCHOOL));
      const weekly = listed.find((s) => s.scheduleId === WEEKLY)!;
      const daily = listed.find((s) => s.scheduleId === DAILY)!;
      expect(weekly.workflowType).toBe('weeklyReviewKickoffWorkflow');
      expect(daily.workflowType).toBe('dailyDigestWorkflow');
      for (const s of [weekly, daily]) {
        expect(s.spec.timezone).toBe('Asia/Shanghai');
        expect(s.spec.calendars).toHaveLength(1);
        expect(s.spec.calendars![0]!.hour).toEqual([{ start: 8, end: 8, step: 1 }]);
        expect(s.spec.calendars![0]!.minute).toEqual([{ start: 0, end: 0, step: 1 }]);
        expect(s.paused).toBe(false);
      }
      expect(weekly.spec.calendars![0]!.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'MONDAY', step: 1 }]);
      expect(daily.spec.calendars![0]!.dayOfWeek).toEqual([{ start: 'SUNDAY', end: 'SATURDAY', step: 1 }]);
      // the server computes the next fire times in the school's zone
      const local = (d: Date) => DateTime.fromJSDate(d, { zone: 'Asia/Shanghai' });
      expect(weekly.nextActionTimes.slice(0, 3).map((d) => [local(d).weekday, local(d).toFormat('HH:mm')])).toEqual([
        [1, '08:00'],
        [1, '08:00'],
        [1, '08:00'],
      ]); // 1 = Monday
      expect(daily.nextActionTimes.slice(0, 2).map((d) => local(d).toFormat('HH:mm'))).toEqual(['08:00', '08:00']);
      expect(local(daily.nextActionTimes[1]!).diff(local(daily.nextActionTimes[0]!), 'days').days).toBe(1);
    });
  });

  test('When a definition changes, then apply updates that schedule only, keeps it paused with its note, and resume makes it active', async () => {
    const queue = uniqueQueue('schedules');
    await withWorkerAndSchedules(queue, async () => {
      await applySchedules(env.client, definitions(queue));
      await pauseSchedule(env.client, DAILY, '寒假暂停 (winter break)');
      let listed = await listSchedules(env.client, scheduleIds(SCHOOL));
      expect(listed.filter((s) => s.paused).map((s) => [s.scheduleId, s.note])).toEqual([
        [DAILY, '寒假暂停 (winter break)'],
      ]);

      const nineOClock = definitions(queue).map((d) =>
        d.scheduleId === DAILY
          ? { ...d, spec: { ...d.spec, calendars: [{ hour: 9, minute: 0, comment: d.description }] } }
          : d,
      );
      const results = await applySchedules(env.client, nineOClock);
      expect(outcomes(results)).toEqual([
        [WEEKLY, 'unchanged'],
        [DAILY, 'updated'],
      ]);
      expect(results[1]!.changed).toEqual(['spec']);
      const described = await eventually(
        'the new time',
        () => env.client.schedule.getHandle(DAILY).describe(),
        (d) => d.spec.calendars?.[0]?.hour[0]?.start === 9,
      );
      expect(described.state).toMatchObject({ paused: true, note: '寒假暂停 (winter break)' });

      // applying the definitions puts the schedule back as defined, once
      expect(outcomes(await applySchedules(env.client, definitions(queue)))[1]).toEqual([DAILY, 'updated']);
      await eventually(
        '08:00 again',
        () => env.client.schedule.getHandle(DAILY).describe(),
        (d) => d.spec.calendars?.[0]?.hour[0]?.start === 8,
      );
      expect(outcomes(await applySchedules(env.client, definitions(queue)))[1]).toEqual([DAILY, 'unchanged']);

      await resumeSchedule(env.client, DAILY, '开学恢复');
      listed = await listSchedules(env.client, scheduleIds(SCHOOL));
      expect(listed.map((s) => [s.scheduleId, s.paused, s.note])).toEqual([
        [DAILY, false, '开学恢复'],
        [WEEKLY, false, ''],
      ]);
      await expect(pauseSchedule(env.client, 'no-such-schedule', 'x')).rejects.toThrow(
        'unknown schedule "no-such-schedule"',
      );
    });
  });
});

describe('schedules: what the triggered runs write', () => {
  test('When the daily digest is triggered twice on one day, then each leader with overdue work and the school admin get exactly one digest with the right counts', async () => {
    const queue = uniqueQueue('digest');
    await withWorkerAndSchedules(queue, async () => {
      await applySchedules(env.client, definitions(queue));
      const first = await triggerAndWait(DAILY);
      expect(first).toEqual({
        eventKey: `digest:${SCHOOL}:${today()}`,
        localDate: today(),
        recipients: 3,
        inserted: 3,
      });

      const digests = await inbox('daily_digest');
      expect(digests.map((n) => n.recipient)).toEqual(['admin', 'literature-college-leader', 'science-college-leader']);
      expect(new Set(digests.map((n) => n.eventKey))).toEqual(new Set([first.eventKey]));
      const [admin, literature, science] = digests;
      expect(literature!.title).toBe('每日督办：逾期 2 项，已预警 2 项（二级预警 1 项）');
      expect(literature!.body).toContain('「任务 literature/kickoff-meeting」');
      expect(literature!.body).toContain('「任务 literature/weekly-1」');
      expect(literature!.body).not.toMatch(/weekly-2|done-late/);
      expect(science!.title).toBe('每日督办：逾期 1 项，已预警 0 项（二级预警 0 项）');
      expect(science!.body).toContain('「任务 science/weekly-1」');
      expect(science!.body).not.toContain('waived');
      expect(admin!.title).toBe('每日督办（全校）：逾期 3 项，已预警 2 项（二级预警 1 项）');
      expect(admin!.body.split('\n').slice(1)).toEqual([
        '· 文学院：逾期 2 项，已预警 2 项（二级预警 1 项）',
        '· 数学与统计学院：逾期 1 项，已预警 0 项（二级预警 0 项）',
      ]);

      const second = await triggerAndWait(DAILY);
      expect(second).toEqual({ ...first, inserted: 0 });
      expect(await inbox('daily_digest')).toEqual(digests);
    });
  });

  test('When the weekly review kick-off is triggered, then the counsellors and leaders of colleges with weekly-review tasks get it with their open count', async () => {
    const queue = uniqueQueue('kickoff');
    await withWorkerAndSchedules(queue, async () => {
      await applySchedules(env.client, definitions(queue));
      const result = await triggerAndWait(WEEKLY);
      expect(result).toEqual({
        eventKey: `weekly-kickoff:${SCHOOL}:${today()}`,
        localDate: today(),
        recipients: 6,
        inserted: 6,
      });

      const notices = await inbox('weekly_kickoff');
      expect(notices.map((n) => [n.recipient, n.title])).toEqual([
        ['literature-college-leader', '本周周研判已开始：未完成 2 项'],
        ['literature-counsellor', '本周周研判已开始：未完成 2 项'],
        ['mechanical-college-leader', '本周周研判已开始：未完成 1 项'],
        ['mechanical-counsellor', '本周周研判已开始：未完成 1 项'],
        ['science-college-leader', '本周周研判已开始：未完成 1 项'],
        ['science-counsellor', '本周周研判已开始：未完成 1 项'],
      ]);
      expect(notices[0]!.body).toBe(
        `文学院：本周周研判已开始（${today()}），请对重点关爱学生逐一研判并记录结果。本学院周研判任务未完成 2 项，其中逾期 1 项。`,
      );
      expect(notices[2]!.body).toContain('其中逾期 0 项');

      expect((await triggerAndWait(WEEKLY)).inserted).toBe(0);
      expect(await inbox('weekly_kickoff')).toHaveLength(6);
    });
  });
});

describe('schedules/cli.ts', () => {
  const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const cli = (queue: string, args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const { DATABASE_URL: _pg, ...parentEnv } = process.env;
      const child = spawn(TSX, [path.join(ROOT, 'schedules', 'cli.ts'), ...args], {
        cwd: ROOT,
        env: {
          ...parentEnv,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_TASK_QUEUE: queue,
          SQLITE_FILE: sqliteFile,
          SCHOOL_ID: SCHOOL,
          NODE_ENV: 'test',
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  test('When the CLI applies and lists, then it names both schedules with their times; pausing an unknown id exits 1 naming it', async () => {
    const queue = uniqueQueue('cli');
    try {
      const applied = await cli(queue, ['apply']);
      expect(applied.stderr).toBe('');
      expect(applied.stdout).toBe(`${WEEKLY}: created\n${DAILY}: created\n`);
      expect((await cli(queue, ['apply'])).stdout).toBe(`${WEEKLY}: unchanged\n${DAILY}: unchanged\n`);

      const listed = await cli(queue, ['list']);
      expect(listed.code).toBe(0);
      const lines = listed.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${DAILY}\tdailyDigestWorkflow\tdaily 08:00 Asia/Shanghai\tactive\tnext \\d{4}-\\d{2}-\\d{2} 08:00\truns 0$`,
        ),
      );
      expect(lines[1]).toMatch(
        new RegExp(
          `^${WEEKLY}\tweeklyReviewKickoffWorkflow\tMONDAY 08:00 Asia/Shanghai\tactive\tnext \\d{4}-\\d{2}-\\d{2} 08:00\truns 0$`,
        ),
      );

      const paused = await cli(queue, ['pause', DAILY, '--note', '系统维护']);
      expect(paused).toMatchObject({ code: 0, stdout: `${DAILY}: paused\n` });
      expect((await cli(queue, ['list'])).stdout).toContain(
        `${DAILY}\tdailyDigestWorkflow\tdaily 08:00 Asia/Shanghai\tpaused (系统维护)`,
      );

      const missing = await cli(queue, ['pause', 'no-such-schedule']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('unknown schedule "no-such-schedule"');
    } finally {
      await deleteSchedules();
    }
  });
});
