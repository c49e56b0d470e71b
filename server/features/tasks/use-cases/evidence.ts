/**
 * Evidence uploads: received to disk (server/upload.ts), type checked by content (JPEG, PNG, PDF
 * magic bytes), size-limited, moved to data/evidence/<id> with metadata in evidence_files. Stored files stay 'pending' until
 * the task's Update accepts the completion; a rejected completion removes them again.
 */
import { createHash, randomUUID } from 'node:crypto';
import { constants as fsConstants, createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import {
  deleteEvidence,
  getAcceptedEvidence,
  insertEvidence,
  listAcceptedEvidence,
  markEvidenceAccepted,
  type EvidenceRow,
} from '../../../../db/repositories/evidence';
import type { EvidenceFile } from '../../../../domain/evidence';
import { BadRequestError } from '../../../platform/auth/context';
import type { ReceivedFile } from '../../../platform/upload';

export type { EvidenceRow };

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 20;

/** An uploaded file, still in its temporary place (server/upload.ts). */
export type Upload = Pick<ReceivedFile, 'fieldname' | 'originalname' | 'path' | 'size'>;

function sniff(buf: Buffer): { kind: 'image' | 'pdf'; mime: string } | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff)
    return { kind: 'image', mime: 'image/jpeg' };
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { kind: 'image', mime: 'image/png' };
  if (buf.length >= 5 && buf.subarray(0, 5).toString('latin1') === '%PDF-')
    return { kind: 'pdf', mime: 'application/pdf' };
  return null;
}

/** The type of a file on disk, from its first bytes. */
async function sniffFile(file: string): Promise<{ kind: 'image' | 'pdf'; mime: string } | null> {
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    return sniff(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Field names: `files` (general), `doc_<documentId>`, `photos_<activity number>`. */
function roleOfField(field: string): { documentId?: string; activity?: number } {
  const doc = /^doc_([a-z0-9-]+)$/.exec(field);
  if (doc) return { documentId: doc[1] };
  const photo = /^photos_(\d{1,2})$/.exec(field);
  if (photo) return { activity: Number(photo[1]) };
  return {};
}

/** 400 naming the first file that is not a JPEG, PNG or PDF (by content, not by name or declared type). */
export async function checkUploads(
  uploads: Upload[],
): Promise<Array<{ u: Upload; type: { kind: 'image' | 'pdf'; mime: string } }>> {
  const checked = [];
  for (const u of uploads) {
    const type = await sniffFile(u.path);
    if (!type) throw new BadRequestError(`"${u.originalname}" is not a JPEG, PNG or PDF file`);
    checked.push({ u, type });
  }
  return checked;
}

/** Moves checked uploads into the evidence store as 'pending' (accepted or discarded once the Update decides). */
export async function storeUploads(
  knex: Knex,
  dir: string,
  taskId: string,
  userId: string,
  uploads: Upload[],
  now: number,
): Promise<EvidenceFile[]> {
  const checked = await checkUploads(uploads);
  await fs.mkdir(dir, { recursive: true });
  const out: EvidenceFile[] = [];
  for (const { u, type } of checked) {
    const id = randomUUID();
    const target = path.join(dir, id);
    const sha256 = await sha256Of(u.path);
    try {
      await fs.rename(u.path, target);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EXDEV') throw e;
      await fs.copyFile(u.path, target, fsConstants.COPYFILE_EXCL);
      await fs.rm(u.path, { force: true });
    }
    const role = roleOfField(u.fieldname);
    try {
      await insertEvidence(knex, {
        id,
        task_id: taskId,
        uploaded_by: userId,
        original_name: u.originalname.slice(0, 200),
        kind: type.kind,
        mime: type.mime,
        size: u.size,
        sha256,
        document_id: role.documentId ?? null,
        activity: role.activity ?? null,
        status: 'pending',
        created_at: now,
      });
    } catch (e) {
      await fs.rm(target, { force: true });
      await discardUploads(
        knex,
        dir,
        out.map((f) => f.id),
      );
      throw e;
    }
    out.push({ id, kind: type.kind, ...role });
  }
  return out;
}

export async function acceptUploads(knex: Knex, ids: string[]): Promise<void> {
  if (ids.length) await markEvidenceAccepted(knex, ids);
}

/** Removes uploads of a rejected completion: nothing of it stays stored. */
export async function discardUploads(knex: Knex, dir: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await deleteEvidence(knex, ids);
  await Promise.all(ids.map((id) => fs.rm(path.join(dir, id), { force: true })));
}

export async function listEvidence(knex: Knex, taskId: string): Promise<EvidenceRow[]> {
  return listAcceptedEvidence(knex, taskId);
}

export async function getEvidence(knex: Knex, id: string): Promise<EvidenceRow | undefined> {
  return getAcceptedEvidence(knex, id);
}
