/**
 * Issue 12 part 5: a new checklist version applied to a running (ladder) semester, on the
 * time-skipping server over the real activities. The ladder adds the task the version adds,
 * retires the one it drops (never a completed one), moves a task whose rule changed, keeps a due
 * date the school administration moved by hand, and records nothing twice; a retry of the same
 * college's Update returns its first result; an older version and a per-task semester are refused.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { admin, counsellor } from './helpers/actors';
import { ladderActivities, testWorker } from './helpers/worker';
import { DEMO_SCHOOL } from '../db/demo';
import { createSemester } from '../server/features/semesters/use-cases/setup';
import { replanSemester, ReplanError } from '../server/features/semesters/use-cases/replan';
import { completeTask, moveDue } from '../server/features/tasks/use-cases';
import { collegeLadderWorkflow } from '../workflows';
import { collegeLadderWorkflowId, ladderReplanUpdate, ladderSummaryQuery } from '../contracts';
import { demoDb, type DemoDb } from './helpers/demo-db';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';

const semesterId = 'replan-2024-autumn';
const id = (templateTaskId: string) => `task.${semesterId}.literature.${templateTaskId}`;
const A = '2024-09-02-dorm-visits'; // completed, then dropped by v4: stays completed
const B = '2024-10-04-outdoor-group-activities'; // moved by hand, then its rule changes in v4: kept
const C = '2024-09-07-mental-health-courses'; // dropped by v4: retired
const D = '2024-10-02-crisis-management'; // its due day changes in v4 (the 20th): moved
const E = '2024-10-09-new-duty'; // added by v4

let env: TestWorkflowEnvironment;
let fx: DemoDb;
let v3: Record<string, unknown>;

beforeAll(async () => {
  fx = await demoDb('replan', { semesterId });
  env = await timeSkippingEnv();
  const row = (await fx.store.getTemplate(fx.template.id, fx.template.version))!;
  v3 = JSON.parse(row.body) as Record<string, unknown>;
  // version 4: A and C dropped, D due on the 20th, B due on the 15th, E added
  const tasks = (v3.tasks as Array<Record<string, unknown>>)
    .filter((t) => t.id !== A && t.id !== C)
    .map((t) => (t.id === D || t.id === B ? { ...t, due: { ...(t.due as object), dueDay: t.id === D ? 20 : 15 } } : t));
  const d = tasks.find((t) => t.id === D)!;
  tasks.push({
    ...d,
    id: E,
    number: 99,
    title: { zh: '新增职责', en: 'A new duty' },
    due: { ...(d.due as object), dueDay: 25 },
  });
  const body = JSON.stringify({ ...v3, version: fx.template.version + 1, tasks });
  await fx.store.saveTemplate({
    id: fx.template.id,
    version: fx.template.version + 1,
    kind: String(v3.kind),
    titleZh: row.titleZh,
    titleEn: row.titleEn,
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
  });
});
afterAll(async () => {
  await env?.teardown();
  await fx?.close();
});

async function settled(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await ok()); i++) {
    if (i > 600) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a new checklist version for a running semester', () => {
  test('When version 4 is applied, then the ladder adds, retires and moves tasks, keeps the work done and the date moved by hand, and a retry changes nothing', async () => {
    const queue = uniqueQueue('replan');
    const { store } = fx;
    expect((await store.getSemester(semesterId))?.taskModel).toBe('ladder');
    const worker = await testWorker(env, queue, ladderActivities({ store, knex: fx.db }, env.client));
    const ladderId = collegeLadderWorkflowId(semesterId, 'literature');
    await worker.runUntil(async () => {
      await env.client.workflow.start(collegeLadderWorkflow, {
        workflowId: ladderId,
        taskQueue: queue,
        args: [{ semesterId, collegeId: 'literature', searchAttributes: false }],
      });
      await store.setSemesterStatus(semesterId, 'running', {
        workflowId: `semester.${semesterId}`,
        startedAt: Date.now(),
      });
      await settled('caught up', async () => {
        const rows = await store.listTaskInstances({ semesterId, collegeId: 'literature' });
        return rows.length > 0 && rows.every((r) => r.escalationLevel === 2);
      });
      await completeTask(env.client, store, id(A), { actor: counsellor, note: '已走访', files: [] });
      const byHand = DateTime.now()
        .setZone(DEMO_SCHOOL.timezone)
        .plus({ days: 30 })
        .set({ hour: 17, minute: 0, second: 0, millisecond: 0 });
      await moveDue(env.client, store, id(B), admin, byHand.toFormat('yyyy-MM-dd HH:mm'), '活动延期');
      const dBefore = (await store.getTaskInstance(id(D)))!.dueAt;

      // refused before anything changes: not the admin, no reason, an older version
      await expect(
        replanSemester(env.client, store, {
          semesterId,
          templateVersion: 4,
          reason: '省厅新版清单',
          actor: counsellor,
        }),
      ).rejects.toThrow('only the school administration may apply a new checklist version');
      await expect(
        replanSemester(env.client, store, { semesterId, templateVersion: 4, reason: ' ', actor: admin }),
      ).rejects.toThrow('reason: a reason is required');
      await expect(
        replanSemester(env.client, store, { semesterId, templateVersion: 3, reason: 'x', actor: admin }),
      ).rejects.toThrow('is not newer than the semester');
      expect((await store.getSemester(semesterId))?.templateVersion).toBe(3);

      const outcome = await replanSemester(env.client, store, {
        semesterId,
        templateVersion: 4,
        reason: '省厅新版清单',
        actor: admin,
      });
      const lit = outcome.colleges.find((c) => c.collegeId === 'literature')!;
      expect(lit.error).toBeUndefined();
      expect(lit.result).toMatchObject({ templateVersion: 4, added: [id(E)], retired: [id(C)], kept: [id(B)] });
      expect(lit.result!.moved).toContain(id(D));
      // colleges without a running ladder say so; nothing is pretended
      expect(
        outcome.colleges
          .filter((c) => c.collegeId !== 'literature')
          .every((c) => c.error === 'this college has no running ladder'),
      ).toBe(true);
      expect((await store.getSemester(semesterId))?.templateVersion).toBe(4);

      // the new task catches up like any other; the moved one is due on the 20th now
      await settled(
        'the added task at level 2',
        async () => (await store.getTaskInstance(id(E)))?.escalationLevel === 2,
      );
      const d = (await store.getTaskInstance(id(D)))!;
      // the 20th of October 2024 is a Sunday: due on the working day before, Friday the 18th
      expect(DateTime.fromMillis(d.dueAt, { zone: DEMO_SCHOOL.timezone }).toISODate()).toBe('2024-10-18');
      expect(d.dueAt).not.toBe(dBefore);

      // a retry of the same college's Update (same id) returns its first result and applies nothing again
      const again = await env.client.workflow.getHandle(ladderId).executeUpdate(ladderReplanUpdate, {
        args: [{ actor: admin, templateVersion: 4, reason: '省厅新版清单' }],
        updateId: `replan:${semesterId}:v4:literature`,
      });
      expect(again).toEqual(lit.result);
      const summary = await env.client.workflow.getHandle(ladderId).query(ladderSummaryQuery);
      expect(summary.completed).toBe(1);
      expect(summary.waived).toBe(1);
      // CAPTURE_LADDER_HISTORIES=1: the history replayed by test/replay.test.ts (a ladder that took a replan)
      if (process.env.CAPTURE_LADDER_HISTORIES === '1') {
        const history = await env.client.workflow.getHandle(ladderId).fetchHistory();
        fs.writeFileSync(
          path.join(__dirname, 'histories', 'ladder', 'ladder.replan.history.pb'),
          temporal.api.history.v1.History.encode(history).finish(),
        );
      }
    });
    expect(await fx.store.getTaskInstance(id(A))).toMatchObject({ status: 'completed' });
    expect(await fx.store.getTaskInstance(id(C))).toMatchObject({ status: 'waived' });
    expect((await fx.store.listAudit({ subjectType: 'task', subjectId: id(C) })).map((a) => a.action)).toContain(
      'retired',
    );
    const b = (await fx.store.getTaskInstance(id(B)))!;
    expect(DateTime.fromMillis(b.dueAt, { zone: DEMO_SCHOOL.timezone }).day).not.toBe(15);
    expect(b.status).toBe('open');
    // every step of every task recorded once
    for (const r of await fx.store.listTaskInstances({ semesterId, collegeId: 'literature' })) {
      const keys = (await fx.store.listAudit({ subjectType: 'task', subjectId: r.id })).map((a) => a.eventKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  test('When the semester runs one workflow per task, then a new version is refused by name and nothing is stored', async () => {
    await createSemester(fx.store, {
      id: 'replan-per-task',
      schoolId: DEMO_SCHOOL.id,
      templateId: fx.template.id,
      templateVersion: 3,
      calendarId: '2024-autumn',
      taskModel: 'per-task',
    });
    await fx.store.setSemesterStatus('replan-per-task', 'running', {
      workflowId: 'semester.replan-per-task',
      startedAt: Date.now(),
    });
    const err = await replanSemester(env.client, fx.store, {
      semesterId: 'replan-per-task',
      templateVersion: 4,
      reason: 'x',
      actor: admin,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplanError);
    expect((err as ReplanError).message).toMatch(/runs one workflow per task/);
    expect((await fx.store.getSemester('replan-per-task'))?.templateVersion).toBe(3);
  });
});
