/**
 * The pairing talk clock on the time-skipping server: a talk every 15 days restarts the clock;
 * a missed one is reminded 2 days before, escalated to the teacher and college leader at the due
 * instant and to the school 2 days later.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { memoryEventActivities, testWorker } from './helpers/worker';
import type { PairingEvent } from '../activities/pairing';
import { pairingWorkflow } from '../workflows';
import { DEFAULT_PAIRING_CLOCK } from '../domain/care-durations';
import { endPairingUpdate, recordTalkUpdate } from '../contracts';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('pairing talk clock', () => {
  test('When talks are recorded in time, then nothing escalates; when one is missed, then reminder, level 1 and level 2 come at their instants', async () => {
    const queue = uniqueQueue('pairing');
    const events: PairingEvent[] = [];
    const delivered: string[] = [];
    const worker = await testWorker(
      env,
      queue,
      memoryEventActivities(
        'recordPairingEvent',
        (e: PairingEvent) => `pairing.${e.pairingId}/${e.step}`,
        events,
        delivered,
      ),
    );
    await worker.runUntil(async () => {
      const t0 = await env.currentTimeMs();
      const teacher = { userId: 'lit-teacher', role: 'class_teacher', collegeId: 'literature' };
      const leader = { userId: 'lit-leader', role: 'college_leader', collegeId: 'literature' };
      const handle = await env.client.workflow.start(pairingWorkflow, {
        args: [
          {
            pairingId: 'pair-1',
            collegeId: 'literature',
            teacherUserId: teacher.userId,
            lastTalkAt: t0,
            ...DEFAULT_PAIRING_CLOCK,
          },
        ],
        taskQueue: queue,
        workflowId: `pairing.pair-1.${queue}`,
      });
      const until = async (ms: number) => env.sleep(t0 + ms - (await env.currentTimeMs()));
      await until(10 * DAY);
      const { lastTalkAt } = await handle.executeUpdate(recordTalkUpdate, {
        args: [{ actor: teacher, note: '谈心 40 分钟，情绪好转' }],
      });
      // the clock restarted at the talk: due lastTalkAt + 15 d; nothing is sent before the reminder
      await until(10 * DAY + 20 * DAY);
      await handle.executeUpdate(endPairingUpdate, { args: [{ actor: leader, reason: '学生已休学' }] });
      await handle.result();
      const due = lastTalkAt + 15 * DAY;
      expect(events.filter((e) => e.actor === 'timer').map((e) => [e.action, e.at, e.notify])).toEqual([
        ['talk-reminder', due - 2 * DAY, 'teacher'],
        ['talk-overdue', due, 'teacher-and-leader'],
        ['talk-overdue-school', due + 2 * DAY, 'school'],
      ]);
      // the reminder and both escalations also go out on the external channels; the talk does not
      expect(delivered).toEqual(
        [`remind:${due}`, `overdue:${due}`, `school:${due}`, 'ended'].map((step) => `pairing.pair-1/${step}`),
      );
      // the first, unmissed clock (due t0 + 15 d) sent nothing at all
      expect(events.some((e) => e.at < lastTalkAt + 13 * DAY - 1 && e.actor === 'timer')).toBe(false);
      expect(events.map((e) => e.action)).toEqual([
        'talk',
        'talk-reminder',
        'talk-overdue',
        'talk-overdue-school',
        'ended',
      ]);
    });
  }, 60_000);
});
