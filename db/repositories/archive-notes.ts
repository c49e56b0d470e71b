/**
 * The free text typed about a student in the care processes, kept out of the append-only audit log
 * (migration 20261203000400_archive_notes): a step's free-text fields go to archive_notes, keyed to
 * the student (purged with the archive, archive-purge.ts), and the audit entry keeps an opaque
 * reference to them, its own event key (`noteRef`). Readers merge them back (withNotes); an entry
 * written before keeps its text inline and reads as it always did; a purged note leaves the
 * reference alone.
 */
import type { Knex } from 'knex';
import { appendAudit, type AuditEvent, type AuditInput } from './audit';

/** The free-text fields of each audited subject's details (what staff type: names may be among it). */
export const NOTE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  crisis: ['note', 'receivedBy', 'witnessedBy', 'team', 'plan', 'followUp'],
  pairing: ['note', 'reason'],
  'key-care': ['reason'],
};

/** Where the student of a subject is found. */
const STUDENT_OF: Readonly<Record<string, string>> = {
  crisis: 'crisis_cases',
  pairing: 'pairings',
  'key-care': 'key_care_entries',
};

type Details = Record<string, unknown>;

/** The details without their free text, and the free text (null: none). */
export function splitNotes(subjectType: string, details: unknown): { kept: Details; notes: Details | null } {
  const fields = NOTE_FIELDS[subjectType];
  if (!fields || !details || typeof details !== 'object' || Array.isArray(details))
    return { kept: (details ?? {}) as Details, notes: null };
  const kept: Details = {};
  const notes: Details = {};
  for (const [k, v] of Object.entries(details as Details)) (fields.includes(k) ? notes : kept)[k] = v;
  return { kept, notes: Object.keys(notes).length ? notes : null };
}

/**
 * Appends an audit event (idempotent by its key) with its free text in the student's notes and an
 * opaque reference in the details. Call it in the transaction of the step's other writes.
 */
export async function appendAuditWithNotes(db: Knex, e: AuditInput): Promise<boolean> {
  const { kept, notes } = splitNotes(e.subjectType, e.details);
  const table = STUDENT_OF[e.subjectType];
  const owner =
    notes && table
      ? ((await db(table).where({ id: e.subjectId }).first('student_id')) as { student_id: string } | undefined)
      : undefined;
  if (!notes || !owner) return appendAudit(db, e);
  await db('archive_notes')
    .insert({
      event_key: e.eventKey,
      student_id: owner.student_id,
      subject_type: e.subjectType,
      subject_id: e.subjectId,
      fields: JSON.stringify(notes),
      created_at: e.at,
    })
    .onConflict('event_key')
    .ignore();
  return appendAudit(db, { ...e, details: { ...kept, noteRef: e.eventKey } });
}

/** The notes of these event keys, by key. */
export async function notesByKey(db: Knex, keys: string[]): Promise<Map<string, Details>> {
  const out = new Map<string, Details>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = (await db('archive_notes')
      .whereIn('event_key', keys.slice(i, i + 500))
      .select('event_key', 'fields')) as Array<{ event_key: string; fields: string }>;
    for (const r of rows) out.set(r.event_key, JSON.parse(r.fields) as Details);
  }
  return out;
}

/** The note reference of an audit entry's details, if any. */
export const noteRefOf = (details: unknown): string | null =>
  details && typeof details === 'object' && typeof (details as Details).noteRef === 'string'
    ? ((details as Details).noteRef as string)
    : null;

/** Details with their note merged back (the reference dropped); unchanged without one or once purged. */
export function mergeNote(details: unknown, notes: Map<string, Details>): unknown {
  const ref = noteRefOf(details);
  const note = ref ? notes.get(ref) : undefined;
  if (!note) return details;
  const { noteRef: _ref, ...rest } = details as Details;
  return { ...rest, ...note };
}

/** Audit events as they were written: each one's free text read back from the student's notes. */
export async function withNotes<E extends Pick<AuditEvent, 'details'>>(db: Knex, events: E[]): Promise<E[]> {
  const refs = events.map((e) => noteRefOf(e.details)).filter((r): r is string => r !== null);
  if (!refs.length) return events;
  const notes = await notesByKey(db, refs);
  return events.map((e) => ({ ...e, details: mergeNote(e.details, notes) }));
}
