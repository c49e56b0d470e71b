/**
 * End to end on the real Temporal dev server (the `temporal` CLI from scripts/temporal-bins.sh):
 * the worker with real activities over a real SQLite read model, the semester → college-semester
 * → task chain, the planner's dates, escalations and completion through the Update.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoDb, registerAutumn } from './helpers/demo-db';
import { demoSemester } from './helpers/processes';
import { eventually as waitFor } from './helpers/wait';
import { ladderActivities, testWorker } from './helpers/worker';
import { DEMO_COLLEGES, DEMO_SCHOOL } from '../db/demo';
import { type Store } from '../db/store';
import { evidenceSchema } from '../domain/schema';
import { createSemester } from '../server/features/semesters/use-cases/setup';
import { startSemester } from '../server/features/semesters/use-cases/start';
import { taskWorkflow } from '../workflows';
import { completeTaskUpdate, type TaskInput } from '../contracts';
import { devServerEnv, temporalBinaries, uniqueQueue } from './helpers/temporal';

let env: TestWorkflowEnvironment;
let db: Knex;
let store: Store;
let dir: string;

beforeAll(async () => {
  ({ db, store, dir } = await demoDb('e2e', { register: false }));
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const eventually = <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000) =>
  waitFor(what, read, ok, { ms, everyMs: 250 });

async function runWorker<T>(queue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await testWorker(env, queue, ladderActivities({ store, knex: db }, env.client));
  return worker.runUntil(fn());
}

describe('semester workflows on the dev server', () => {
  test('When the 2024 autumn semester is started for a college after it ended, then every task is planned, opened, overdue and escalated to the school', async () => {
    const queue = uniqueQueue('semester');
    const { template } = await registerAutumn(store);
    // a school with one college, so the run stays small
    const schoolId = `${DEMO_SCHOOL.id}-e2e`;
    await store.upsertSchool({ ...DEMO_SCHOOL, id: schoolId });
    await store.upsertCollege({ id: 'e2e-college', schoolId, name: '测试学院', nameEn: 'Test College' });
    await store.upsertUser({
      id: 'e2e-counsellor',
      schoolId,
      collegeId: 'e2e-college',
      username: 'e2e-counsellor',
      displayName: '辅导员',
      role: 'counsellor',
    });
    await store.upsertUser({
      id: 'e2e-leader',
      schoolId,
      collegeId: 'e2e-college',
      username: 'e2e-leader',
      displayName: '书记',
      role: 'college_leader',
    });
    await store.upsertUser({
      id: 'e2e-admin',
      schoolId,
      collegeId: null,
      username: 'e2e-admin',
      displayName: '学工处',
      role: 'school_admin',
    });
    const semesterId = `e2e-${queue}`;
    await createSemester(store, {
      id: semesterId,
      schoolId,
      templateId: template.id,
      templateVersion: template.version,
      calendarId: '2024-autumn',
    });

    await runWorker(queue, async () => {
      const first = await startSemester(env.client, store, semesterId, queue);
      const again = await startSemester(env.client, store, semesterId, queue);
      expect(again.runId).toBe(first.runId); // starting twice is a no-op

      const rows = await eventually(
        'all 54 tasks escalated',
        () => store.listTaskInstances({ semesterId }),
        (r) => r.length === 54 && r.every((x) => x.escalationLevel === 2),
        120_000,
      );
      expect(rows.every((r) => r.status === 'overdue' && r.collegeId === 'e2e-college')).toBe(true);
      // 31 checklist tasks: the weekly review is 21 tasks, three holiday reminders are 5, the exam duty is 2
      expect(rows.filter((r) => r.kind === 'weekly')).toHaveLength(21);
      expect(rows.filter((r) => r.kind === 'before-holiday')).toHaveLength(5);
      expect(rows.filter((r) => r.kind === 'exam-week')).toHaveLength(2);

      // every escalation is audited at its planned instant, and the school admin was told
      const kickoff = rows.find((r) => r.templateTaskId === '2024-09-01-kickoff-meeting')!;
      const audit = await store.listAudit({ subjectType: 'task', subjectId: kickoff.id });
      expect(audit.map((a) => [a.action, a.at, a.actor])).toEqual([
        ['opened', kickoff.openAt, 'timer'],
        ['overdue', kickoff.dueAt, 'timer'],
        ['escalated', kickoff.dueAt + 2 * 86_400_000, 'timer'],
      ]);
      const adminInbox = await store.listNotifications('e2e-admin');
      expect(adminInbox.filter((n) => n.kind === 'escalation_l2')).toHaveLength(54);
      const leaderInbox = await store.listNotifications('e2e-leader');
      expect(leaderInbox.filter((n) => n.kind === 'escalation_l1')).toHaveLength(54);
      expect(leaderInbox.filter((n) => n.kind === 'escalation_l2')).toHaveLength(0);

      // the real CLI lists what the app started
      const cli = execFileSync(
        temporalBinaries().temporal,
        ['workflow', 'list', '--address', env.address, '--query', `WorkflowId = 'semester.${semesterId}'`],
        { encoding: 'utf8' },
      );
      expect(cli).toContain(`semester.${semesterId}`);
      // the semester runs on the default task model, the college ladder (ADR 0005): the search
      // attributes count the colleges with work at level 2, one here
      expect((await store.getSemester(semesterId))?.taskModel).toBe('ladder');
      // (visibility is eventually consistent: the ladder's upsert reaches it shortly after the rows)
      const count = await waitFor(
        'the visibility count of colleges at level 2',
        async () =>
          execFileSync(
            temporalBinaries().temporal,
            [
              'workflow',
              'count',
              '--address',
              env.address,
              '--query',
              `SemesterId = '${semesterId}' AND EscalationLevel = 2`,
            ],
            { encoding: 'utf8' },
          ).trim(),
        (c) => c === 'Total: 1',
        { ms: 15_000, everyMs: 500 },
      );
      expect(count).toBe('Total: 1');
    });
  }, 180_000);

  test('When staff complete a task before it is due, then the read model shows it completed on time with its note', async () => {
    const queue = uniqueQueue('task');
    const now = Date.now();
    const college = DEMO_COLLEGES[0]!;
    const semesterId = `e2e-task-${queue}`;
    const input: TaskInput = {
      taskId: `task.${semesterId}.${college.id}.2024-10-05-train-psych-committee`,
      semesterId,
      collegeId: college.id,
      templateTaskId: '2024-10-05-train-psych-committee',
      occurrence: null,
      month: '2024-10',
      kind: 'once',
      ownerRole: 'psych_counsellor',
      titleZh: '开展新生心理委员培训',
      titleEn: 'Train the new psychology committee members',
      openAt: now + 1000,
      dueAt: now + 60 * 60_000,
      remindAts: [],
      level2At: now + 2 * 60 * 60_000,
      evidence: evidenceSchema.parse({ note: 'required' }),
    };
    // the semester row the task belongs to
    const { template } = await registerAutumn(store);
    // a task workflow of this semester is started below: a per-task semester
    await demoSemester(store, template, semesterId, { taskModel: 'per-task' });

    await runWorker(queue, async () => {
      const handle = await env.client.workflow.start(taskWorkflow, {
        args: [input],
        taskQueue: queue,
        workflowId: input.taskId,
      });
      await eventually(
        'task opened',
        () => store.getTaskInstance(input.taskId),
        (r) => r?.status === 'open',
      );
      const psych = `${college.id}-psych-counsellor`;
      const state = await handle.executeUpdate(completeTaskUpdate, {
        args: [
          {
            actor: { userId: psych, role: 'psych_counsellor', collegeId: college.id },
            note: '培训 32 名心理委员',
            files: [],
          },
        ],
      });
      expect(state).toMatchObject({ status: 'completed', late: false });
      await handle.result();
      const row = await store.getTaskInstance(input.taskId);
      expect(row).toMatchObject({
        status: 'completed',
        late: false,
        completedBy: psych,
        note: '培训 32 名心理委员',
        escalationLevel: 0,
      });
      const audit = await store.listAudit({ subjectType: 'task', subjectId: input.taskId });
      expect(audit.map((a) => [a.action, a.actor])).toEqual([
        ['opened', 'timer'],
        ['completed', psych],
      ]);
      // the opening notice reached the psychological counsellor of that college, and no one else
      expect(
        (await store.listNotifications(psych)).filter((n) => n.subjectId === input.taskId).map((n) => n.kind),
      ).toEqual(['opened']);
      expect(
        (await store.listNotifications(`${college.id}-counsellor`)).filter((n) => n.subjectId === input.taskId),
      ).toEqual([]);
    });
  }, 60_000);
});
