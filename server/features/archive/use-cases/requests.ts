/**
 * A student's request to see, correct or delete their data (PIPL Art. 44–47), recorded by the
 * counselling centre on the student's behalf (kind, the day it was received, what was asked) and
 * answered within the school's deadline (archive settings, 15 days by default) by a durable timer
 * in its own workflow (workflows/data-request.ts): a reminder before, the school administration
 * alerted when it is missed; the answer (what was given, corrected or deleted) goes through the
 * workflow's Update. The request's text stays on its row, keyed to the student (purged with the
 * archive); the audit log names the student and the request by opaque id.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DateTime } from 'luxon';
import { answerDataRequestUpdate, dataRequestWorkflowId, type DataRequestInput } from '../../../../contracts/archive';
import {
  answerProblems,
  dataRequestDeadline,
  dataRequestProblems,
  DATA_REQUEST_REMIND_BEFORE_MS,
  type DataRequestKind,
} from '../../../../domain/archive-requests';
import { CLOCK_SKEW_MS, parseInstant } from '../../../../domain/dates';
import { archiveOversightRefusal } from '../../../../domain/permissions';
import type { ArchiveSettings } from '../../../../domain/archive';
import { listArchiveStudents } from '../../../../db/repositories/archive';
import {
  getDataRequest,
  insertDataRequest,
  listDataRequests as listRows,
  type DataRequestListRow,
} from '../../../../db/repositories/archive-requests';
import { BadRequestError, type SessionUser } from '../../../platform/auth/context';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import { ARCHIVE_SUBJECT, auditArchive, type ArchiveDeps } from './common';
import { readArchiveSettings } from './close';

function oversight(user: SessionUser): void {
  const refusal = archiveOversightRefusal({ userId: user.id, role: user.role, collegeId: user.collegeId });
  if (refusal) throw new ForbiddenError(refusal);
}

/** Records a request and starts its clock; every problem of the form is named, nothing is stored. */
export async function recordDataRequest(
  deps: ArchiveDeps,
  user: SessionUser,
  b: { studentNo?: unknown; kind?: unknown; receivedOn?: unknown; request?: unknown },
): Promise<{ id: string; dueAt: number }> {
  oversight(user);
  const problems = dataRequestProblems(b);
  const studentNo = typeof b.studentNo === 'string' ? b.studentNo.trim().slice(0, 32) : '';
  const [student] = studentNo ? await listArchiveStudents(deps.knex, user.schoolId, null, studentNo) : [];
  if (!student) problems.unshift(`studentNo (学号): no archive for student number "${studentNo}"`);
  const zone = (await deps.store.getSchool(user.schoolId))?.timezone ?? 'Asia/Shanghai';
  let receivedAt = 0;
  try {
    const day = parseInstant(b.receivedOn, 'receivedOn (收到日期)', {
      zone,
      now: deps.now,
      maxFutureMs: CLOCK_SKEW_MS,
    });
    receivedAt = DateTime.fromMillis(day, { zone }).startOf('day').toMillis();
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
  }
  if (problems.length || !student) throw new BadRequestError(`the request was not recorded: ${problems.join('; ')}`);
  const settings = await readArchiveSettings(deps, user.schoolId);
  const dueAt = dataRequestDeadline(receivedAt, settings.dataRequestDays);
  const id = randomUUID();
  await insertDataRequest(deps.knex, {
    id,
    student_id: student.id,
    school_id: user.schoolId,
    college_id: student.college_id,
    kind: b.kind as DataRequestKind,
    request: String(b.request).trim(),
    received_by: user.id,
    received_at: receivedAt,
    due_at: dueAt,
    status: 'open',
    escalation_level: 0,
    answer: null,
    answered_by: null,
    answered_at: null,
  });
  await auditArchive(deps, user.id, student.id, 'data-request-received', { request: id, kind: b.kind, dueAt });
  if (deps.client) {
    const input: DataRequestInput = {
      requestId: id,
      schoolId: user.schoolId,
      receivedAt,
      dueAt,
      remindBeforeMs: DATA_REQUEST_REMIND_BEFORE_MS,
    };
    await deps.client.workflow.start('dataRequestWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: dataRequestWorkflowId(id),
      args: [input],
    });
  }
  return { id, dueAt };
}

/** Records the answer through the request's workflow (which ends its clock). */
export async function answerDataRequest(
  deps: ArchiveDeps,
  user: SessionUser,
  requestId: string,
  answer: unknown,
): Promise<{ answeredAt: number }> {
  oversight(user);
  const row = await getDataRequest(deps.knex, requestId);
  if (!row || row.school_id !== user.schoolId) throw new NotFoundError(`unknown data request ${requestId}`);
  if (row.status === 'answered') throw new ConflictError('this request is already answered');
  const problems = answerProblems(answer);
  if (problems.length) throw new BadRequestError(`the answer was not recorded: ${problems.join('; ')}`);
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const actor = { userId: user.id, role: user.role, collegeId: user.collegeId };
  try {
    const r = await deps.client.workflow
      .getHandle(dataRequestWorkflowId(requestId))
      .executeUpdate(answerDataRequestUpdate, { args: [{ actor, answer: String(answer).trim() }] });
    await auditArchive(deps, user.id, row.student_id, 'data-request-answered', { request: requestId });
    return r;
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError)
      throw new ConflictError(e.cause instanceof Error ? e.cause.message : e.message);
    throw e;
  }
}

/** The register (the counselling centre's): open requests first, by deadline; each student shown is audited. */
export async function listDataRequests(deps: ArchiveDeps, user: SessionUser): Promise<DataRequestListRow[]> {
  oversight(user);
  const rows = await listRows(deps.knex, user.schoolId);
  await deps.store.appendAuditMany(
    [...new Set(rows.map((r) => r.student_id))].map((studentId) => ({
      eventKey: `archive-listed:${randomUUID()}`,
      subjectType: ARCHIVE_SUBJECT,
      subjectId: studentId,
      action: 'listed',
      actor: user.id,
      at: deps.now,
      details: { in: 'data-requests' },
    })),
  );
  return rows;
}

/** The retention settings as the counselling centre edits them (the settings page). */
export async function archiveSettingsForCentre(deps: ArchiveDeps, user: SessionUser): Promise<ArchiveSettings> {
  oversight(user);
  return readArchiveSettings(deps, user.schoolId);
}
