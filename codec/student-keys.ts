/**
 * Per-student payload keys (crypto-shredding, issue 16 part 1): the payloads of a student's care
 * workflows are encrypted with a key of that student, so that destroying it at the purge makes every
 * remaining copy of those histories unreadable (a Temporal history cannot be edited).
 *
 *   student key = HKDF-SHA256(payload key `master_key_id`, salt, "mhd-student-payload-key:v1:" + student id)
 *
 * The salt (32 random bytes) is the only stored secret of the student: its row in
 * student_payload_keys (db/repositories/student-keys.ts). The purge deletes the row; the payload key
 * alone cannot give the student key back. The codec learns whose payload it encodes from the SDK's
 * serialization context (the workflow id of the payload's workflow, or of the workflow that
 * scheduled the activity) and the care workflows' id conventions; an encoded payload names its key
 * `student:<opaque id>` in its metadata, never a name.
 *
 * Keys are kept in memory for a minute at most: the purge makes the keyrings of its own process
 * forget the student at once (forgetStudentKeys), and a key destroyed by another process is gone
 * from this one within that minute. The workflow → student answer never changes and is kept.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { ensureStudentKey, getStudentKey, isCareWorkflowId, studentOfWorkflow } from '../db/repositories/student-keys';

export const STUDENT_KEY_PREFIX = 'student:';
const KEY_TTL_MS = 60_000;
const MAX_CACHED = 10_000;

/** A payload whose student key was destroyed by the purge (or never existed here). */
export class StudentKeyDestroyedError extends Error {
  constructor(readonly studentId: string) {
    super(
      `cannot decrypt payload: the payload key of student ${studentId} is destroyed (the student's archive was purged) or was never stored in this database`,
    );
    this.name = 'StudentKeyDestroyedError';
  }
}

/** The keyrings of this process, for forgetStudentKeys. */
const keyrings = new Set<{ forget(studentIds: readonly string[]): void }>();

/** The purge (after its transaction): every keyring of this process forgets these students' keys. */
export function forgetStudentKeys(studentIds: readonly string[]): void {
  for (const k of keyrings) k.forget(studentIds);
}

export interface StudentKeyring {
  /** The student key for a payload of this workflow, or null (not a student's care workflow). */
  forWorkflow(workflowId: string): Promise<{ keyId: string; key: Buffer } | null>;
  /** The key an encoded payload names (`student:<id>`); throws StudentKeyDestroyedError when gone. */
  byKeyId(keyId: string): Promise<Buffer>;
}

/**
 * The keyring over the read model. `codecKeys` are the codec's payload keys (codec/aes-gcm.ts
 * CodecKeys): new student keys are derived from the current one, and a student key keeps the
 * payload key it was made with.
 */
export function createStudentKeyring(
  db: Knex,
  codecKeys: { current: string; keys: Readonly<Record<string, Buffer>> },
  now: () => number = Date.now,
): StudentKeyring {
  const masterKeys = new Map(Object.entries(codecKeys.keys));
  const current = codecKeys.current;
  const students = new Map<string, string | null>();
  const keys = new Map<string, { key: Buffer; until: number }>();
  const remember = <K, V>(m: Map<K, V>, k: K, v: V) => {
    if (m.size >= MAX_CACHED) m.delete(m.keys().next().value as K);
    m.set(k, v);
  };

  const derive = (studentId: string, masterKeyId: string, salt: Buffer): Buffer => {
    const master = masterKeys.get(masterKeyId);
    if (!master)
      throw new Error(
        `cannot derive the payload key of student ${studentId}: its payload key "${masterKeyId}" is not configured (add it to PAYLOAD_KEYS)`,
      );
    return Buffer.from(hkdfSync('sha256', master, salt, `mhd-student-payload-key:v1:${studentId}`, 32));
  };

  const cached = (studentId: string): Buffer | null => {
    const hit = keys.get(studentId);
    if (hit && hit.until > now()) return hit.key;
    if (hit) keys.delete(studentId);
    return null;
  };

  keyrings.add({ forget: (ids) => ids.forEach((id) => keys.delete(id)) });
  return {
    async forWorkflow(workflowId) {
      if (!isCareWorkflowId(workflowId)) return null;
      let studentId = students.get(workflowId);
      if (studentId === undefined) {
        studentId = await studentOfWorkflow(db, workflowId);
        // a record not (yet) written is asked again next time; a found one never changes
        if (studentId) remember(students, workflowId, studentId);
      }
      if (!studentId) return null;
      let key = cached(studentId);
      if (!key) {
        const row = await ensureStudentKey(db, studentId, { masterKeyId: current, salt: randomBytes(32), at: now() });
        key = derive(studentId, row.masterKeyId, row.salt);
        remember(keys, studentId, { key, until: now() + KEY_TTL_MS });
      }
      return { keyId: `${STUDENT_KEY_PREFIX}${studentId}`, key };
    },

    async byKeyId(keyId) {
      const studentId = keyId.slice(STUDENT_KEY_PREFIX.length);
      const hit = cached(studentId);
      if (hit) return hit;
      const row = await getStudentKey(db, studentId);
      if (!row) throw new StudentKeyDestroyedError(studentId);
      const key = derive(studentId, row.masterKeyId, row.salt);
      remember(keys, studentId, { key, until: now() + KEY_TTL_MS });
      return key;
    },
  };
}
