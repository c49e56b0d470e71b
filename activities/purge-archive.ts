/**
 * The archive's purge (issue 16 part 1, PIPL Art. 47): once a closed archive's retention is over,
 * the student's personal data goes from every table (db/repositories/archive-purge.ts) and the
 * purge is logged (archive_purges, and an audit event by opaque id). The retention is read again
 * when the timer fires: a school that lengthened it gets a later instant back (the workflow sleeps
 * on); a shortened one purges at once. Idempotent: a purged student answers purged. The Temporal
 * histories of the student's care workflows are deleted with it (the worker's client).
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { PurgeOutcome } from '../contracts/archive';
import { DEFAULT_ARCHIVE_SETTINGS, purgeDueAt } from '../domain/archive';
import { getArchiveSettings, getArchiveState } from '../db/repositories/archive';
import { purgeStudent, studentIdsOf, studentWorkflowIds, type PurgeCounts } from '../db/repositories/archive-purge';
import { forgetStudentKeys } from '../codec/student-keys';
import { inTransaction } from '../db/knex';
import { createStore } from '../db/store';

/**
 * Purges the student when their archive is closed and its retention is over at `now`. With
 * `deleteHistories`, the Temporal histories of the student's care workflows go first (a history
 * cannot be edited, but it can be deleted): retried with the purge until it succeeds.
 */
export async function purgeIfDue(
  knex: Knex,
  studentId: string,
  now: number,
  by = 'timer',
  opts: { deleteHistories?: (workflowIds: string[]) => Promise<number> } = {},
): Promise<PurgeOutcome & { counts?: PurgeCounts }> {
  const state = await getArchiveState(knex, studentId);
  if (!state) {
    const done = await knex('archive_purges').where({ student_id: studentId }).first('id');
    return done ? { purged: true } : { purged: false, retryAt: null };
  }
  if (state.status !== 'closed' || state.left_at == null) return { purged: false, retryAt: null };
  const settings = await getArchiveSettings(knex, state.school_id);
  const due = purgeDueAt(
    Number(state.left_at),
    Number(settings?.retention_days ?? DEFAULT_ARCHIVE_SETTINGS.retentionDays),
  );
  if (due > now) return { purged: false, retryAt: due };
  const histories: PurgeCounts = opts.deleteHistories
    ? { temporal_histories: await opts.deleteHistories(await studentWorkflowIds(knex, studentId)) }
    : {};
  const keyed = await studentIdsOf(knex, studentId);
  const counts = await inTransaction(knex, async (trx) => {
    const counts = await purgeStudent(trx, { studentId, by, at: now, extra: histories });
    await createStore(trx).appendAudit({
      eventKey: `archive-purged:${studentId}`,
      subjectType: 'archive',
      subjectId: studentId,
      action: 'purged',
      actor: by,
      at: now,
      details: { tables: counts ?? {}, run: randomUUID() },
    });
    return counts;
  });
  // the student's payload key went with the transaction; this process's keyrings forget it too
  forgetStudentKeys(keyed);
  return { purged: true, counts: counts ?? {} };
}

/** The server's clock at this attempt's scheduling, outside an activity the process's own. */
function serverNow(): number {
  try {
    return Math.max(Date.now(), Context.current().info.currentAttemptScheduledTimestampMs);
  } catch {
    return Date.now();
  }
}

/** gRPC codes: the workflow is not (or no longer) there; the server cannot delete (the time-skipping test server). */
const NOT_FOUND = 5;
const UNIMPLEMENTED = 12;

/** Deletes the histories of these workflows (running ones are terminated first by the server); how many were deleted. */
export function historyDeleter(client: Client): (workflowIds: string[]) => Promise<number> {
  return async (workflowIds) => {
    let deleted = 0;
    for (const workflowId of workflowIds) {
      try {
        await client.workflowService.deleteWorkflowExecution({
          namespace: client.options.namespace,
          workflowExecution: { workflowId },
        });
        deleted += 1;
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code !== NOT_FOUND && code !== UNIMPLEMENTED) throw e;
      }
    }
    return deleted;
  };
}

export function createPurgeArchiveActivities(deps: { knex: Knex; client?: Client }) {
  const deleteHistories = deps.client ? historyDeleter(deps.client) : undefined;
  return {
    /**
     * The timer's activity: the workflow passes no clock; the purge instant is the Temporal server's
     * (when this attempt was scheduled), the clock the timer ran on, so a worker whose clock lags
     * does not answer "not yet" for ever (and a time-skipping test server skips to it).
     */
    async purgeArchiveIfDue(studentId: string): Promise<PurgeOutcome> {
      const r = await purgeIfDue(deps.knex, studentId, serverNow(), 'timer', { deleteHistories });
      return r.purged ? { purged: true } : { purged: false, retryAt: r.retryAt };
    },
  };
}

export type PurgeArchiveActivities = ReturnType<typeof createPurgeArchiveActivities>;
