/**
 * Retention (PIPL Art. 19 and 47; seed 003 appendix 3 "二级学院存档"): the archive closes when the
 * student leaves (transfer, graduation…), with the date; once the school's retention period is over
 * it is purged (use-cases/purge.ts) by a durable timer (workflows/purge-archive.ts), started here.
 * The school's settings (retention, the data-request deadline) are the counselling centre's.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { purgeArchiveWorkflowId, type PurgeArchiveInput } from '../../../../contracts/archive';
import {
  archiveSettingsProblems,
  DEFAULT_ARCHIVE_SETTINGS,
  LEFT_REASONS,
  purgeDueAt,
  type ArchiveSettings,
} from '../../../../domain/archive';
import { archiveCloseRefusal, archiveOversightRefusal } from '../../../../domain/permissions';
import { CLOCK_SKEW_MS, parseInstant } from '../../../../domain/dates';
import {
  closeArchive as closeArchiveRow,
  getArchiveSettings,
  saveArchiveSettings,
} from '../../../../db/repositories/archive';
import { BadRequestError, type SessionUser } from '../../../platform/auth/context';
import { ConflictError, ForbiddenError } from '../../../platform/errors';
import { auditArchive, auditAt, writeArchive, type ArchiveDeps } from './common';
import { loadArchive } from './read';
import { DateTime } from 'luxon';

export async function readArchiveSettings(deps: Pick<ArchiveDeps, 'knex'>, schoolId: string): Promise<ArchiveSettings> {
  const row = await getArchiveSettings(deps.knex, schoolId);
  return row
    ? { retentionDays: Number(row.retention_days), dataRequestDays: Number(row.data_request_days) }
    : DEFAULT_ARCHIVE_SETTINGS;
}

export async function changeArchiveSettings(
  deps: ArchiveDeps,
  user: SessionUser,
  s: Partial<Record<keyof ArchiveSettings, unknown>>,
): Promise<ArchiveSettings> {
  const refusal = archiveOversightRefusal({ userId: user.id, role: user.role, collegeId: user.collegeId });
  if (refusal) throw new ForbiddenError(refusal);
  const problems = archiveSettingsProblems(s);
  if (problems.length) throw new BadRequestError(`archive settings not saved: ${problems.join('; ')}`);
  const settings = { retentionDays: Number(s.retentionDays), dataRequestDays: Number(s.dataRequestDays) };
  await saveArchiveSettings(deps.knex, {
    school_id: user.schoolId,
    retention_days: settings.retentionDays,
    data_request_days: settings.dataRequestDays,
    updated_by: user.id,
    updated_at: deps.now,
  });
  const key = `archive-settings:${user.schoolId}:${deps.now}`;
  await auditAt(deps, user.id, { type: 'school', id: user.schoolId }, 'archive-settings.changed', settings, key);
  return settings;
}

/**
 * The student left on `leftOn` (YYYY-MM-DD, the school's day; not in the future): the archive
 * closes (read-only) and its purge is due after the retention period; the purge timer starts.
 */
export async function closeArchive(
  deps: ArchiveDeps,
  user: SessionUser,
  studentId: string,
  b: { leftOn?: unknown; reason?: unknown },
): Promise<{ leftAt: number; purgeDueAt: number }> {
  const view = await loadArchive(deps, user, studentId, archiveCloseRefusal);
  if (view.state.status === 'closed') throw new ConflictError('this archive is already closed');
  const reason = typeof b.reason === 'string' ? b.reason : '';
  if (!(LEFT_REASONS as readonly string[]).includes(reason))
    throw new BadRequestError(`reason must be one of ${LEFT_REASONS.join(', ')}`);
  // the day the student left: a real date since 2000, not in the future (the school's day)
  const zone = (await deps.store.getSchool(user.schoolId))?.timezone ?? 'Asia/Shanghai';
  const day = parseInstant(b.leftOn, 'leftOn (离校日期)', { zone, now: deps.now, maxFutureMs: CLOCK_SKEW_MS });
  const leftAt = DateTime.fromMillis(day, { zone }).startOf('day').toMillis();
  const settings = await readArchiveSettings(deps, user.schoolId);
  const due = purgeDueAt(leftAt, settings.retentionDays);
  await writeArchive(deps, user.schoolId, view.student, (trx) =>
    closeArchiveRow(trx, view.student.id, { leftAt, reason, by: user.id, purgeDueAt: due }),
  );
  await auditArchive(deps, user.id, view.student.id, 'closed', { reason, leftAt, purgeDueAt: due });
  if (deps.client) {
    const input: PurgeArchiveInput = { studentId: view.student.id, schoolId: user.schoolId, purgeDueAt: due };
    await deps.client.workflow
      .start('purgeArchiveWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: purgeArchiveWorkflowId(view.student.id),
        args: [input],
      })
      .catch((e: unknown) => {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      });
  }
  return { leftAt, purgeDueAt: due };
}
