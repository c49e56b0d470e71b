/**
 * unitConcern (issue 16 part 2): the follow-up of a concern a class or dorm reporter filed about a
 * classmate. The concern is in the college counsellors' inbox at once (written with the report by
 * the units feature); this workflow sends it on their channel (the outbox), holds the response
 * deadline as a durable timer (a school setting, 24 h by default) and, when it passes unanswered,
 * escalates like a task: the counsellors and the college leader at the deadline, the school
 * `schoolAfterMs` later. The response (respondConcern) is validated here by domain/permissions.ts.
 * Ids only.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { RECORD_EVENT_OPTIONS, rejecter } from './options';
import type { UnitReportActivities } from '../activities/unit-reports';
import { respondConcernRefusal } from '../domain/permissions';
import { respondConcernUpdate, type ConcernResponseKind, type UnitConcernInput } from '../contracts/units';
import { careDeliveries } from './deliveries';

const { recordConcernEvent } = proxyActivities<UnitReportActivities>(RECORD_EVENT_OPTIONS);

const RESPONSES: ConcernResponseKind[] = ['noted', 'interview', 'key_care', 'crisis'];

const reject = rejecter('ConcernUpdateRejected');

export async function unitConcernWorkflow(input: UnitConcernInput): Promise<{ responded: boolean }> {
  let respondedAt: number | null = null;
  const deliveries = careDeliveries();
  const record = async (step: string, at: number, actor: string, details?: Record<string, unknown>) => {
    const { eventKey } = await recordConcernEvent({
      reportId: input.reportId,
      collegeId: input.collegeId,
      step,
      at,
      actor,
      details,
    });
    if (eventKey) deliveries.deliver(eventKey);
  };

  setHandler(
    respondConcernUpdate,
    async ({ actor, response, note, ref }) => {
      const at = Date.now();
      respondedAt = at;
      await record('responded', at, actor.userId, { response, note, ref });
      return { respondedAt: at };
    },
    {
      validator: ({ actor, response, note }) => {
        if (respondedAt !== null) reject('this concern has been answered already');
        const refusal = respondConcernRefusal(actor, input.collegeId);
        if (refusal) reject(refusal);
        if (!RESPONSES.includes(response)) reject(`unknown response "${String(response)}"`);
        if (typeof note !== 'string') reject('the note must be text');
      },
    },
  );

  // the concern as raised: its inbox rows are already written, here they go out on the channels
  await record('raised', Date.now(), 'system');
  const steps = [
    { step: 'overdue', at: input.respondBy },
    { step: 'school', at: input.respondBy + input.schoolAfterMs },
  ];
  for (const s of steps) {
    const wait = s.at - Date.now();
    if (wait > 0 && (await condition(() => respondedAt !== null, wait))) break;
    if (respondedAt !== null) break;
    await record(s.step, s.at, 'timer', { respondBy: input.respondBy });
  }
  await condition(() => respondedAt !== null);
  await condition(allHandlersFinished);
  await deliveries.settled();
  return { responded: true };
}
