/**
 * Report a crisis case: the student is stored here, under an opaque id; the workflow gets ids
 * only. A case reported by another college than the one holding the student number is routed to
 * that college at once.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { crisisInboxRows } from '../../../../activities/crisis';
import { getCareSettings } from '../../../../db/repositories/care';
import { getCase, insertCase, insertCrisisInbox, schoolTimezone } from '../../../../db/repositories/crisis';
import { findRegisteredStudentWithCollege, insertStudent } from '../../../../db/repositories/students';
import { createStore, type Store } from '../../../../db/store';
import { crisisDurations } from '../../../../domain/care';
import { controlCharProblem } from '../../../../domain/text';
import { crisisCaseWorkflow } from '../../../../workflows';
import { type CrisisDurations, type Situation } from '../../../../contracts';
import { assertCareOf, BadRequestError, type SessionUser } from '../../../platform/auth/context';
import { CLOCK_SKEW_MS, instantFrom } from '../../../platform/dates';
import { NotFoundError } from '../../../platform/errors';
import { crisisWorkflowId } from './ids';

export const SITUATIONS: Situation[] = ['injury', 'danger_to_others', 'self_harm_risk'];

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

export interface ReportDeps {
  client: Client;
  store: Store;
  knex: Knex;
  taskQueue: string;
  now: number;
}

/** A report as the JSON API receives it: the college defaults to the reporter's, the time to now. */
export function reportFromBody(b: Record<string, unknown>, user: SessionUser, now: number): CaseReport {
  return {
    studentNo: String(b.studentNo ?? ''),
    studentName: String(b.studentName ?? ''),
    className: typeof b.className === 'string' ? b.className : undefined,
    collegeId: String(b.collegeId ?? user.collegeId ?? ''),
    situation: String(b.situation ?? '') as never,
    place: String(b.place ?? ''),
    occurredAt:
      b.occurredAt === undefined || b.occurredAt === null || b.occurredAt === ''
        ? now
        : (b.occurredAt as number | string),
  };
}

/** The case a retry of the same report finds: its workflow started if the first attempt stopped before that. */
async function resumeReport(
  deps: ReportDeps,
  user: SessionUser,
  caseId: string,
): Promise<{ caseId: string } | undefined> {
  const first = await getCase(deps.knex, caseId);
  if (!first) return undefined;
  if (first.reported_by !== user.id) throw new BadRequestError('this idempotency key belongs to another report');
  await deps.client.workflow
    .start(crisisCaseWorkflow, {
      workflowId: crisisWorkflowId(first.id),
      taskQueue: deps.taskQueue,
      // started once: a case whose workflow already ran is never started again
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [
        {
          caseId: first.id,
          collegeId: first.college_id,
          situation: first.situation as Situation,
          reportedAt: Number(first.reported_at),
          reportedBy: first.reported_by,
          durations: first.durations
            ? (JSON.parse(first.durations) as CrisisDurations)
            : crisisDurations(await getCareSettings(deps.knex, user.schoolId)),
        },
      ],
    })
    .catch((e: unknown) => {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    });
  return { caseId: first.id };
}

/** The report's checks (the college, the situation, the names, the time); returns when it happened. */
async function checkReport(deps: ReportDeps, user: SessionUser, r: CaseReport): Promise<number> {
  assertCareOf(user, r.collegeId, 'this case');
  if (!SITUATIONS.includes(r.situation)) throw new BadRequestError(`situation must be one of ${SITUATIONS.join(', ')}`);
  if (!r.studentNo.trim() || !r.studentName.trim())
    throw new BadRequestError('the student number and name are required');
  // something that happened: a real date since 2000, not later than now (give or take clock skew)
  const occurredAt = instantFrom(r.occurredAt, 'occurredAt (发生时间)', {
    zone: await schoolTimezone(deps.knex, user.schoolId),
    now: deps.now,
    maxFutureMs: CLOCK_SKEW_MS,
  });
  // names and the place are one line each: no control characters (domain/text.ts)
  for (const [field, value] of [
    ['studentNo (学号)', r.studentNo],
    ['studentName (姓名)', r.studentName],
    ['className (班级)', r.className ?? ''],
    ['place (地点)', r.place],
  ] as const) {
    const problem = controlCharProblem(value.trim(), { multiline: false });
    if (problem) throw new BadRequestError(`${field}: ${problem}`);
  }
  const college = await deps.store.getCollege(r.collegeId);
  if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown college ${r.collegeId}`);
  return occurredAt;
}

/**
 * Reports a case and starts its workflow. `opts.caseId` (derived from an idempotency key) fixes
 * the case id and so the workflow id: a retry finds the case it opened and returns it (starting
 * its workflow if the first attempt stopped before that), never a second case.
 */
export async function reportCase(
  deps: ReportDeps,
  user: SessionUser,
  r: CaseReport,
  opts?: { caseId?: string },
): Promise<{ caseId: string }> {
  if (opts?.caseId) {
    const resumed = await resumeReport(deps, user, opts.caseId);
    if (resumed) return resumed;
  }
  const occurredAt = await checkReport(deps, user, r);
  // a crisis report is never refused for a name that does not match the student number: the case
  // is opened on the registered student, and the page shows the name as reported beside it
  const typed = {
    studentNo: r.studentNo.trim().slice(0, 32),
    name: r.studentName.trim().slice(0, 100),
    className: r.className?.trim().slice(0, 100) || null,
  };
  const existing = await findRegisteredStudentWithCollege(deps.knex, user.schoolId, typed.studentNo);
  const reportedName = existing && existing.name !== typed.name ? typed.name : null;
  // nor refused for a student of another college (the reporter may not know it): the case goes at
  // once to the college that holds the student number, and to the school (routeCase)
  const caseCollegeId = existing?.college_id ?? r.collegeId;
  const routedFrom = caseCollegeId !== r.collegeId ? r.collegeId : null;
  const studentId: string = existing?.id ?? randomUUID();
  if (!existing) {
    await insertStudent(deps.knex, {
      id: studentId,
      school_id: user.schoolId,
      college_id: r.collegeId,
      student_no: typed.studentNo,
      name: typed.name,
      class_name: typed.className,
      created_at: deps.now,
      registered_student_id: null,
    });
  }
  const caseId = opts?.caseId ?? randomUUID();
  // the school's durations (docs/domain.md §5 defaults), fixed for the case when it is reported
  const durations = crisisDurations(await getCareSettings(deps.knex, user.schoolId));
  await insertCase(deps.knex, {
    durations: JSON.stringify(durations),
    reported_name: reportedName,
    reported_student_no: typed.studentNo,
    reported_student_name: typed.name,
    reported_class_name: typed.className,
    routed_from_college_id: routedFrom,
    id: caseId,
    student_id: studentId,
    college_id: caseCollegeId,
    situation: r.situation,
    place: r.place,
    reported_by: user.id,
    occurred_at: occurredAt,
    reported_at: deps.now,
    status: r.situation === 'self_harm_risk' ? 'supervising' : 'open',
    escalation_level: 0,
    updated_at: deps.now,
  });
  if (routedFrom) await routeCase(deps, { caseId, from: routedFrom, to: caseCollegeId, by: user.id, at: deps.now });
  await deps.client.workflow.start(crisisCaseWorkflow, {
    workflowId: crisisWorkflowId(caseId),
    taskQueue: deps.taskQueue,
    args: [
      {
        caseId,
        collegeId: caseCollegeId,
        situation: r.situation,
        reportedAt: deps.now,
        reportedBy: user.id,
        durations,
      },
    ],
  });
  return { caseId };
}

/**
 * A case reported by another college than the one holding the student number: the case row
 * already names the owner college (its workflow notifies that college's care staff and leader as
 * for any case); this records the routing on the case's timeline and tells the owner college's
 * care staff and the school at once, ids only. Idempotent (keyed by the case).
 */
async function routeCase(
  deps: { store: Store; knex: Knex },
  c: { caseId: string; from: string; to: string; by: string; at: number },
): Promise<void> {
  const eventKey = `crisis.${c.caseId}/routed`;
  const inbox = await crisisInboxRows(
    deps.store,
    { caseId: c.caseId, collegeId: c.to, action: 'routed', at: c.at },
    eventKey,
    ['college-care', 'school'],
  );
  await deps.knex.transaction(async (trx) => {
    await createStore(trx).appendAudit({
      eventKey,
      subjectType: 'crisis',
      subjectId: c.caseId,
      action: 'routed',
      actor: c.by,
      at: c.at,
      details: { from: c.from, to: c.to },
    });
    if (inbox.length) await insertCrisisInbox(trx, inbox);
  });
}
