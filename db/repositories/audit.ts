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

/** How many audit events there are in all (a simulation waits for this to settle). */
export async function countAuditEvents(db: Knex): Promise<number> {
  const rows = (await db('audit_events').count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(rows[0]?.n ?? 0);
}

/** Every audit event about subjects of one type, as stored, in time order. */
export async function auditRowsOfType(
  db: Knex,
  subjectType: string,
): Promise<Array<Pick<AuditEventRow, 'id' | 'subject_id' | 'action' | 'actor' | 'at'>>> {
  return (await db('audit_events')
    .where({ subject_type: subjectType })
    .select('id', 'subject_id', 'action', 'actor', 'at')
    .orderBy([{ column: 'at' }, { column: 'id' }])) as Array<
    Pick<AuditEventRow, 'id' | 'subject_id' | 'action' | 'actor' | 'at'>
  >;
}
