/**
 * A completion with its evidence files (the task page's form and POST /api/tasks/:id/complete):
 * the files are checked by content, the rules that read the database (the monthly ledger duty) are
 * applied before anything is stored, the files are stored as pending, and the task's Update decides:
 * accepted, they stay; refused, they are removed again.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Store, TaskInstanceRow } from '../../../../db/store';
import type { Actor, TaskState } from '../../../../contracts';
import { TaskRejectedError } from './errors';
import { acceptUploads, checkUploads, discardUploads, storeUploads, type Upload } from './evidence';
import { completeTask, ledgerDutyProblem } from './updates';
import { trainingDutyProblem } from './training-duty';

export interface CompletionWithEvidence {
  row: TaskInstanceRow;
  actor: Actor;
  note: string;
  activities?: number;
  uploads: Upload[];
  /** the idempotency key's Update id */
  updateId?: string;
}

export interface EvidenceDeps {
  /** undefined when Temporal is not configured: refused once the request is otherwise valid */
  client: Client | undefined;
  store: Store;
  knex: Knex;
  evidenceDir: string;
  now: () => number;
}

export async function completeWithEvidence(deps: EvidenceDeps, c: CompletionWithEvidence): Promise<TaskState> {
  const { row, actor, uploads } = c;
  await checkUploads(uploads);
  // rules that read the database (the monthly ledger duty) are checked before the uploads are stored
  const problem =
    (await ledgerDutyProblem(deps.store, row, deps.now())) ?? (await trainingDutyProblem(deps.store, row));
  if (problem) throw new TaskRejectedError(problem);
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const dir = deps.evidenceDir;
  const files = await storeUploads(deps.knex, dir, row.id, actor.userId, uploads, deps.now());
  const ids = files.map((f) => f.id);
  try {
    const state = await completeTask(
      deps.client,
      deps.store,
      row.id,
      { actor, note: c.note, files, ...(c.activities ? { activities: c.activities } : {}) },
      { updateId: c.updateId, now: deps.now() },
    );
    await acceptUploads(deps.knex, ids);
    return state;
  } catch (e) {
    await discardUploads(deps.knex, dir, ids);
    throw e;
  }
}
