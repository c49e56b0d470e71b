/**
 * The counsellor's side of a concern (issue 16 part 2): the college's concerns, and the response,
 * which can open a screening interview, a key-care entry or a crisis case through the screening,
 * care and crisis features' own use cases (nothing of theirs is done again here), then is recorded
 * by the concern's workflow (respondConcern Update, validated by domain/permissions.ts), which stops
 * its deadline. Student names are shown to the college's care staff only, and every read is audited.
 */
import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { getStudentIdentity } from '../../../../db/repositories/students';
import { concernsOfCollege, getReport, type UnitReportRow } from '../../../../db/repositories/units-reports';
import { respondConcernRefusal } from '../../../../domain/permissions';
import { respondConcernUpdate, unitConcernWorkflowId, type ConcernResponseKind } from '../../../../contracts/units';
import { addKeyCare, auditStudentReads } from '../../care/use-cases';
import { reportCase } from '../../crisis/use-cases';
import { importWarnings } from '../../screening/use-cases';
import { assertCareOf, type SessionUser } from '../../../platform/auth/context';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
} from '../../../platform/errors';
import type { UnitsDeps } from './reports';

export const actingOf = (u: SessionUser) => ({ userId: u.id, role: u.role, collegeId: u.collegeId });

const RESPONSES: ConcernResponseKind[] = ['noted', 'interview', 'key_care', 'crisis'];

export interface ConcernView {
  id: string;
  unitName: string;
  studentId: string | null;
  studentName: string | null;
  category: string | null;
  note: string | null;
  filedAt: number;
  respondBy: number | null;
  followUp: UnitReportRow['follow_up'];
  response: UnitReportRow['response'];
  responseRef: string | null;
}

/** The concerns of a college, for its care staff and the counselling centre (every student shown is audited). */
export async function listConcerns(deps: UnitsDeps, user: SessionUser, collegeId: string): Promise<ConcernView[]> {
  assertCareOf(user, collegeId, 'this college');
  const rows = await concernsOfCollege(deps.knex, collegeId);
  await auditStudentReads(
    { store: deps.store, now: deps.now?.() ?? Date.now() },
    user,
    rows.flatMap((r) => (r.student_id ? [r.student_id] : [])),
    'unit-concerns',
  );
  return rows.map((r) => ({
    id: r.id,
    unitName: r.unit_name,
    studentId: r.student_id,
    studentName: r.student_name,
    category: r.category,
    note: r.note,
    filedAt: Number(r.filed_at),
    respondBy: r.respond_by === null ? null : Number(r.respond_by),
    followUp: r.follow_up,
    response: r.response,
    responseRef: r.response_ref,
  }));
}

/**
 * The response to a concern: `response` is noted | interview | key_care | crisis; for key_care a
 * `plan`, for crisis a `situation` and `place`, for an interview a `level` (red | orange).
 */
export async function respondToConcern(
  deps: UnitsDeps & { client?: Client },
  user: SessionUser,
  reportId: string,
  b: Record<string, unknown>,
): Promise<{ respondedAt: number; ref: string | null }> {
  const report = await getReport(deps.knex, reportId);
  if (!report || report.kind !== 'concern' || !report.student_id)
    throw new NotFoundError(`unknown concern ${reportId}`);
  const refusal = respondConcernRefusal(actingOf(user), report.college_id);
  if (refusal) throw new ForbiddenError(refusal);
  if (report.follow_up === 'responded') throw new ConflictError('this concern has been answered already');
  const response = String(b.response ?? '') as ConcernResponseKind;
  if (!RESPONSES.includes(response))
    throw new BadRequestError(`unknown response "${String(b.response ?? '')}" (one of ${RESPONSES.join(', ')})`);
  const note = typeof b.note === 'string' ? b.note.trim().slice(0, 2000) : '';
  const client = deps.client;
  if (!client) throw new ServiceUnavailableError('the workflow service is not available: try again shortly');
  const ref = await openFollowUp({ ...deps, client }, user, report, response, b, note);
  try {
    const { respondedAt } = await client.workflow
      .getHandle(unitConcernWorkflowId(reportId))
      .executeUpdate(respondConcernUpdate, {
        args: [{ actor: actingOf(user), response, note, ref }],
      });
    return { respondedAt, ref };
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw new ConflictError(e.cause?.message ?? e.message);
    throw e;
  }
}

/** Opens what the response asks for, through the owning feature's use case; answers its id. */
async function openFollowUp(
  deps: UnitsDeps & { client: Client },
  user: SessionUser,
  report: UnitReportRow,
  response: ConcernResponseKind,
  b: Record<string, unknown>,
  note: string,
): Promise<string | null> {
  if (response === 'noted') return null;
  const now = deps.now?.() ?? Date.now();
  const collegeId = report.college_id;
  const common = { knex: deps.knex, store: deps.store, client: deps.client, taskQueue: deps.taskQueue, now };
  if (response === 'key_care') {
    const plan = typeof b.plan === 'string' && b.plan.trim() ? b.plan : note;
    const reason = `心理委员/信息员反映：${report.note ?? ''}`.slice(0, 500);
    const { id } = await addKeyCare(common, user, collegeId, { studentId: report.student_id, reasons: [reason], plan });
    return id;
  }
  const student = await getStudentIdentity(deps.knex, report.student_id!);
  if (!student) throw new NotFoundError('the student of this concern is no longer on record');
  if (response === 'crisis') {
    const { caseId } = await reportCase(common, user, {
      studentNo: student.student_no,
      studentName: student.name,
      className: student.class_name ?? undefined,
      collegeId,
      situation: String(b.situation ?? 'self_harm_risk') as never,
      place: typeof b.place === 'string' && b.place.trim() ? b.place : '—',
      occurredAt: now,
    });
    return caseId;
  }
  // a screening interview: the screening feature's import of one warning (its follow-up holds the interview deadline)
  const level = b.level === 'red' ? '红色' : '橙色';
  const college = await deps.store.getCollege(collegeId);
  const cell = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const csv = `学号,姓名,学院,班级,预警等级\n${[student.student_no, student.name, college?.name ?? collegeId, student.class_name ?? '', level].map(cell).join(',')}\n`;
  const { batchId } = await importWarnings(common, user, Buffer.from(csv, 'utf8'), `concern-${report.id}.csv`);
  return batchId;
}
