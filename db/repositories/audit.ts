/**
 * The append-only audit log, idempotent by event key.
 */
import type { Knex } from 'knex';
import { fromDb, insertIfAbsent, toDb, type Codec } from './codec';
import type { AuditEventRow } from '../tables';

export interface AuditEvent {
  id: number;
  /** idempotency key, e.g. "<workflowId>:<step>". */
  eventKey: string;
  subjectType: string;
  subjectId: string;
  action: string;
  /** 'timer', 'system' or a user id. */
  actor: string;
  at: number;
  details: unknown;
}

export type AuditInput = Omit<AuditEvent, 'id' | 'details'> & { details?: unknown };

export const auditCodec: Codec<AuditEvent, AuditEventRow> = {
  id: ['id', 'int'],
  eventKey: ['event_key', 'text'],
  subjectType: ['subject_type', 'text'],
  subjectId: ['subject_id', 'text'],
  action: ['action', 'text'],
  actor: ['actor', 'text'],
  at: ['at', 'int'],
  details: ['details', 'json'],
};

/** Appends an audit event unless its key is already there; true when it was appended. */
export async function appendAudit(db: Knex, e: AuditInput): Promise<boolean> {
  return insertIfAbsent(db, 'audit_events', toDb(auditCodec, e), ['event_key']);
}

/** Appends many audit events with fresh keys, in chunks (an audited read of a list of students). */
export async function appendAuditMany(db: Knex, events: AuditInput[]): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    await db('audit_events')
      .insert(events.slice(i, i + 200).map((e) => toDb(auditCodec, e)))
      .onConflict('event_key')
      .ignore();
  }
}

export async function listAudit(db: Knex, filter: { subjectType: string; subjectId: string }): Promise<AuditEvent[]> {
  const rows = (await db('audit_events')
    .where({ subject_type: filter.subjectType, subject_id: filter.subjectId })
    .orderBy(['at', 'id'])) as AuditEventRow[];
  return rows.map((r) => fromDb(auditCodec, r));
}
