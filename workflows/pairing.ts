/**
 * pairing: a teacher paired with a high-risk student (结对帮扶, seed 003 appendix 5). A talk is due
 * every `talkEveryMs` (half a month); recording a talk restarts the clock. A missed clock
 * escalates like a task: a reminder to the teacher before it, level 1 (teacher and college leader)
 * at it, level 2 (school) `schoolAfterMs` later. Ends when the pairing is ended. Ids only.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { RECORD_EVENT_OPTIONS, rejecter } from './options';
import { changeTeacherRefusal, endPairingRefusal, recordTalkRefusal } from '../domain/permissions';
import type { PairingActivities } from '../activities/pairing';
import { careRecorder } from './deliveries';
import { recordTalkUpdate, endPairingUpdate, changeTeacherUpdate, type PairingInput } from '../contracts/pairing';

const { recordPairingEvent } = proxyActivities<PairingActivities>(RECORD_EVENT_OPTIONS);

const reject = rejecter('PairingUpdateRejected');

export async function pairingWorkflow(input: PairingInput): Promise<{ talks: number }> {
  let lastTalkAt = input.lastTalkAt;
  let talks = 0;
  let ended = false;
  /** the paired teacher: the input's, until a changeTeacher Update */
  let teacherUserId = input.teacherUserId;
  // the teacher is read at each event: a changeTeacher Update moves the events that follow
  const { record, deliveries } = careRecorder(recordPairingEvent, () => ({
    pairingId: input.pairingId,
    collegeId: input.collegeId,
    teacherUserId,
  }));

  setHandler(
    recordTalkUpdate,
    async ({ actor, note }) => {
      lastTalkAt = Date.now();
      talks += 1;
      await record(`talk:${lastTalkAt}`, 'talk', lastTalkAt, actor.userId, null, { note });
      return { lastTalkAt };
    },
    {
      validator: ({ actor, note }) => {
        if (ended) reject('this pairing has ended');
        const refusal = recordTalkRefusal(actor, teacherUserId, input.collegeId);
        if (refusal) reject(refusal);
        if (!note.trim()) reject('describe the talk');
      },
    },
  );
  setHandler(
    endPairingUpdate,
    async ({ actor, reason }) => {
      ended = true;
      await record('ended', 'ended', Date.now(), actor.userId, 'teacher', { reason });
    },
    {
      validator: ({ actor, reason }) => {
        const refusal = endPairingRefusal(actor, input.collegeId);
        if (refusal) reject(refusal);
        if (!reason.trim()) reject('give the reason');
      },
    },
  );

  setHandler(
    changeTeacherUpdate,
    async ({ actor, teacherUserId: to, reason }) => {
      const from = teacherUserId;
      if (from === to) return { teacherUserId };
      teacherUserId = to;
      const now = Date.now();
      await record(`teacher:${now}`, 'teacher-changed', now, actor.userId, 'teacher', { from, to, reason });
      return { teacherUserId };
    },
    {
      validator: ({ actor, teacherUserId: to, reason }) => {
        if (ended) reject('this pairing has ended');
        const refusal = changeTeacherRefusal(actor, input.collegeId);
        if (refusal) reject(refusal);
        if (typeof to !== 'string' || !to) reject('name the new teacher');
        if (typeof reason !== 'string' || !reason.trim()) reject('give the reason');
      },
    },
  );

  const done = new Set<string>();
  while (!ended) {
    if (talks >= 50 || workflowInfo().historyLength > 2000) {
      await deliveries.settled();
      await continueAsNew<typeof pairingWorkflow>({ ...input, teacherUserId, lastTalkAt });
    }
    const due = lastTalkAt + input.talkEveryMs;
    const steps = [
      { key: `remind:${due}`, at: due - input.remindBeforeMs, action: 'talk-reminder', notify: 'teacher' as const },
      { key: `overdue:${due}`, at: due, action: 'talk-overdue', notify: 'teacher-and-leader' as const },
      { key: `school:${due}`, at: due + input.schoolAfterMs, action: 'talk-overdue-school', notify: 'school' as const },
    ].filter((x) => !done.has(x.key));
    const next = steps[0];
    const seen = lastTalkAt;
    if (!next) {
      await condition(() => ended || lastTalkAt !== seen);
      continue;
    }
    const wait = next.at - Date.now();
    if (wait > 0 && (await condition(() => ended || lastTalkAt !== seen, wait))) continue;
    done.add(next.key);
    await record(next.key, next.action, next.at, 'timer', next.notify, {
      dueAt: due,
      level: next.action === 'talk-overdue' ? 1 : next.action === 'talk-overdue-school' ? 2 : 0,
    });
  }
  await condition(allHandlersFinished);
  await deliveries.settled();
  return { talks };
}
