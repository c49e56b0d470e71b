/**
 * Rows a test puts straight into the read model (what the app would have written earlier): a
 * student of the demo school, a crisis case as the crisis workflow records it, and the case's
 * audit trail.
 */
import type { Knex } from 'knex';
import type { Store } from '../../db/store';

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
