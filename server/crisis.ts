/**
 * Crisis use cases: report a case (the student is stored here, under an opaque id; the workflow
 * gets ids only), act on it through the crisis-case and supervision workflows' Updates, and read
 * its timeline. Student identity is visible to the care staff of the student's college and the
 * counselling centre (school admin); every read of it is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { getCareSettings } from '../db/care';
import type { Store } from '../db/store';
import { crisisDurations } from '../domain/care';
import {
  acknowledgeOnSceneUpdate,
  checkInUpdate,
  confirmSchoolNotifiedUpdate,
  crisisCaseWorkflow,
  DEFAULT_CRISIS_DURATIONS,
  type CrisisDurations,
  fiveOnesUpdate,
  handOverUpdate,
  recordActionUpdate,
  setGuardianUpdate,
  type BranchAction,
  type Situation,
} from '../workflows';
import { assertCareOf, BadRequestError, type SessionUser } from './auth/context';
import { NotFoundError } from './semesters';
import { TaskRejectedError } from './tasks';
import { CLOCK_SKEW_MS, instantFrom } from './dates';

const SITUATIONS: Situation[] = ['injury', 'danger_to_others', 'self_harm_risk'];

export interface CaseReport {
  studentNo: string;
  studentName: string;
  className?: string;
  collegeId: string;
  situation: Situation;
  place: string;
  /** epoch ms, ISO 8601, or local text in the school's zone: checked by the date rule (domain/dates.ts) */
  occurredAt: number | string;
}

/** The zone of the user's school, for dates written as local text. */
async function zoneOf(knex: Knex, schoolId: string): Promise<string> {
  const school = (await knex('schools').where({ id: schoolId }).first('timezone')) as { timezone: string } | undefined;
  return school?.timezone ?? 'Asia/Shanghai';
}

export const crisisWorkflowId = (caseId: string) => `crisis.${caseId}`;
export const supervisionWorkflowId = (caseId: string) => `supervision.${caseId}`;

export async function reportCase(deps: { client: Client; store: Store; knex: Knex; taskQueue: string; now: number }, user: SessionUser, r: CaseReport): Promise<{ caseId: string }> {
  assertCareOf(user, r.collegeId, 'this case');
  if (!SITUATIONS.includes(r.situation)) throw new BadRequestError(`situation must be one of ${SITUATIONS.join(', ')}`);
  if (!r.studentNo.trim() || !r.studentName.trim()) throw new BadRequestError('the student number and name are required');
  // something that happened: a real date since 2000, not later than now (give or take clock skew)
  const occurredAt = instantFrom(r.occurredAt, 'occurredAt (发生时间)', { zone: await zoneOf(deps.knex, user.schoolId), now: deps.now, maxFutureMs: CLOCK_SKEW_MS });
  const college = await deps.store.getCollege(r.collegeId);
  if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown college ${r.collegeId}`);
  // a crisis report is never refused for a name that does not match the student number: the case
  // is opened on the registered student, and the page shows the name as reported beside it
  const existing = (await deps.knex('students').where({ school_id: user.schoolId, student_no: r.studentNo.trim() }).first('id', 'name')) as { id: string; name: string } | undefined;
  const reportedName = existing && existing.name !== r.studentName.trim() ? r.studentName.trim().slice(0, 100) : null;
  const studentId: string = existing?.id ?? randomUUID();
  if (!existing) {
    await deps.knex('students').insert({ id: studentId, school_id: user.schoolId, college_id: r.collegeId, student_no: r.studentNo.trim(), name: r.studentName.trim(), class_name: r.className ?? null, created_at: deps.now });
  }
  const caseId = randomUUID();
  // the school's durations (DOMAIN.md §5 defaults), fixed for the case when it is reported
  const durations = crisisDurations(await getCareSettings(deps.knex, user.schoolId));
  await deps.knex('crisis_cases').insert({ durations: JSON.stringify(durations), reported_name: reportedName, id: caseId, student_id: studentId, college_id: r.collegeId, situation: r.situation, place: r.place, reported_by: user.id, occurred_at: occurredAt, reported_at: deps.now, status: r.situation === 'self_harm_risk' ? 'supervising' : 'open', escalation_level: 0, updated_at: deps.now });
  await deps.client.workflow.start(crisisCaseWorkflow, {
    workflowId: crisisWorkflowId(caseId),
    taskQueue: deps.taskQueue,
    args: [{ caseId, collegeId: r.collegeId, situation: r.situation, reportedAt: deps.now, reportedBy: user.id, durations }],
  });
  return { caseId };
}

async function caseRow(knex: Knex, user: SessionUser, caseId: string) {
  const row = await knex('crisis_cases').where({ id: caseId }).first();
  if (!row) throw new NotFoundError(`unknown case ${caseId}`);
  assertCareOf(user, String(row.college_id), 'this case');
  return row as { id: string; student_id: string; college_id: string; situation: string; place: string | null; status: string; escalation_level: number; reported_at: number | string; occurred_at: number | string; durations: string | null; reported_name: string | null };
}

/** The case's timeline only (no student data, so not a student read): for the page's live refresh. */
export async function readTimeline(deps: { store: Store; knex: Knex }, user: SessionUser, caseId: string) {
  const row = await caseRow(deps.knex, user, caseId);
  return { status: row.status, escalationLevel: Number(row.escalation_level), timeline: await deps.store.listAudit({ subjectType: 'crisis', subjectId: caseId }) };
}

/** The case with its student and timeline; the read of student data is audited. */
export async function readCase(deps: { store: Store; knex: Knex; now: number }, user: SessionUser, caseId: string) {
  const row = await caseRow(deps.knex, user, caseId);
  const student = await deps.knex('students').where({ id: row.student_id }).first('student_no', 'name', 'class_name');
  await deps.store.appendAudit({ eventKey: `student-view:${randomUUID()}`, subjectType: 'student', subjectId: row.student_id, action: 'viewed', actor: user.id, at: deps.now, details: { case: caseId } });
  const timeline = await deps.store.listAudit({ subjectType: 'crisis', subjectId: caseId });
  return {
    case: {
      id: row.id,
      collegeId: row.college_id,
      situation: row.situation,
      place: row.place,
      status: row.status,
      escalationLevel: Number(row.escalation_level),
      reportedAt: Number(row.reported_at),
      occurredAt: Number(row.occurred_at),
      durations: row.durations ? (JSON.parse(row.durations) as CrisisDurations) : DEFAULT_CRISIS_DURATIONS,
      /** the name as reported, when it differs from the registered one (check the student number) */
      reportedName: row.reported_name ?? null,
    },
    student: { studentNo: student?.student_no, name: student?.name, className: student?.class_name ?? null },
    timeline,
  };
}

export type CaseStep = 'on-scene' | 'school-notified' | 'action' | 'guardian' | 'check-in' | 'hand-over' | 'five-ones';

/** One step of the procedure, through the workflow's Update; its refusal reason is passed on as written. */
export async function actOnCase(deps: { client?: Client; knex: Knex }, user: SessionUser, caseId: string, step: CaseStep, body: Record<string, unknown>): Promise<unknown> {
  await caseRow(deps.knex, user, caseId);
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const actor = { userId: user.id, role: user.role, collegeId: user.collegeId };
  const crisis = deps.client.workflow.getHandle(crisisWorkflowId(caseId));
  const supervision = deps.client.workflow.getHandle(supervisionWorkflowId(caseId));
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const list = (k: string) => (Array.isArray(body[k]) ? (body[k] as unknown[]).map(String) : str(k).split(',').map((x) => x.trim()).filter(Boolean));
  try {
    switch (step) {
      case 'on-scene':
        return await crisis.executeUpdate(acknowledgeOnSceneUpdate, { args: [{ actor }] });
      case 'school-notified':
        return await crisis.executeUpdate(confirmSchoolNotifiedUpdate, { args: [{ actor, departments: list('departments') }] });
      case 'action':
        return await crisis.executeUpdate(recordActionUpdate, { args: [{ actor, action: str('action') as BranchAction }] });
      case 'guardian':
        return await supervision.executeUpdate(setGuardianUpdate, { args: [{ actor, guardianUserId: str('guardianUserId') }] });
      case 'check-in':
        return await supervision.executeUpdate(checkInUpdate, { args: [{ actor, note: str('note') }] });
      case 'hand-over': {
        const now = Date.now();
        // the hand-over happened: a real date since 2000, not in the future (give or take clock skew)
        const at = body.at === undefined || body.at === null || body.at === '' ? now : instantFrom(body.at, 'at (交接时间)', { zone: await zoneOf(deps.knex, user.schoolId), now, maxFutureMs: CLOCK_SKEW_MS });
        return await supervision.executeUpdate(handOverUpdate, { args: [{ actor, receivedBy: str('receivedBy'), at, witnessedBy: list('witnessedBy') }] });
      }
      case 'five-ones':
        return await crisis.executeUpdate(fiveOnesUpdate, { args: [{ actor, leaderUserId: str('leaderUserId'), team: list('team'), plan: str('plan'), followUp: str('followUp') }] });
    }
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw new TaskRejectedError(e.cause instanceof Error ? e.cause.message : e.message);
    throw e;
  }
  throw new BadRequestError(`unknown step ${step}`);
}
