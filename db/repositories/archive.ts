/**
 * The student archive aggregate (一生一档): its state (student_archives), the versions of its
 * hand-edited fields, its monthly reviews and the school's archive settings; and the read of one
 * student's process records (screening warnings, crisis cases, key-care, ledger, pairings and the
 * talks and steps their workflows wrote to the audit log) that the archive projects. Every SQL
 * statement on the archive's tables is here (the purge is in archive-purge.ts).
 */
import type { Knex } from 'knex';
import type { ProcessRecords } from '../../domain/archive-timeline';
import { mergeNote, notesByKey, noteRefOf } from './archive-notes';
import type {
  ArchiveFieldVersionRow,
  ArchiveReviewRow,
  ArchiveSettingsRow,
  StudentArchiveRow,
  StudentRow,
} from '../tables';

const bool = (v: unknown) => v === true || v === 1 || v === '1';
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
function json<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

export async function getStudent(db: Knex, id: string): Promise<StudentRow | undefined> {
  return (await db('students').where({ id }).first()) as StudentRow | undefined;
}

/** One student's process records, each table read once. */
export async function readProcessRecords(db: Knex, studentId: string, collegeId: string): Promise<ProcessRecords> {
  const warnings = (await db('screening_warnings as w')
    .join('screening_batches as b', 'b.id', 'w.batch_id')
    .where({ 'w.student_id': studentId })
    .select('w.id', 'w.level', 'w.status', 'w.interviewed_at', 'w.record', 'b.imported_at')) as Array<
    Record<string, unknown>
  >;
  const crises = (await db('crisis_cases')
    .where({ student_id: studentId })
    .select('id', 'situation', 'reported_at', 'status')) as Array<Record<string, unknown>>;
  const keyCare = (await db('key_care_entries').where({ student_id: studentId })) as Array<Record<string, unknown>>;
  const ledger = (await db('ledger_entries').where({ student_id: studentId })) as Array<Record<string, unknown>>;
  const followUps = ledger.length
    ? ((await db('ledger_follow_ups')
        .whereIn(
          'entry_id',
          ledger.map((l) => String(l.id)),
        )
        .orderBy(['at', 'id'])) as Array<Record<string, unknown>>)
    : [];
  const pairings = (await db('pairings').where({ student_id: studentId })) as Array<Record<string, unknown>>;
  // the steps and talks the crisis and pairing workflows recorded (their timeline is the audit log)
  const steps = (await db('audit_events')
    .where((q) =>
      q
        .where((w) =>
          w.where({ subject_type: 'crisis' }).whereIn(
            'subject_id',
            crises.map((c) => String(c.id)),
          ),
        )
        .orWhere((w) =>
          w.where({ subject_type: 'pairing' }).whereIn(
            'subject_id',
            pairings.map((p) => String(p.id)),
          ),
        ),
    )
    .whereIn('action', ['handed-over', 'five-ones', 'talk'])
    .orderBy(['at', 'id'])
    .select('subject_type', 'subject_id', 'action', 'at', 'details')) as Array<Record<string, unknown>>;
  // a step's free text is in the student's notes (archive-notes.ts); an older entry holds it inline
  const notes = await notesByKey(
    db,
    steps.map((s) => noteRefOf(json<unknown>(s.details, null))).filter((r): r is string => r !== null),
  );
  const stepAt = (type: string, id: unknown, action: string) =>
    num(steps.find((s) => s.subject_type === type && s.subject_id === id && s.action === action)?.at);
  return {
    collegeId,
    warnings: warnings.map((w) => {
      const rec = json<Record<string, unknown>>(w.record, {});
      return {
        id: String(w.id),
        level: String(w.level),
        importedAt: Number(w.imported_at),
        status: String(w.status),
        interviewedAt: num(w.interviewed_at),
        assessment: typeof rec.assessment === 'string' ? rec.assessment : null,
        needsCounselling: w.record ? bool(rec.needsCounselling) : null,
        needsCrisisIntervention: w.record ? bool(rec.needsCrisisIntervention) : null,
      };
    }),
    crises: crises.map((c) => ({
      id: String(c.id),
      situation: String(c.situation),
      reportedAt: Number(c.reported_at),
      status: String(c.status),
      handedOverAt: stepAt('crisis', c.id, 'handed-over'),
      closedAt: stepAt('crisis', c.id, 'five-ones'),
    })),
    keyCare: keyCare.map((k) => ({
      id: String(k.id),
      source: String(k.source),
      addedAt: Number(k.added_at),
      plan: String(k.plan ?? ''),
      status: String(k.status),
      removedAt: num(k.removed_at),
      removedReason: (k.removed_reason as string | null) ?? null,
    })),
    ledger: ledger.map((l) => ({
      id: String(l.id),
      seq: Number(l.seq),
      createdAt: Number(l.created_at),
      lifeSafety: bool(l.life_safety),
      categories: json<string[]>(l.categories, []),
      plan: String(l.plan ?? ''),
      status: String(l.status),
      followUps: followUps
        .filter((f) => f.entry_id === l.id)
        .map((f) => ({
          id: String(f.id),
          at: Number(f.at),
          text: String(f.text),
          counselling: bool(f.counselling),
          hospital: bool(f.hospital),
        })),
    })),
    pairings: pairings.map((p) => ({
      id: String(p.id),
      status: String(p.status),
      createdAt: Number(p.created_at),
      startedAt: num(p.started_at),
      endedAt: num(p.ended_at),
      talks: steps
        .filter((s) => s.subject_type === 'pairing' && s.subject_id === p.id && s.action === 'talk')
        .map((s) => ({
          at: Number(s.at),
          note: String((mergeNote(json<unknown>(s.details, {}), notes) as { note?: string }).note ?? ''),
        })),
    })),
  };
}

// -- the archive's state --

export async function getArchiveState(db: Knex, studentId: string): Promise<StudentArchiveRow | undefined> {
  return (await db('student_archives').where({ student_id: studentId }).first()) as StudentArchiveRow | undefined;
}

/** The archive's row, made when first needed (open); the college follows the student's. */
export async function ensureArchiveState(
  db: Knex,
  row: Pick<StudentArchiveRow, 'student_id' | 'school_id' | 'college_id' | 'created_at'>,
): Promise<void> {
  await db('student_archives')
    .insert({ ...row, status: 'open' })
    .onConflict('student_id')
    .ignore();
}

export async function closeArchive(
  db: Knex,
  studentId: string,
  c: { leftAt: number; reason: string; by: string; purgeDueAt: number },
): Promise<void> {
  await db('student_archives').where({ student_id: studentId }).update({
    status: 'closed',
    left_at: c.leftAt,
    left_reason: c.reason,
    closed_by: c.by,
    purge_due_at: c.purgeDueAt,
  });
}

/** Closed archives whose retention is over (the purge's work list), by opaque id. */
export async function archivesDueForPurge(db: Knex, now: number): Promise<string[]> {
  return (await db('student_archives')
    .where({ status: 'closed' })
    .where('purge_due_at', '<=', now)
    .orderBy('student_id')
    .pluck('student_id')) as string[];
}

// -- field versions --

export async function listFieldVersions(db: Knex, studentId: string): Promise<ArchiveFieldVersionRow[]> {
  return (await db('archive_field_versions')
    .where({ student_id: studentId })
    .orderBy('id')) as ArchiveFieldVersionRow[];
}

export async function insertFieldVersions(db: Knex, rows: Array<Omit<ArchiveFieldVersionRow, 'id'>>): Promise<void> {
  if (rows.length) await db('archive_field_versions').insert(rows);
}

// -- monthly reviews --

export async function insertReview(db: Knex, row: Omit<ArchiveReviewRow, 'id'>): Promise<void> {
  await db('archive_reviews').insert(row);
}

export async function listReviews(db: Knex, studentId: string): Promise<ArchiveReviewRow[]> {
  return (await db('archive_reviews').where({ student_id: studentId }).orderBy('id')) as ArchiveReviewRow[];
}

/**
 * The college's students on the active key-care list since before `since` whose archive has no
 * review in [since, until] (seed 003 §8: the monthly update), by opaque id.
 */
export async function unreviewedKeyCareStudents(
  db: Knex,
  collegeId: string,
  since: number,
  until: number,
): Promise<string[]> {
  const rows = (await db('key_care_entries as k')
    .where({ 'k.college_id': collegeId, 'k.status': 'active' })
    .where('k.added_at', '<', since)
    .whereNotExists((q) =>
      q
        .select(db.raw('1'))
        .from('archive_reviews as r')
        .whereRaw('r.student_id = k.student_id')
        .where('r.reviewed_at', '>=', since)
        .where('r.reviewed_at', '<=', until),
    )
    .distinct('k.student_id')
    .orderBy('k.student_id')) as Array<{ student_id: string }>;
  return rows.map((r) => r.student_id);
}

// -- settings --

export async function getArchiveSettings(db: Knex, schoolId: string): Promise<ArchiveSettingsRow | undefined> {
  return (await db('archive_settings').where({ school_id: schoolId }).first()) as ArchiveSettingsRow | undefined;
}

export async function saveArchiveSettings(db: Knex, row: ArchiveSettingsRow): Promise<void> {
  await db('archive_settings')
    .insert(row)
    .onConflict('school_id')
    .merge(['retention_days', 'data_request_days', 'updated_by', 'updated_at']);
}

/** Students of the college (every college: null) who entered a care process, by number; optionally one number. */
export async function listArchiveStudents(
  db: Knex,
  schoolId: string,
  collegeId: string | null,
  studentNo?: string,
): Promise<Array<Pick<StudentRow, 'id' | 'student_no' | 'name' | 'class_name' | 'college_id'>>> {
  const inProcess = (table: string) => db(table).select('student_id');
  const q = db('students')
    .where({ school_id: schoolId })
    .whereIn(
      'id',
      inProcess('screening_warnings')
        .union(inProcess('crisis_cases'))
        .union(inProcess('key_care_entries'))
        .union(inProcess('ledger_entries'))
        .union(inProcess('pairings')),
    );
  if (collegeId) q.where({ college_id: collegeId });
  if (studentNo) q.where({ student_no: studentNo });
  return (await q
    .orderBy('student_no')
    .limit(500)
    .select('id', 'student_no', 'name', 'class_name', 'college_id')) as Array<
    Pick<StudentRow, 'id' | 'student_no' | 'name' | 'class_name' | 'college_id'>
  >;
}
