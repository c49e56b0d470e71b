/**
 * Crisis use cases: report a case (the student is stored here, under an opaque id; the workflow
 * gets ids only), act on it through the crisis-case and supervision workflows' Updates, and read
 * its timeline. Student identity is visible to the care staff of the student's college and the
 * counselling centre (school admin); every read of it is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { Knex } from 'knex';
import { getCareSettings } from '../db/care';
import { createStore, type AuditEvent, type Store } from '../db/store';
import { crisisInboxRows } from '../activities/crisis';
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
import { controlCharProblem } from '../domain/text';

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

/**
 * Reports a case and starts its workflow. `opts.caseId` (derived from an idempotency key) fixes
 * the case id and so the workflow id: a retry finds the case it opened and returns it (starting
 * its workflow if the first attempt stopped before that), never a second case.
 */
export async function reportCase(
  deps: { client: Client; store: Store; knex: Knex; taskQueue: string; now: number },
  user: SessionUser,
  r: CaseReport,
  opts?: { caseId?: string },
): Promise<{ caseId: string }> {
  if (opts?.caseId) {
    const first = (await deps
      .knex('crisis_cases')
      .where({ id: opts.caseId })
      .first('id', 'college_id', 'situation', 'reported_at', 'reported_by', 'durations')) as
      | {
          id: string;
          college_id: string;
          situation: Situation;
          reported_at: number | string;
          reported_by: string;
          durations: string | null;
        }
      | undefined;
    if (first) {
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
              situation: first.situation,
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
  }
  assertCareOf(user, r.collegeId, 'this case');
  if (!SITUATIONS.includes(r.situation)) throw new BadRequestError(`situation must be one of ${SITUATIONS.join(', ')}`);
  if (!r.studentNo.trim() || !r.studentName.trim())
    throw new BadRequestError('the student number and name are required');
  // something that happened: a real date since 2000, not later than now (give or take clock skew)
  const occurredAt = instantFrom(r.occurredAt, 'occurredAt (发生时间)', {
    zone: await zoneOf(deps.knex, user.schoolId),
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
  // a crisis report is never refused for a name that does not match the student number: the case
  // is opened on the registered student, and the page shows the name as reported beside it
  const typed = {
    studentNo: r.studentNo.trim().slice(0, 32),
    name: r.studentName.trim().slice(0, 100),
    className: r.className?.trim().slice(0, 100) || null,
  };
  const existing = (await deps
    .knex('students')
    .where({ school_id: user.schoolId, student_no: typed.studentNo })
    .whereNull('registered_student_id')
    .first('id', 'name', 'college_id')) as { id: string; name: string; college_id: string } | undefined;
  const reportedName = existing && existing.name !== typed.name ? typed.name : null;
  // nor refused for a student of another college (the reporter may not know it): the case goes at
  // once to the college that holds the student number, and to the school (routeCase)
  const caseCollegeId = existing?.college_id ?? r.collegeId;
  const routedFrom = caseCollegeId !== r.collegeId ? r.collegeId : null;
  const studentId: string = existing?.id ?? randomUUID();
  if (!existing) {
    await deps.knex('students').insert({
      id: studentId,
      school_id: user.schoolId,
      college_id: r.collegeId,
      student_no: typed.studentNo,
      name: typed.name,
      class_name: typed.className,
      created_at: deps.now,
    });
  }
  const caseId = opts?.caseId ?? randomUUID();
  // the school's durations (DOMAIN.md §5 defaults), fixed for the case when it is reported
  const durations = crisisDurations(await getCareSettings(deps.knex, user.schoolId));
  await deps.knex('crisis_cases').insert({
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
    if (inbox.length)
      await trx('notifications').insert(inbox).onConflict(['event_key', 'recipient_user_id', 'channel']).ignore();
  });
}

type CaseRow = {
  id: string;
  student_id: string;
  college_id: string;
  situation: string;
  place: string | null;
  status: string;
  escalation_level: number;
  reported_at: number | string;
  occurred_at: number | string;
  durations: string | null;
  reported_name: string | null;
  reported_by: string;
  reported_student_no: string | null;
  reported_student_name: string | null;
  reported_class_name: string | null;
  routed_from_college_id: string | null;
};

/** The case, for those who may act on it: the care staff of its college and the counselling centre. */
async function caseRow(knex: Knex, user: SessionUser, caseId: string): Promise<CaseRow> {
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
  const row = (await knex('crisis_cases').where({ id: caseId }).first()) as CaseRow | undefined;
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
    timeline: view === 'full' ? timeline : reporterTimeline(timeline, user.id),
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
  const student = await deps.knex('students').where({ id: row.student_id }).first('student_no', 'name', 'class_name');
  await deps.store.appendAudit({
    eventKey: `student-view:${randomUUID()}`,
    subjectType: 'student',
    subjectId: row.student_id,
    action: 'viewed',
    actor: user.id,
    at: deps.now,
    details: { case: caseId },
  });
  const timeline = await deps.store.listAudit({ subjectType: 'crisis', subjectId: caseId });
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
    student: { studentNo: student?.student_no, name: student?.name, className: student?.class_name ?? null },
    timeline,
  };
}

export type CaseStep = 'on-scene' | 'school-notified' | 'action' | 'guardian' | 'check-in' | 'hand-over' | 'five-ones';

/** One step of the procedure, through the workflow's Update; its refusal reason is passed on as written. */
/** `opts.updateId` (from an idempotency key) is the Update's id: a retry returns the first result. */
const SUPERVISION_STEPS = new Set<CaseStep>(['guardian', 'check-in', 'hand-over']);

export async function actOnCase(
  deps: { client?: Client; knex: Knex },
  user: SessionUser,
  caseId: string,
  step: CaseStep,
  body: Record<string, unknown>,
  opts?: { updateId?: string },
): Promise<unknown> {
  const row = await caseRow(deps.knex, user, caseId);
  // only a risk of self-harm starts the 24-hour special supervision (workflows/crisis-case.ts)
  if (SUPERVISION_STEPS.has(step) && row.situation !== 'self_harm_risk')
    throw new TaskRejectedError(
      'this case has no 24-hour special supervision: it starts only with a risk of self-harm',
    );
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const actor = { userId: user.id, role: user.role, collegeId: user.collegeId };
  const crisis = deps.client.workflow.getHandle(crisisWorkflowId(caseId));
  const supervision = deps.client.workflow.getHandle(supervisionWorkflowId(caseId));
  const uid = opts?.updateId ? { updateId: opts.updateId } : {};
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const list = (k: string) =>
    Array.isArray(body[k])
      ? (body[k] as unknown[]).map(String)
      : str(k)
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
  try {
    switch (step) {
      case 'on-scene':
        return await crisis.executeUpdate(acknowledgeOnSceneUpdate, { args: [{ actor }], ...uid });
      case 'school-notified':
        return await crisis.executeUpdate(confirmSchoolNotifiedUpdate, {
          args: [{ actor, departments: list('departments') }],
          ...uid,
        });
      case 'action':
        return await crisis.executeUpdate(recordActionUpdate, {
          args: [{ actor, action: str('action') as BranchAction }],
          ...uid,
        });
      case 'guardian':
        return await supervision.executeUpdate(setGuardianUpdate, {
          args: [{ actor, guardianUserId: str('guardianUserId') }],
          ...uid,
        });
      case 'check-in':
        return await supervision.executeUpdate(checkInUpdate, { args: [{ actor, note: str('note') }], ...uid });
      case 'hand-over': {
        const now = Date.now();
        // the hand-over happened: a real date since 2000, not in the future (give or take clock skew)
        const at =
          body.at === undefined || body.at === null || body.at === ''
            ? now
            : instantFrom(body.at, 'at (交接时间)', {
                zone: await zoneOf(deps.knex, user.schoolId),
                now,
                maxFutureMs: CLOCK_SKEW_MS,
              });
        return await supervision.executeUpdate(handOverUpdate, {
          args: [{ actor, receivedBy: str('receivedBy'), at, witnessedBy: list('witnessedBy') }],
          ...uid,
        });
      }
      case 'five-ones':
        return await crisis.executeUpdate(fiveOnesUpdate, {
          args: [
            {
              actor,
              leaderUserId: str('leaderUserId'),
              team: list('team'),
              plan: str('plan'),
              followUp: str('followUp'),
            },
          ],
          ...uid,
        });
    }
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError)
      throw new TaskRejectedError(e.cause instanceof Error ? e.cause.message : e.message);
    // the case's (or supervision's) workflow is no longer running: stopped outside the app, or the case is closed (409, never 500)
    if (e instanceof WorkflowNotFoundError || /already completed/i.test(e instanceof Error ? e.message : '')) {
      const row = (await deps.knex('crisis_cases').where({ id: caseId }).first('status')) as
        { status: string } | undefined;
      if (row?.status === 'closed') throw new TaskRejectedError('this case is closed');
      const d = await crisis.describe().catch(() => undefined);
      const status = d?.status.name;
      if (status === 'RUNNING' || status === 'COMPLETED')
        throw new TaskRejectedError('this step is closed: the supervision has ended');
      // marked in the read model and audited once per run (server/ended-workflows.ts): the admin sees it and may restart it
      const at = Date.now();
      const store = createStore(deps.knex);
      await store.markWorkflowEnded('crisis', caseId, { at, status: status ?? 'NOT_FOUND' });
      if (d)
        await store.appendAudit({
          eventKey: `${crisisWorkflowId(caseId)}/workflow-ended:${d.runId}`,
          subjectType: 'crisis',
          subjectId: caseId,
          action: 'workflow-ended-externally',
          actor: 'system',
          at,
          details: { runId: d.runId, status },
        });
      throw new TaskRejectedError(
        "this case's workflow was stopped outside the app; the school administration can restart it",
      );
    }
    throw e;
  }
  throw new BadRequestError(`unknown step ${step}`);
}
