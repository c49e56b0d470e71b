/**
 * A student's request to see, correct or delete their data (PIPL Art. 44–47), from its recording
 * to its answer: a durable timer to the reminder (3 days before the deadline) and one to the
 * deadline; missed, the school administration is alerted in its inbox and on its channels. The
 * answer comes as the Update answerDataRequest (the counselling centre only, not empty), which ends
 * the clock. Its input and history hold opaque ids and instants (the answer's text is encrypted by
 * the codec).
 */
import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { RECORD_EVENT_OPTIONS, rejecter } from './options';
import type { DataRequestActivities } from '../activities/data-request';
import { answerDataRequestUpdate, type DataRequestInput } from '../contracts/archive';
import { answerProblems } from '../domain/archive-requests';
import { archiveOversightRefusal } from '../domain/permissions';
import { careDeliveries } from './deliveries';

const { recordDataRequestEvent } = proxyActivities<DataRequestActivities>(RECORD_EVENT_OPTIONS);

const reject = rejecter('DataRequestUpdateRejected');

export async function dataRequestWorkflow(
  input: DataRequestInput,
): Promise<{ answeredAt: number | null; late: boolean }> {
  let answeredAt: number | null = null;
  const deliveries = careDeliveries();
  const answered = () => answeredAt !== null;

  setHandler(
    answerDataRequestUpdate,
    async ({ actor, answer }) => {
      const at = Date.now();
      answeredAt = at;
      await recordDataRequestEvent({ requestId: input.requestId, step: 'answered', at, actor: actor.userId, answer });
      return { answeredAt: at };
    },
    {
      validator: ({ actor, answer }) => {
        if (answered()) reject('this request is already answered');
        const refusal = archiveOversightRefusal(actor);
        if (refusal) reject(refusal);
        const problems = answerProblems(answer);
        if (problems.length) reject(`the answer was not recorded: ${problems.join('; ')}`);
      },
    },
  );

  /** false when the request is gone (purged with the student's archive): nothing left to answer */
  let exists = true;
  const timer = async (step: 'reminder' | 'overdue', at: number) => {
    const wait = at - Date.now();
    if (wait > 0 && (await condition(answered, wait))) return;
    if (answered() || !exists) return;
    const r = await recordDataRequestEvent({ requestId: input.requestId, step, at, actor: 'timer' });
    if (r.gone) exists = false;
    if (r.eventKey) deliveries.deliver(r.eventKey);
  };
  const remindAt = input.dueAt - input.remindBeforeMs;
  if (remindAt > Date.now()) await timer('reminder', remindAt);
  await timer('overdue', input.dueAt);
  if (!exists) return { answeredAt: null, late: false };
  await condition(answered);
  await condition(allHandlersFinished);
  await deliveries.settled();
  return { answeredAt: answeredAt!, late: answeredAt! > input.dueAt };
}
