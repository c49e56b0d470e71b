/**
 * The weekly report of a class psychology committee member or a dorm information officer
 * (心理委员周报): their phone page's data, "nothing unusual", and a concern about a classmate of their
 * unit, which opens a follow-up for the college's counsellors (in their inbox in the same
 * transaction; the unitConcern workflow sends it on their channel and holds the response deadline).
 * A reporter sees only what they filed (domain/permissions.ts reportReadRefusal).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { concernEventKey, concernInbox } from '../../../../activities/unit-reports';
import { writeTransaction } from '../../../../db/knex';
import { insertInboxRows } from '../../../../db/repositories/care-events';
import { isStudentOfUnit, unitOfReporter, unitStudents, type UnitRow } from '../../../../db/repositories/units';
import {
  currentWeekRow,
  getUnitSettings,
  insertReport,
  markWeekFiled,
  nothingUnusualOf,
  reportsOfReporter,
  type UnitReportRow,
  type UnitReportWeekRow,
} from '../../../../db/repositories/units-reports';
import type { Store } from '../../../../db/store';
import { isStudentReporter } from '../../../../domain/permissions';
import { concernProblem, DEFAULT_CONCERN_RESPOND_MS } from '../../../../domain/units';
import { unitConcernWorkflowId, type UnitConcernInput } from '../../../../contracts/units';
import { unitConcernWorkflow } from '../../../../workflows/unit-concern';
import { t } from '../../../platform/i18n';
import type { SessionUser } from '../../../platform/auth/context';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';

export interface UnitsDeps {
  store: Store;
  knex: Knex;
  /** starts the concern's follow-up workflow; absent: the rows and the inbox only (tests, tools) */
  client?: Client;
  taskQueue: string;
  now?: () => number;
}

/** A concern unanswered this long after its deadline goes to the school. */
export const CONCERN_SCHOOL_AFTER_MS = 24 * 3_600_000;

/** A report as its reporter sees it: no other student's data but the name of the classmate they named. */
export interface OwnReport {
  id: string;
  kind: UnitReportRow['kind'];
  filedAt: number;
  weekId: string;
  studentName: string | null;
  category: string | null;
  note: string | null;
}

export interface ReporterHome {
  unit: Pick<UnitRow, 'id' | 'kind' | 'name' | 'code'> | null;
  week: Pick<UnitReportWeekRow, 'id' | 'week_no' | 'due_at' | 'status'> | null;
  filedThisWeek: boolean;
  classmates: Array<{ id: string; name: string }>;
  reports: OwnReport[];
  /** the reporter's own notices, newest first (at most 5): their reminders, since the inbox is staff's */
  notices: Array<{ title: string; body: string; at: number }>;
}

const clock = (deps: UnitsDeps) => deps.now?.() ?? Date.now();

function assertReporter(user: SessionUser): void {
  if (!isStudentReporter(user)) throw new ForbiddenError('this page is for class and dorm reporters');
}

async function reporterUnit(deps: UnitsDeps, user: SessionUser): Promise<UnitRow> {
  assertReporter(user);
  const unit = await unitOfReporter(deps.knex, user.id);
  if (!unit) throw new NotFoundError('you are not attached to a class or dormitory: ask your college');
  return unit;
}

/** The reporter's own reports, newest first (the classmate's name only where they named one). */
export async function myReports(deps: UnitsDeps, user: SessionUser): Promise<OwnReport[]> {
  assertReporter(user);
  const rows = await reportsOfReporter(deps.knex, user.id);
  const unit = await unitOfReporter(deps.knex, user.id);
  const names = new Map((unit ? await unitStudents(deps.knex, unit.id) : []).map((s) => [s.id, s.name]));
  return rows
    .filter((r) => r.reporter_user_id === user.id) // reportReadRefusal: the reporter's own only
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      filedAt: Number(r.filed_at),
      weekId: r.week_id,
      studentName: r.student_id ? (names.get(r.student_id) ?? null) : null,
      category: r.category,
      note: r.note,
    }));
}

export async function reporterHome(deps: UnitsDeps, user: SessionUser): Promise<ReporterHome> {
  assertReporter(user);
  const unit = await unitOfReporter(deps.knex, user.id);
  const notices = (await deps.store.listNotifications(user.id))
    .slice(0, 5)
    .map((n) => ({ title: n.title, body: n.body, at: n.createdAt }));
  if (!unit) return { unit: null, week: null, filedThisWeek: false, classmates: [], reports: [], notices };
  const week = (await currentWeekRow(deps.knex, unit.id, clock(deps))) ?? null;
  return {
    unit: { id: unit.id, kind: unit.kind, name: unit.name, code: unit.code },
    week: week && { id: week.id, week_no: week.week_no, due_at: Number(week.due_at), status: week.status },
    filedThisWeek: week?.status === 'filed',
    classmates: (await unitStudents(deps.knex, unit.id)).map((s) => ({ id: s.id, name: s.name })),
    reports: await myReports(deps, user),
    notices,
  };
}

async function openWeek(deps: UnitsDeps, unit: UnitRow): Promise<UnitReportWeekRow> {
  const week = await currentWeekRow(deps.knex, unit.id, clock(deps));
  if (!week) throw new ConflictError('no weekly report is open for your unit now');
  return week;
}

/** "一切正常": files the week (once: filing it again answers the first report). */
export async function fileNothingUnusual(
  deps: UnitsDeps,
  user: SessionUser,
): Promise<{ reportId: string; already: boolean }> {
  const unit = await reporterUnit(deps, user);
  const week = await openWeek(deps, unit);
  const at = clock(deps);
  return writeTransaction(deps.knex, async (trx) => {
    const first = await nothingUnusualOf(trx, week.id, user.id);
    if (first) return { reportId: first.id, already: true };
    const id = randomUUID();
    await insertReport(trx, baseRow(id, week, unit, user, at, 'nothing_unusual'));
    await markWeekFiled(trx, week.id, at);
    return { reportId: id, already: false };
  });
}

/** A concern about a classmate of the reporter's unit, with its category and text. */
export async function fileConcern(
  deps: UnitsDeps,
  user: SessionUser,
  b: Record<string, unknown>,
): Promise<{ reportId: string; respondBy: number }> {
  const unit = await reporterUnit(deps, user);
  const c = { studentId: str(b.studentId), category: str(b.category), note: str(b.note).trim() };
  const problem = concernProblem(c);
  if (problem) throw new BadRequestError(problem);
  if (!(await isStudentOfUnit(deps.knex, unit.id, c.studentId)))
    throw new BadRequestError('choose a classmate from your list: this student is not in your unit');
  const week = await openWeek(deps, unit);
  const at = clock(deps);
  const respondMs =
    (await getUnitSettings(deps.knex, unit.school_id))?.concern_respond_ms ?? DEFAULT_CONCERN_RESPOND_MS;
  const respondBy = at + respondMs;
  const id = randomUUID();
  const counsellors = (
    await deps.store.listUsers({ schoolId: unit.school_id, collegeId: unit.college_id, role: 'counsellor' })
  )
    .filter((u) => u.active)
    .map((u) => u.id);
  const notice = t('zh-CN').notifications.units.concernRaised(
    `${unit.kind === 'class' ? '班级' : '宿舍'} ${unit.name}`,
    Math.round(respondMs / 3_600_000),
  );
  await writeTransaction(deps.knex, async (trx) => {
    await insertReport(trx, {
      ...baseRow(id, week, unit, user, at, 'concern'),
      student_id: c.studentId,
      category: c.category,
      note: c.note,
      follow_up: 'open',
      respond_by: respondBy,
    });
    await markWeekFiled(trx, week.id, at);
    // in the counsellors' inbox at once; the workflow sends the same event on their channel
    await insertInboxRows(trx, concernInbox(concernEventKey(id, 'raised'), id, counsellors, notice, at));
  });
  await startConcernFollowUp(deps, {
    reportId: id,
    collegeId: unit.college_id,
    respondBy,
    schoolAfterMs: CONCERN_SCHOOL_AFTER_MS,
  });
  return { reportId: id, respondBy };
}

/** A report as the JSON API receives it: `kind` nothing_unusual, or concern with studentId, category and note. */
export async function fileReport(
  deps: UnitsDeps,
  user: SessionUser,
  b: Record<string, unknown>,
): Promise<{ reportId: string; already?: boolean; respondBy?: number }> {
  assertReporter(user);
  if (b.kind === 'nothing_unusual') return fileNothingUnusual(deps, user);
  if (b.kind === 'concern') return fileConcern(deps, user, b);
  throw new BadRequestError('kind: "nothing_unusual" or "concern"');
}

/** Starts (once) the concern's follow-up workflow. */
export async function startConcernFollowUp(deps: UnitsDeps, input: UnitConcernInput): Promise<void> {
  if (!deps.client) return;
  try {
    await deps.client.workflow.start(unitConcernWorkflow, {
      workflowId: unitConcernWorkflowId(input.reportId),
      taskQueue: deps.taskQueue,
      args: [input],
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function baseRow(
  id: string,
  week: UnitReportWeekRow,
  unit: UnitRow,
  user: SessionUser,
  at: number,
  kind: UnitReportRow['kind'],
): UnitReportRow {
  return {
    id,
    week_id: week.id,
    unit_id: unit.id,
    college_id: unit.college_id,
    reporter_user_id: user.id,
    kind,
    student_id: null,
    category: null,
    note: null,
    filed_at: at,
    follow_up: null,
    respond_by: null,
    responded_at: null,
    responded_by: null,
    response: null,
    response_note: null,
    response_ref: null,
  };
}
