/**
 * Semester simulation on the time-skipping test server: the real workflows and activities over
 * a throw-away SQLite read model, with simulated staff completing tasks by policy. A school uses
 * it to check a calendar (and template) before the semester starts.
 *
 * The test server's clock starts now, so a past or future semester runs shifted by a whole
 * number of days; every reported instant is shifted back to the calendar's own dates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { createActivities } from '../activities';
import { createLadderActivities } from '../activities/ladder';
import { FAILURE_CONVERTER_PATH } from '../codec/aes-gcm';
import { createDeliveryActivities, createOutbox } from '../notifications/outbox';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore } from '../db/store';
import type { EvidenceFile, EvidenceSubmission } from '../domain/evidence';
import { loadCalendarFile, loadTemplateFile } from '../domain/load';
import { planSemester, type PlannedTask } from '../domain/planner';
import { COLLEGE_ROLES, type Evidence } from '../domain/schema';
import { createSemester, registerDataFiles } from '../server/features/semesters/use-cases/setup';
import { startSemester } from '../server/features/semesters/use-cases/start';
import { collegeLadderWorkflowId, completeTaskUpdate, ladderCompleteTaskUpdate } from '../contracts';
import { completionTimes, policyLabel } from './policy';
import { createTimeSkippingEnv } from './time-skipping-env';
import { withStackTraces } from '../server/workflow-threads/stack-traces';
import { auditRowsOfType, countAuditEvents } from '../db/repositories/audit';
import { captureHistories, quiesce, sleepUntil } from './harness';
import { emptyMonth, inMonthOrder } from './expected';
import type { MonthSummary, SimulationOptions, SimulationResult } from './types';

export type { MonthSummary, SimulationOptions, SimulationResult, TimelineEvent } from './types';
export { differencesFromPlan, expectedMonths } from './expected';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROOT = path.resolve(__dirname, '..');

/** A submission that meets the task's evidence rules (files are placeholders; nothing is uploaded). */
export function satisfyingSubmission(rules: Evidence): EvidenceSubmission {
  const kind: EvidenceFile['kind'] = rules.accept.includes('pdf') ? 'pdf' : 'image';
  const files: EvidenceFile[] = rules.documents.map((d) => ({ id: `sim-${d.id}`, kind, documentId: d.id }));
  const activities = rules.minPhotosPerActivity ? 1 : undefined;
  for (let i = 0; i < (rules.minPhotosPerActivity ?? 0); i++)
    files.push({ id: `sim-photo-${i + 1}`, kind: 'image', activity: 1 });
  while (files.length < rules.minFiles) files.push({ id: `sim-file-${files.length + 1}`, kind });
  return { note: '模拟完成 (simulated)', files, ...(activities ? { activities } : {}) };
}

export async function runSimulation(opts: SimulationOptions): Promise<SimulationResult> {
  const wallStart = Date.now();
  const template = loadTemplateFile(opts.templateFile).data;
  const calendar = loadCalendarFile(opts.calendarFile).data;
  const zone = calendar.timezone;
  const colleges = Array.from({ length: opts.colleges }, (_, i) => ({
    id: `college-${String(i + 1).padStart(2, '0')}`,
    policy: opts.policies[i % opts.policies.length]!,
  }));
  const semesterId = 'simulation';
  const plan = planSemester({ semesterId, template, calendar, colleges });
  const evidence = new Map(template.tasks.map((t) => [t.id, t.evidence]));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-sim-'));
  const db = createKnex({ sqliteFile: path.join(dir, 'sim.sqlite') });
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  let env: TestWorkflowEnvironment | undefined;
  try {
    await migrateLatest(db);
    const store = createStore(db);
    const schoolId = 'sim-school';
    await store.upsertSchool({ id: schoolId, name: '模拟学校', nameEn: 'Simulated school', timezone: zone });
    await store.upsertUser({
      id: 'sim-admin',
      schoolId,
      collegeId: null,
      username: 'sim-admin',
      displayName: '学生工作处',
      role: 'school_admin',
    });
    for (const [i, c] of colleges.entries()) {
      await store.upsertCollege({
        id: c.id,
        schoolId,
        name: `模拟学院 ${i + 1}`,
        nameEn: `College ${i + 1}`,
        sortOrder: i + 1,
      });
      for (const role of COLLEGE_ROLES) {
        await store.upsertUser({
          id: `${c.id}-${role}`,
          schoolId,
          collegeId: c.id,
          username: `${c.id}-${role}`,
          displayName: role,
          role,
        });
      }
    }
    const files = await registerDataFiles(store, { templateFile: opts.templateFile, calendarFile: opts.calendarFile });
    const model = opts.model ?? 'ladder';
    await createSemester(store, {
      id: semesterId,
      schoolId,
      templateId: files.template.id,
      templateVersion: files.template.version,
      calendarId: files.calendar.id,
      taskModel: model,
    });

    env = await createTimeSkippingEnv();
    const ts = env;
    const now = await ts.currentTimeMs();
    const shift = Math.ceil((now + HOUR - plan.startsAt) / DAY) * DAY;

    // every action of the simulated staff, at its shifted instant
    const actions = new Map<number, PlannedTask[]>();
    for (const c of colleges) {
      const tasks = plan.tasks.filter((t) => t.collegeId === c.id);
      for (const [id, at] of completionTimes(c.policy, tasks)) {
        if (at === null) continue;
        const list = actions.get(at + shift) ?? [];
        list.push(tasks.find((t) => t.id === id)!);
        actions.set(at + shift, list);
      }
    }
    const lastTimer = Math.max(...plan.tasks.map((t) => t.level2At), ...[...actions.keys()].map((a) => a - shift));

    const taskQueue = 'simulation';
    // no stack-trace query is ever asked of a simulation: its workflow threads skip the SDK's promise hook
    const connection = env.nativeConnection;
    const worker = await withStackTraces('off', async () =>
      Worker.create({
        connection,
        taskQueue,
        workflowBundle: await bundleWorkflowCode({
          workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
          failureConverterPath: FAILURE_CONVERTER_PATH,
          logger: new DefaultLogger('ERROR'),
        }),
        activities: {
          ...createActivities({ store, client: ts.client, planShiftMs: shift }),
          // no external channels in a simulation: the in-app inbox only
          ...createDeliveryActivities({ outbox: createOutbox({ knex: db, channels: {} }) }),
          ...(model === 'ladder'
            ? createLadderActivities({
                store,
                client: ts.client,
                planShiftMs: shift,
                outbox: createOutbox({ knex: db, channels: {} }),
              })
            : {}),
        },
        maxConcurrentActivityTaskExecutions: 50,
      }),
    );

    await worker.runUntil(async () => {
      // the time-skipping server fires every timer at its instant: the ladders need no early aim
      await startSemester(ts.client, store, semesterId, taskQueue, { searchAttributes: false, exactTimers: true });
      for (const at of [...actions.keys()].sort((a, b) => a - b)) {
        await sleepUntil(ts, at);
        await Promise.all(actions.get(at)!.map((t) => complete(ts.client, t, evidence.get(t.templateTaskId)!, model)));
      }
      await sleepUntil(ts, lastTimer + shift + HOUR);
      await quiesce(() => countAuditEvents(db));
      if (opts.captureHistoriesDir)
        await captureHistories(ts.client, opts.captureHistoriesDir, semesterId, colleges, plan.tasks, model);
    });

    // results, from the read model and the audit log only
    const rows = await store.listTaskInstances({ semesterId });
    const audit = await auditRowsOfType(db, 'task');
    const byTask = new Map<string, string[]>();
    for (const a of audit) byTask.set(a.subject_id, [...(byTask.get(a.subject_id) ?? []), a.action]);
    const summary = colleges.map((c) => {
      const months = new Map<string, MonthSummary>();
      for (const r of rows.filter((x) => x.collegeId === c.id)) {
        const m = months.get(r.month) ?? emptyMonth(r.month);
        const actions = byTask.get(r.id) ?? [];
        m.planned += 1;
        if (r.status === 'completed' && r.late) m.late += 1;
        else if (r.status === 'completed') m.onTime += 1;
        else if (r.status !== 'waived') m.open += 1;
        if (actions.includes('overdue')) m.escalatedL1 += 1;
        if (actions.includes('escalated')) m.escalatedL2 += 1;
        m.reminders += actions.filter((a) => a === 'reminded').length;
        months.set(r.month, m);
      }
      return {
        college: c.id,
        policy: policyLabel(c.policy),
        months: inMonthOrder(months),
      };
    });
    const collegeOf = new Map(rows.map((r) => [r.id, r.collegeId]));
    const timeline = audit.map((a) => {
      const at = Number(a.at) - shift;
      return {
        at,
        local: DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm'),
        college: collegeOf.get(a.subject_id) ?? '',
        taskId: a.subject_id,
        action: a.action,
        actor: a.actor,
      };
    });
    return { timezone: zone, colleges: summary, timeline, plan: plan.tasks, wallMs: Date.now() - wallStart };
  } finally {
    await env?.teardown();
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Completes a task as its owner would; waits (real time) if its workflow is still being started. */
async function complete(
  client: Client,
  task: PlannedTask,
  rules: Evidence,
  model: 'per-task' | 'ladder',
): Promise<void> {
  const actor = { userId: `${task.collegeId}-${task.ownerRole}`, role: task.ownerRole, collegeId: task.collegeId };
  for (let attempt = 0; ; attempt++) {
    try {
      if (model === 'ladder') {
        // the ladder of the task's college takes the Update (as server/tasks.ts routes it)
        await client.workflow
          .getHandle(collegeLadderWorkflowId(task.semesterId, task.collegeId))
          .executeUpdate(ladderCompleteTaskUpdate, {
            args: [{ actor, taskId: task.id, ...satisfyingSubmission(rules) }],
          });
      } else
        await client.workflow
          .getHandle(task.id)
          .executeUpdate(completeTaskUpdate, { args: [{ actor, ...satisfyingSubmission(rules) }] });
      return;
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError) || attempt >= 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Waits until a counter stops moving (the worker has finished what the last timers started). */
