/**
 * Evidence uploads: type checked by content (JPEG, PNG, PDF magic bytes), size-limited, stored
 * under data/evidence/<id> with metadata in evidence_files. Stored files stay 'pending' until
 * the task's Update accepts the completion; a rejected completion removes them again.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { EvidenceFile } from '../domain/evidence';
import { BadRequestError } from './auth/context';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 20;

export interface Upload {
  fieldname: string;
  originalname: string;
  buffer: Buffer;
  size: number;
}

function sniff(buf: Buffer): { kind: 'image' | 'pdf'; mime: string } | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return { kind: 'image', mime: 'image/jpeg' };
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { kind: 'image', mime: 'image/png' };
  if (buf.length >= 5 && buf.subarray(0, 5).toString('latin1') === '%PDF-') return { kind: 'pdf', mime: 'application/pdf' };
  return null;
}

/** Field names: `files` (general), `doc_<documentId>`, `photos_<activity number>`. */
function roleOfField(field: string): { documentId?: string; activity?: number } {
  const doc = /^doc_([a-z0-9-]+)$/.exec(field);
  if (doc) return { documentId: doc[1] };
  const photo = /^photos_(\d{1,2})$/.exec(field);
  if (photo) return { activity: Number(photo[1]) };
  return {};
}

export async function storeUploads(knex: Knex, dir: string, taskId: string, userId: string, uploads: Upload[], now: number): Promise<EvidenceFile[]> {
  const checked = uploads.map((u) => {
    const type = sniff(u.buffer);
    if (!type) throw new BadRequestError(`"${u.originalname}" is not a JPEG, PNG or PDF file`);
    return { u, type };
  });
  await fs.mkdir(dir, { recursive: true });
  const out: EvidenceFile[] = [];
  for (const { u, type } of checked) {
    const id = randomUUID();
    await fs.writeFile(path.join(dir, id), u.buffer, { flag: 'wx' });
    const role = roleOfField(u.fieldname);
    await knex('evidence_files').insert({
      id,
      task_id: taskId,
      uploaded_by: userId,
      original_name: u.originalname.slice(0, 200),
      kind: type.kind,
      mime: type.mime,
      size: u.size,
      sha256: createHash('sha256').update(u.buffer).digest('hex'),
      document_id: role.documentId ?? null,
      activity: role.activity ?? null,
      status: 'pending',
      created_at: now,
    });
    out.push({ id, kind: type.kind, ...role });
  }
  return out;
}

export async function acceptUploads(knex: Knex, ids: string[]): Promise<void> {
  if (ids.length) await knex('evidence_files').whereIn('id', ids).update({ status: 'accepted' });
}

/** Removes uploads of a rejected completion: nothing of it stays stored. */
export async function discardUploads(knex: Knex, dir: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await knex('evidence_files').whereIn('id', ids).delete();
  await Promise.all(ids.map((id) => fs.rm(path.join(dir, id), { force: true })));
}

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

export async function listEvidence(knex: Knex, taskId: string): Promise<EvidenceRow[]> {
  return knex('evidence_files').where({ task_id: taskId, status: 'accepted' }).orderBy('created_at').select('id', 'task_id', 'original_name', 'kind', 'mime', 'size', 'document_id', 'activity');
}

export async function getEvidence(knex: Knex, id: string): Promise<EvidenceRow | undefined> {
  return knex('evidence_files').where({ id, status: 'accepted' }).first('id', 'task_id', 'original_name', 'kind', 'mime', 'size', 'document_id', 'activity');
}
