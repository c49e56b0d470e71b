/**
 * Rows a test puts straight into the read model (what the app would have written earlier): a
 * student of the demo school, warnings imported as the screening page does, a crisis case as the
 * crisis workflow records it (or as reportCase writes it, with its steps by the workflow's
 * activity), and the case's audit trail.
 */
import type { Knex } from 'knex';
import { createCrisisActivities } from '../../activities/crisis';
import { createScreeningActivities, type ScreeningEvent } from '../../activities/screening';
import type { Store } from '../../db/store';
import { importWarnings } from '../../server/features/screening/use-cases';
import type { SessionUser } from '../../server/platform/auth/context';

export interface StudentRecord {
  id: string;
  collegeId: string;
  studentNo: string;
  name: string;
  className?: string | null;
  createdAt?: number;
}

/** A student of the demo school. */
export async function addStudent(knex: Knex, s: StudentRecord): Promise<void> {
  await knex('students').insert({
    id: s.id,
    school_id: 'demo-school',
    college_id: s.collegeId,
    student_no: s.studentNo,
    name: s.name,
    ...(s.className === undefined ? {} : { class_name: s.className }),
    created_at: s.createdAt ?? Date.now(),
  });
}

export interface CrisisRecord {
  id: string;
  studentId: string;
  collegeId: string;
  situation: string;
  place: string;
  reportedBy: string;
  occurredAt: number;
  reportedAt: number;
  status: string;
  escalationLevel: number;
  updatedAt: number;
  /** the student as the reporter typed them */
  student?: { no: string; name: string };
}

/** A crisis case row as the crisis workflow's activities keep it. */
export async function addCrisisCase(knex: Knex, c: CrisisRecord): Promise<void> {
  await knex('crisis_cases').insert({
    id: c.id,
    student_id: c.studentId,
    college_id: c.collegeId,
    situation: c.situation,
    place: c.place,
    reported_by: c.reportedBy,
    occurred_at: c.occurredAt,
    reported_at: c.reportedAt,
    status: c.status,
    escalation_level: c.escalationLevel,
    updated_at: c.updatedAt,
    ...(c.student ? { reported_student_no: c.student.no, reported_student_name: c.student.name } : {}),
  });
}

/** One audit event of a crisis case (the timeline of its page). */
export async function addCrisisEvent(
  store: Store,
  caseId: string,
  e: { action: string; at: number; actor: string; eventKey?: string },
): Promise<void> {
  await store.appendAudit({
    eventKey: e.eventKey ?? `${caseId}/${e.action}`,
    subjectType: 'crisis',
    subjectId: caseId,
    action: e.action,
    actor: e.actor,
    at: e.at,
    details: {},
  });
}

/** A student of literature's class 汉语言2401 on the screening list, with the level of their warning. */
export interface WarnedStudent {
  no: string;
  name: string;
  level: '红色' | '橙色';
}

/** Warnings of `students` imported by `by` at `deps.now` as the screening page does (the CSV file `file`). */
export function importWarningsOf(
  deps: { knex: Knex; store: Store; now: number },
  by: SessionUser,
  students: WarnedStudent[],
  file = 'w.csv',
) {
  const rows = students.map((s) => `${s.no},${s.name},文学院,汉语言2401,${s.level}`);
  const csv = ['学号,姓名,学院,班级,预警等级', ...rows].join('\r\n');
  return importWarnings({ ...deps, taskQueue: 'none' }, by, Buffer.from(csv), file);
}

/**
 * The red warning a test imported first (literature), and a recorder of its steps as the screening
 * workflow's activity writes them (the action: the step's name), not notifying anyone unless told.
 */
export async function firstWarning(deps: { knex: Knex; store: Store }) {
  type Row = { id: string; student_id: string; interview_due_at: number };
  const w = (await deps.knex('screening_warnings').first()) as Row;
  const screening = createScreeningActivities(deps);
  const warning = { warningId: w.id, collegeId: 'literature', dueAt: Number(w.interview_due_at) };
  const step = (step: string, at: number, e: Pick<ScreeningEvent, 'actor'> & Partial<ScreeningEvent>) =>
    screening.recordScreeningEvent({ ...warning, warningLevel: 'red', step, action: step, at, notify: null, ...e });
  return { id: w.id, studentId: w.student_id, step };
}

/** A case as reported: it occurred and was reported `at`. */
export type ReportedCase = Pick<CrisisRecord, 'id' | 'studentId' | 'situation' | 'place' | 'reportedBy' | 'student'> & {
  at: number;
};

/**
 * A crisis case of a literature student as reportCase writes it (open, level 0); and a recorder of
 * its steps by `actor` as the crisis workflow's activity writes them (the action: the step up to
 * any ':', unless given).
 */
export async function addReportedCase(deps: { knex: Knex; store: Store }, c: ReportedCase, actor: string) {
  const times = { occurredAt: c.at, reportedAt: c.at, updatedAt: c.at };
  await addCrisisCase(deps.knex, { ...c, ...times, collegeId: 'literature', status: 'open', escalationLevel: 0 });
  const crisis = createCrisisActivities(deps);
  return (step: string, at: number, details?: Record<string, unknown>, action = step.split(':')[0]!) =>
    crisis.recordCrisisEvent({ caseId: c.id, collegeId: 'literature', step, action, at, actor, notify: null, details });
}

/** A high-risk interview record as the counsellor enters it (seed 003 §3): counselling and crisis intervention needed. */
export const HIGH_RISK_INTERVIEW = {
  rapport: '适应一般',
  emotions: '持续低落两周',
  socialFunctioning: '回避社交',
  coping: '独处',
  riskOfExtremeThoughts: '有消极念头',
  assessment: 'high_risk' as const,
  needsCounselling: true,
  needsCrisisIntervention: true,
};

/**
 * An active pairing of a literature student with `teacherUserId` (the literature class teacher unless
 * given), made by hand by `createdBy` (the college leader unless given) and started `at` (now unless given).
 */
export async function addActivePairing(
  knex: Knex,
  p: {
    id: string;
    studentId: string;
    teacherUserId?: string;
    createdBy?: string;
    at?: number;
    escalationLevel?: number;
  },
): Promise<void> {
  const at = p.at ?? Date.now();
  await knex('pairings').insert({
    id: p.id,
    college_id: 'literature',
    student_id: p.studentId,
    teacher_user_id: p.teacherUserId ?? 'literature-class-teacher',
    status: 'active',
    source: 'manual',
    created_by: p.createdBy ?? 'literature-college-leader',
    created_at: at,
    started_at: at,
    escalation_level: p.escalationLevel ?? 0,
  });
}
