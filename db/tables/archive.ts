/** Rows of the student archive (20261203000100_student_archive) (db/tables.ts). */
import type { EpochMs, Json } from './types';

export interface StudentArchiveRow {
  student_id: string;
  school_id: string;
  college_id: string;
  status: 'open' | 'closed';
  left_at: EpochMs | null;
  left_reason: string | null;
  closed_by: string | null;
  purge_due_at: EpochMs | null;
  created_at: EpochMs;
}

export interface ArchiveFieldVersionRow {
  id: number;
  student_id: string;
  field: string;
  /** text, or JSON for a list */
  value: string | null;
  changed_by: string;
  changed_at: EpochMs;
}

export interface ArchiveReviewRow {
  id: number;
  student_id: string;
  college_id: string;
  reviewed_by: string;
  reviewed_at: EpochMs;
}

export interface ArchiveSettingsRow {
  school_id: string;
  retention_days: number;
  data_request_days: number;
  updated_by: string;
  updated_at: EpochMs;
}

export interface ArchivePurgeRow {
  id: number;
  /** the opaque id of the purged student */
  student_id: string;
  school_id: string;
  college_id: string;
  left_at: EpochMs | null;
  purged_at: EpochMs;
  purged_by: string;
  /** JSON: rows deleted per table */
  counts: Json;
}

export interface DataRequestRow {
  id: string;
  student_id: string;
  school_id: string;
  college_id: string;
  kind: 'access' | 'correction' | 'deletion';
  request: string;
  received_by: string;
  received_at: EpochMs;
  due_at: EpochMs;
  status: 'open' | 'answered';
  escalation_level: number;
  answer: string | null;
  answered_by: string | null;
  answered_at: EpochMs | null;
}

/** A student's payload key (crypto-shredding, codec/student-keys.ts): deleted by the purge. */
export interface StudentPayloadKeyRow {
  student_id: string;
  /** the PAYLOAD_KEYS id the student key is derived from */
  master_key_id: string;
  /** 32 random bytes, base64 */
  salt: string;
  created_at: EpochMs;
}
