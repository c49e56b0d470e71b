/**
 * Read a crisis case: the care staff of its college and the counselling centre see all of it; the
 * reporter of a case routed to another college keeps following it, without what was stored about
 * the student. Every read of student data is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { getCase, type CrisisCaseRow } from '../../../../db/repositories/crisis';
import { getStudentIdentity } from '../../../../db/repositories/students';
import { withNotes } from '../../../../db/repositories/archive-notes';
import type { AuditEvent, Store } from '../../../../db/store';
import { DEFAULT_CRISIS_DURATIONS } from '../../../../domain/care-durations';
import { type CrisisDurations } from '../../../../contracts';
import { assertCareOf, type SessionUser } from '../../../platform/auth/context';
import { NotFoundError } from '../../../platform/errors';
import { archiveViewRefusal } from '../../../../domain/permissions';

type CaseRow = CrisisCaseRow;

/** The case, for those who may act on it: the care staff of its college and the counselling centre. */
export async function caseRow(knex: Knex, user: SessionUser, caseId: string): Promise<CaseRow> {
  const { row } = await caseAccess(knex, user, caseId);
  assertCareOf(user, String(row.college_id), 'this case');
  return row;
}

/**
 * Who may read a case: the care staff of its college and the counselling centre see all of it
 * ('full'); the reporter of a case routed to another college keeps following it ('reporter'): its
 * status, deadlines and timeline, and of the student only what they typed, never what was stored.
 */
async function caseAccess(
  knex: Knex,
  user: SessionUser,
  caseId: string,
): Promise<{ row: CaseRow; view: 'full' | 'reporter' }> {
  const row = await getCase(knex, caseId);
  if (!row) throw new NotFoundError(`unknown case ${caseId}`);
  if (
    row.routed_from_college_id &&
    row.reported_by === user.id &&
    user.role !== 'school_admin' &&
    user.collegeId !== row.college_id
  )
    return { row, view: 'reporter' };
  assertCareOf(user, String(row.college_id), 'this case');
  return { row, view: 'full' };
}

/** The timeline as the reporter of a routed case sees it: what happened and when; no details, no other college's staff. */
const reporterTimeline = (timeline: AuditEvent[], reporter: string) =>
  timeline.map((e) => ({
    id: e.id,
    at: e.at,
    action: e.action,
    actor: e.actor === reporter || e.actor === 'timer' ? e.actor : '',
  }));

/** The case's timeline only (no student data, so not a student read): for the page's live refresh. */
export async function readTimeline(deps: { store: Store; knex: Knex }, user: SessionUser, caseId: string) {
  const { row, view } = await caseAccess(deps.knex, user, caseId);
  const timeline = await deps.store.listAudit({ subjectType: 'crisis', subjectId: caseId });
  return {
    status: row.status,
    escalationLevel: Number(row.escalation_level),
    timeline: view === 'full' ? await withNotes(deps.knex, timeline) : reporterTimeline(timeline, user.id),
  };
}

/** The case with its student and timeline; the read of student data is audited. */
export async function readCase(deps: { store: Store; knex: Knex; now: number }, user: SessionUser, caseId: string) {
  const { row, view } = await caseAccess(deps.knex, user, caseId);
  const base = {
    id: row.id,
    situation: row.situation,
    place: row.place,
    status: row.status,
    escalationLevel: Number(row.escalation_level),
    reportedAt: Number(row.reported_at),
    occurredAt: Number(row.occurred_at),
    durations: row.durations ? (JSON.parse(row.durations) as CrisisDurations) : DEFAULT_CRISIS_DURATIONS,
  };
  if (view === 'reporter') {
    // a routed case, read by its reporter: nothing stored about the student (no student read)
    const timeline = reporterTimeline(
      await deps.store.listAudit({ subjectType: 'crisis', subjectId: caseId }),
      user.id,
    );
    return {
      case: {
        ...base,
        collegeId: null,
        routed: true,
        routedFromCollegeId: row.routed_from_college_id,
        reportedName: null,
      },
      student: {
        studentNo: row.reported_student_no ?? '',
        name: row.reported_student_name ?? '',
        className: row.reported_class_name ?? null,
      },
      timeline,
    };
  }
  const student = await getStudentIdentity(deps.knex, row.student_id);
  await deps.store.appendAudit({
    eventKey: `student-view:${randomUUID()}`,
    subjectType: 'student',
    subjectId: row.student_id,
    action: 'viewed',
    actor: user.id,
    at: deps.now,
    details: { case: caseId },
  });
  // free text (notes, hand-over, the "five ones") is read from the student's notes (db/repositories/archive-notes.ts)
  const timeline = await withNotes(deps.knex, await deps.store.listAudit({ subjectType: 'crisis', subjectId: caseId }));
  return {
    case: {
      ...base,
      collegeId: row.college_id as string | null,
      /** reported by another college and routed to this one (the reporting college) */
      routed: row.routed_from_college_id != null,
      routedFromCollegeId: row.routed_from_college_id,
      /** the name as reported, when it differs from the registered one (check the student number) */
      reportedName: row.reported_name ?? null,
    },
    student: {
      studentNo: student?.student_no,
      name: student?.name,
      className: student?.class_name ?? null,
      /** the student's archive (一生一档), when this user may see it */
      archiveId: archiveViewRefusal(
        { userId: user.id, role: user.role, collegeId: user.collegeId },
        String(row.college_id),
      )
        ? null
        : String(row.student_id),
    },
    timeline,
  };
}

/** The live part of the case page (status, progress, timeline): no student data, so not a student read. */
export async function readLive(deps: { store: Store; knex: Knex }, user: SessionUser, caseId: string) {
  const { status, escalationLevel, timeline } = await readTimeline(deps, user, caseId);
  const row = (await getCase(deps.knex, caseId))!;
  return {
    case: {
      situation: row.situation,
      status,
      escalationLevel,
      reportedAt: Number(row.reported_at),
      durations: row.durations ? (JSON.parse(row.durations) as CrisisDurations) : DEFAULT_CRISIS_DURATIONS,
    },
    timeline,
  };
}
