/** A procedure's event (contracts/events.ts) as the audit row of its subject. */
import type { Knex } from 'knex';
import { appendAuditWithNotes } from '../db/repositories/archive-notes';
import type { EventStep } from '../contracts/events';

/**
 * Appends the event's audit row (idempotent by `eventKey`); its free-text notes go to the student's
 * archive (appendAuditWithNotes). True when the row is new.
 */
export function appendEventAudit(
  trx: Knex,
  eventKey: string,
  subject: { type: string; id: string },
  e: EventStep<string>,
): Promise<boolean> {
  return appendAuditWithNotes(trx, {
    eventKey,
    subjectType: subject.type,
    subjectId: subject.id,
    action: e.action,
    actor: e.actor,
    at: e.at,
    details: e.details,
  });
}
