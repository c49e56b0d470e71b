/**
 * The indicators' repository (issue 16 part 3): the versioned school inputs (indicator_inputs) and
 * the facts the indicators read from the other aggregates' tables: screening warnings and their
 * interviews, crisis cases and the instants of their timed steps (their audit timeline), the active
 * key-care entries with their latest ledger follow-up, and the weekly class reports
 * (unit_report_weeks, written by the class and dorm levels' workflow).
 * Every SQL statement of the indicators is here; the computations are domain/indicators.ts.
 */
import type { Knex } from 'knex';
import type { IndicatorInputs } from '../../domain/indicators-inputs';
import type { RateFacts } from '../../domain/indicators';
import type { CrisisCaseFacts } from '../../domain/indicators-facts';
import type { IndicatorInputRow } from '../tables';
export type { IndicatorInputRow };

export interface StoredInputs {
  version: number;
  inputs: IndicatorInputs;
  enteredBy: string;
  enteredAt: number;
}

export interface InputVersion {
  version: number;
  enteredBy: string;
  enteredByName: string | null;
  enteredAt: number;
}

/** The latest inputs of a semester, undefined when none were entered. */
export async function latestIndicatorInputs(
  db: Knex,
  schoolId: string,
  semesterId: string,
): Promise<StoredInputs | undefined> {
  const row = (await db('indicator_inputs')
    .where({ school_id: schoolId, semester_id: semesterId })
    .orderBy('version', 'desc')
    .first()) as IndicatorInputRow | undefined;
  if (!row) return undefined;
  return {
    version: Number(row.version),
    inputs: JSON.parse(row.body) as IndicatorInputs,
    enteredBy: row.entered_by,
    enteredAt: Number(row.entered_at),
  };
}

/** Every version of a semester's inputs, the latest first, with who entered it. */
export async function indicatorInputVersions(db: Knex, schoolId: string, semesterId: string): Promise<InputVersion[]> {
  const rows = (await db('indicator_inputs as i')
    .leftJoin('users as u', 'u.id', 'i.entered_by')
    .where({ 'i.school_id': schoolId, 'i.semester_id': semesterId })
    .orderBy('i.version', 'desc')
    .select('i.version', 'i.entered_by', 'i.entered_at', 'u.display_name')) as Array<{
    version: number;
    entered_by: string;
    entered_at: number | string;
    display_name: string | null;
  }>;
  return rows.map((r) => ({
    version: Number(r.version),
    enteredBy: r.entered_by,
    enteredByName: r.display_name,
    enteredAt: Number(r.entered_at),
  }));
}

/**
 * Stores validated inputs as the semester's next version (in the caller's transaction or its own).
 * Two saves at once: the unique (school, semester, version) index refuses the second.
 */
export async function insertIndicatorInputs(
  db: Knex,
  e: { schoolId: string; semesterId: string; inputs: IndicatorInputs; by: string; at: number },
): Promise<number> {
  const row = (await db('indicator_inputs')
    .where({ school_id: e.schoolId, semester_id: e.semesterId })
    .max({ v: 'version' })
    .first()) as { v: number | string | null } | undefined;
  const version = Number(row?.v ?? 0) + 1;
  await db('indicator_inputs').insert({
    school_id: e.schoolId,
    semester_id: e.semesterId,
    version,
    body: JSON.stringify(e.inputs),
    entered_by: e.by,
    entered_at: e.at,
  });
  return version;
}

/** The warnings of the screening files imported in [from, until), with their deadline and interview. */
export async function interviewRows(
  db: Knex,
  schoolId: string,
  from: number,
  until: number,
): Promise<Array<{ collegeId: string; dueAt: number; interviewedAt: number | null }>> {
  const rows = (await db('screening_warnings as w')
    .join('screening_batches as b', 'b.id', 'w.batch_id')
    .where('b.school_id', schoolId)
    .where('b.imported_at', '>=', from)
    .where('b.imported_at', '<', until)
    .select('w.college_id', 'w.interview_due_at', 'w.interviewed_at')) as Array<{
    college_id: string;
    interview_due_at: number | string;
    interviewed_at: number | string | null;
  }>;
  return rows.map((r) => ({
    collegeId: r.college_id,
    dueAt: Number(r.interview_due_at),
    interviewedAt: r.interviewed_at == null ? null : Number(r.interviewed_at),
  }));
}

const STEP_ACTIONS = { 'on-scene': 'onSceneAt', 'school-notified': 'schoolNotifiedAt', 'handed-over': 'handedOverAt' };

/** The crisis cases of the school's colleges reported in [from, until), with the first instant of each timed step. */
export async function crisisCaseRows(
  db: Knex,
  schoolId: string,
  from: number,
  until: number,
): Promise<CrisisCaseFacts[]> {
  const cases = (await db('crisis_cases as c')
    .join('colleges as k', 'k.id', 'c.college_id')
    .where('k.school_id', schoolId)
    .where('c.reported_at', '>=', from)
    .where('c.reported_at', '<', until)
    .orderBy('c.id')
    .select('c.id', 'c.college_id', 'c.situation', 'c.reported_at', 'c.durations')) as Array<{
    id: string;
    college_id: string;
    situation: string;
    reported_at: number | string;
    durations: string | null;
  }>;
  const steps = new Map<string, Record<string, number>>();
  for (let i = 0; i < cases.length; i += 500) {
    const rows = (await db('audit_events')
      .where('subject_type', 'crisis')
      .whereIn(
        'subject_id',
        cases.slice(i, i + 500).map((c) => c.id),
      )
      .whereIn('action', Object.keys(STEP_ACTIONS))
      .groupBy('subject_id', 'action')
      .select('subject_id', 'action', db.raw('min("at") as "at"'))) as Array<{
      subject_id: string;
      action: keyof typeof STEP_ACTIONS;
      at: number | string;
    }>;
    for (const r of rows) {
      const s = steps.get(r.subject_id) ?? {};
      s[STEP_ACTIONS[r.action]] = Number(r.at);
      steps.set(r.subject_id, s);
    }
  }
  return cases.map((c) => {
    const s = steps.get(c.id) ?? {};
    return {
      collegeId: c.college_id,
      situation: c.situation,
      reportedAt: Number(c.reported_at),
      durations: c.durations ? (JSON.parse(c.durations) as CrisisCaseFacts['durations']) : null,
      onSceneAt: s.onSceneAt ?? null,
      schoolNotifiedAt: s.schoolNotifiedAt ?? null,
      handedOverAt: s.handedOverAt ?? null,
    };
  });
}

/** The school's active key-care entries added by asOf, with the latest follow-up (by asOf) of the student's ledger entries. */
export async function keyCareRows(
  db: Knex,
  schoolId: string,
  asOf: number,
): Promise<Array<{ collegeId: string; updatedAt: number; lastFollowUpAt: number | null }>> {
  const followUps = db('ledger_follow_ups as f')
    .join('ledger_entries as l', 'l.id', 'f.entry_id')
    .where('f.at', '<=', asOf)
    .groupBy('l.student_id')
    .select('l.student_id', db.raw('max(f."at") as "last_at"'))
    .as('fu');
  const rows = (await db('key_care_entries as k')
    .join('colleges as c', 'c.id', 'k.college_id')
    .leftJoin(followUps, 'fu.student_id', 'k.student_id')
    .where('c.school_id', schoolId)
    .where('k.status', 'active')
    .where('k.added_at', '<=', asOf)
    .select('k.college_id', 'k.updated_at', 'fu.last_at')) as Array<{
    college_id: string;
    updated_at: number | string;
    last_at: number | string | null;
  }>;
  return rows.map((r) => ({
    collegeId: r.college_id,
    updatedAt: Number(r.updated_at),
    lastFollowUpAt: r.last_at == null ? null : Number(r.last_at),
  }));
}

/** The weekly class reports' table (issue 16 part 2), created by the class and dorm levels' migration. */
export const CLASS_REPORTS_TABLE = 'unit_report_weeks';

/**
 * The weekly class reports per college: of the semester's class report weeks due by asOf, how many
 * were filed (the table is created by migrations/20261203000200_class_dorm_levels.ts).
 */
export async function classReportRates(
  db: Knex,
  schoolId: string,
  semesterId: string,
  asOf: number,
): Promise<Map<string, RateFacts>> {
  const rows = (await db(CLASS_REPORTS_TABLE)
    .where({ school_id: schoolId, semester_id: semesterId, unit_kind: 'class' })
    .where('due_at', '<=', asOf)
    .groupBy('college_id')
    .select(
      'college_id',
      db.raw('count(*) as "of"'),
      db.raw(`sum(case when status = 'filed' or filed_at is not null then 1 else 0 end) as "done"`),
    )) as Array<{ college_id: string; of: number | string; done: number | string | null }>;
  return new Map(rows.map((r) => [r.college_id, { done: Number(r.done ?? 0), of: Number(r.of) }]));
}
