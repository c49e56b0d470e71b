/**
 * The crisis procedure on the time-skipping server: a full 24-hour special supervision with one
 * missed check-in and a late hand-over, and a case whose on-scene acknowledgement is missed.
 * Every escalation instant is asserted.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, test } from 'vitest';
import { memoryEventActivities, testWorker } from './helpers/worker';
import type { CrisisEvent } from '../activities/crisis';
import { crisisCaseWorkflow } from '../workflows';
import { DEFAULT_CRISIS_DURATIONS } from '../domain/care-durations';
import {
  acknowledgeOnSceneUpdate,
  confirmSchoolNotifiedUpdate,
  fiveOnesUpdate,
  recordActionUpdate,
  type CrisisInput,
} from '../contracts/crisis';
import { checkInUpdate, handOverUpdate, setGuardianUpdate } from '../contracts/supervision';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Each test gets its own time-skipping server: a rejected Update can leave the test server's
 * time-skipping lock held, after which a later sleep in the same server never returns.
 */
let env: TestWorkflowEnvironment;

async function withWorker<T>(
  fn: (ctx: { queue: string; events: CrisisEvent[]; delivered: string[] }) => Promise<T>,
): Promise<T> {
  env = await timeSkippingEnv();
  try {
    return await runWorker(fn);
  } finally {
    await env.teardown();
  }
}

async function runWorker<T>(
  fn: (ctx: { queue: string; events: CrisisEvent[]; delivered: string[] }) => Promise<T>,
): Promise<T> {
  const queue = uniqueQueue('crisis');
  const events: CrisisEvent[] = [];
  const delivered: string[] = [];
  const worker = await testWorker(
    env,
    queue,
    memoryEventActivities('recordCrisisEvent', (e: CrisisEvent) => `crisis.${e.caseId}/${e.step}`, events, delivered),
  );
  return worker.runUntil(fn({ queue, events, delivered }));
}

const counsellor = { userId: 'lit-counsellor', role: 'counsellor', collegeId: 'literature' };
const teacher = { userId: 'lit-teacher', role: 'class_teacher', collegeId: 'literature' };
const leader = { userId: 'lit-leader', role: 'college_leader', collegeId: 'literature' };

async function start(queue: string, situation: CrisisInput['situation']) {
  const t0 = await env.currentTimeMs();
  const input: CrisisInput = {
    caseId: randomUUID(),
    collegeId: 'literature',
    situation,
    reportedAt: t0,
    reportedBy: teacher.userId,
    durations: DEFAULT_CRISIS_DURATIONS,
  };
  const handle = await env.client.workflow.start(crisisCaseWorkflow, {
    args: [input],
    taskQueue: queue,
    workflowId: `crisis.${input.caseId}`,
  });
  const until = async (offset: number) => env.sleep(t0 + offset - (await env.currentTimeMs()));
  return { t0, input, handle, until, supervision: () => env.client.workflow.getHandle(`supervision.${input.caseId}`) };
}

describe('24-hour special supervision', () => {
  test('When one check-in is missed and the hand-over comes late, then the leader, the school and the hourly alerts come at their exact instants', async () => {
    await withWorker(async ({ queue, events, delivered }) => {
      const { t0, handle, until, supervision } = await start(queue, 'self_harm_risk');
      await until(10 * MIN);
      await handle.executeUpdate(acknowledgeOnSceneUpdate, { args: [{ actor: teacher }] });
      await until(15 * MIN);
      await supervision().executeUpdate(setGuardianUpdate, {
        args: [{ actor: counsellor, guardianUserId: counsellor.userId }],
      });
      await until(40 * MIN);
      await handle.executeUpdate(confirmSchoolNotifiedUpdate, {
        args: [{ actor: leader, departments: ['counselling-centre', 'security-office', 'clinic'] }],
      });

      const checkIn = async (offset: number) => {
        await until(offset);
        await supervision().executeUpdate(checkInUpdate, { args: [{ actor: counsellor, note: '情绪平稳' }] });
      };
      await checkIn(1 * HOUR + 55 * MIN);
      await checkIn(3 * HOUR + 50 * MIN); // next due 5:50 …
      // … missed: the leader at 5:50 exactly, the school 30 minutes later
      await checkIn(6 * HOUR + 30 * MIN);
      for (let h = 8 * HOUR + 20 * MIN; h < 26 * HOUR; h += 110 * MIN) await checkIn(h);
      // no hand-over at 24 h: supervision goes on, the school is alerted every hour
      await until(26 * HOUR + 30 * MIN);
      await supervision().executeUpdate(handOverUpdate, {
        args: [
          {
            actor: leader,
            receivedBy: '学生父亲',
            at: t0 + 26 * HOUR + 30 * MIN,
            witnessedBy: ['lit-counsellor', 'lit-teacher'],
          },
        ],
      });
      await until(26 * HOUR + 31 * MIN);
      await handle.executeUpdate(fiveOnesUpdate, {
        args: [
          {
            actor: leader,
            leaderUserId: leader.userId,
            team: ['lit-counsellor', 'lit-teacher'],
            plan: '心理中心每周咨询，家长陪读两周',
            followUp: '每周谈心一次',
          },
        ],
      });
      const result = await handle.result();
      expect(result).toMatchObject({ closed: true, escalationLevel: 0 });
      expect(result.supervision).toMatchObject({ missed: 1, schoolAlerts: 3, handOver: { receivedBy: '学生父亲' } });

      // the missed check-in is due exactly 2 h after the last one (made at 3:50, plus the few real
      // milliseconds the Update took), the school exactly 30 minutes after that
      const lastBefore = events.filter((e) => e.action === 'check-in' && e.at < t0 + 5 * HOUR).at(-1)!;
      const missed = events.find((e) => e.action === 'check-in-missed')!;
      expect(missed.at).toBe(lastBefore.at + 2 * HOUR);
      expect(events.find((e) => e.action === 'check-in-missed-school')!.at).toBe(missed.at + 30 * MIN);
      const timed = events
        .filter((e) => e.actor === 'timer')
        .map((e) => [e.action, Math.round((e.at - t0) / MIN), e.notify]);
      expect(timed).toEqual([
        ['check-in-missed', 350, 'college-leader'],
        ['check-in-missed-school', 380, 'school'],
        ['no-hand-over', 24 * 60, 'school'],
        ['no-hand-over', 25 * 60, 'school'],
        ['no-hand-over', 26 * 60, 'school'],
      ]);
      const actions = events.map((e) => e.action);
      expect(actions[0]).toBe('reported');
      expect(actions.filter((a) => a === 'check-in')).toHaveLength(13);
      expect(actions.slice(-3)).toEqual(['handed-over', 'five-ones', 'ledger-and-pairing-proposed']);
      expect(events.find((e) => e.action === 'reported')?.notify).toBe('college-care');
      // every event with recipients also goes out on the external channels (e-mail, group robot); the rest only to the timeline
      const key = (e: CrisisEvent) => `crisis.${e.caseId}/${e.step}`;
      expect([...delivered].sort()).toEqual(
        events
          .filter((e) => e.notify)
          .map(key)
          .sort(),
      );
      expect(delivered).toContain(key(missed));
      expect(delivered.some((k) => k.includes('/check-in:'))).toBe(false);
    });
  }, 60_000);

  test('When the five ones are recorded before the hand-over, then they are refused with the reason', async () => {
    await withWorker(async ({ queue }) => {
      const { handle } = await start(queue, 'self_harm_risk');
      await expect(
        handle.executeUpdate(fiveOnesUpdate, {
          args: [{ actor: leader, leaderUserId: leader.userId, team: ['x'], plan: 'p', followUp: 'y' }],
        }),
      ).rejects.toThrow(/Update failed|hand-over/);
      await handle.terminate('test over');
    });
  });
});

describe('crisis case', () => {
  test('When no one acknowledges being on scene, then the college leader is alerted at 30 minutes and the school at 60', async () => {
    await withWorker(async ({ queue, events }) => {
      const { t0, handle, until } = await start(queue, 'injury');
      await until(70 * MIN);
      await handle.executeUpdate(acknowledgeOnSceneUpdate, { args: [{ actor: counsellor }] });
      await expect(
        handle.executeUpdate(recordActionUpdate, { args: [{ actor: counsellor, action: 'taken-to-hospital' }] }),
      ).rejects.toThrow();
      await handle.executeUpdate(recordActionUpdate, { args: [{ actor: counsellor, action: 'parents-authorised' }] });
      await handle.executeUpdate(recordActionUpdate, { args: [{ actor: counsellor, action: 'taken-to-hospital' }] });
      const otherCollege = { ...leader, collegeId: 'science' };
      await expect(
        handle.executeUpdate(fiveOnesUpdate, {
          args: [{ actor: otherCollege, leaderUserId: 'x', team: ['y'], plan: 'p', followUp: 'z' }],
        }),
      ).rejects.toThrow();
      const result = await handle.executeUpdate(fiveOnesUpdate, {
        args: [
          {
            actor: leader,
            leaderUserId: leader.userId,
            team: ['lit-counsellor'],
            plan: '住院治疗，出院后复学评估',
            followUp: '出院后每周回访',
          },
        ],
      });
      // (not handle.result(): after rejected updates it can wait forever on the time-skipping server)
      for (let i = 0; i < 100 && (await handle.describe()).status.name !== 'COMPLETED'; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expect(result).toMatchObject({ escalationLevel: 2, onSceneBy: counsellor.userId, closed: true });
      expect(result.actions.map((a) => a.action)).toEqual(['parents-authorised', 'taken-to-hospital']);
      // two escalations fall at 60 minutes; their order between themselves is not significant
      const timed = events.filter((e) => e.actor === 'timer').map((e) => [e.action, (e.at - t0) / MIN, e.notify]);
      expect(timed.sort((a, b) => Number(a[1]) - Number(b[1]) || String(a[0]).localeCompare(String(b[0])))).toEqual([
        ['on-scene-missed', 30, 'college-leader'],
        ['on-scene-missed-school', 60, 'school'],
        ['school-notify-missed', 60, 'school'],
      ]);
    });
  }, 60_000);
});
