/**
 * The evidence_files table: a completion's uploads, 'pending' until the task's Update accepts the
 * completion, then 'accepted'; a rejected completion's rows are deleted (server/features/tasks).
 */
import type { Knex } from 'knex';

/** An evidence file as the pages and the API read it (accepted files only). */
export interface EvidenceRow {
  id: string;
  task_id: string;
  original_name: string;
  kind: string;
  mime: string;
  size: number;
  document_id: string | null;
  activity: number | null;
}

/** A row as stored by a completion, before its Update decides. */
export interface NewEvidenceRow extends EvidenceRow {
  uploaded_by: string;
  sha256: string;
  status: 'pending';
  created_at: number;
}

const COLUMNS = ['id', 'task_id', 'original_name', 'kind', 'mime', 'size', 'document_id', 'activity'] as const;

export async function insertEvidence(knex: Knex, row: NewEvidenceRow): Promise<void> {
  await knex('evidence_files').insert(row);
}

export async function markEvidenceAccepted(knex: Knex, ids: string[]): Promise<void> {
  await knex('evidence_files').whereIn('id', ids).update({ status: 'accepted' });
}

export async function deleteEvidence(knex: Knex, ids: string[]): Promise<void> {
  await knex('evidence_files').whereIn('id', ids).delete();
}

/** A task's accepted evidence, oldest first. */
export async function listAcceptedEvidence(knex: Knex, taskId: string): Promise<EvidenceRow[]> {
  return knex('evidence_files')
    .where({ task_id: taskId, status: 'accepted' })
    .orderBy('created_at')
    .select(...COLUMNS);
}

export async function getAcceptedEvidence(knex: Knex, id: string): Promise<EvidenceRow | undefined> {
  return knex('evidence_files')
    .where({ id, status: 'accepted' })
    .first(...COLUMNS);
}
