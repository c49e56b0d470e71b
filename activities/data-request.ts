/**
 * The steps of a student's data request (workflows/data-request.ts), each one idempotent write (the
 * audit event keyed by request and step, its inbox rows keyed by event and recipient, the row's
 * state) in one transaction: the reminder goes to whoever recorded the request, the missed deadline
 * to the school administration (escalation level 1), the answer is stored on the request. The audit
 * log and the notifications name the request by its opaque id only; the answer's text stays on the
 * request's row (purged with the archive).
 */
import type { Knex } from 'knex';
import type { DataRequestEvent } from '../contracts/archive';
import { inTransaction } from '../db/knex';
import { applyDataRequestStep, getDataRequest, requestRecipients } from '../db/repositories/archive-requests';
import { insertInboxRows } from '../db/repositories/care-events';
import { appendAudit } from '../db/repositories/audit';
import { t } from '../server/platform/i18n';

const REQUEST_NOTIFICATIONS = t('zh-CN').notifications.dataRequests;
import { withScrubbedErrors } from './scrub';

const ACTION = { reminder: 'reminded', overdue: 'overdue', answered: 'answered' } as const;

export function createDataRequestActivities(deps: { knex: Knex }) {
  return {
    async recordDataRequestEvent(
      e: DataRequestEvent,
    ): Promise<{ applied: boolean; eventKey: string | null; gone?: boolean }> {
      const eventKey = `data-request.${e.requestId}/${e.step}`;
      return withScrubbedErrors(eventKey, 'DataRequestStoreError', () => write(e, eventKey));
    },
  };

  async function write(e: DataRequestEvent, eventKey: string) {
    return inTransaction(deps.knex, async (trx) => {
      const row = await getDataRequest(trx, e.requestId);
      if (!row) return { applied: false, eventKey: null, gone: true }; // purged with the archive meanwhile
      const applied = await appendAudit(trx, {
        eventKey,
        subjectType: 'data-request',
        subjectId: e.requestId,
        action: ACTION[e.step],
        actor: e.actor,
        at: e.at,
        details: { student: row.student_id, kind: row.kind },
      });
      if (!applied) return { applied, eventKey };
      await applyDataRequestStep(trx, e.requestId, e);
      if (e.step !== 'answered') {
        const title = REQUEST_NOTIFICATIONS[e.step];
        const recipients = await requestRecipients(trx, row, e.step === 'overdue' ? 'school' : 'receiver');
        await insertInboxRows(
          trx,
          recipients.map((userId) => ({
            event_key: eventKey,
            recipient_user_id: userId,
            channel: 'inbox',
            kind: `data_request_${e.step}`,
            subject_type: 'data-request',
            subject_id: e.requestId,
            title,
            body: `${title}（${e.requestId.slice(0, 8)}）`,
            created_at: e.at,
          })),
        );
      }
      return { applied, eventKey };
    });
  }
}

export type DataRequestActivities = ReturnType<typeof createDataRequestActivities>;
