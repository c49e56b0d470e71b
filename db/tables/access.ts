/** Rows of Sign-in (20241101000300_auth), calendar feeds (…0400), evidence (…0500), idempotency (20241201001000) (db/tables.ts). */
import type { EpochMs, Json, SqlBool } from './types';

export interface SessionRow {
  /** sha256 hex of the cookie token */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: EpochMs;
  last_seen_at: EpochMs;
  /** absolute end, whatever the activity */
  expires_at: EpochMs;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginAttemptRow {
  id: number;
  /** user:<username> | ip:<address> */
  key: string;
  at: EpochMs;
  success: SqlBool;
}

export interface CalendarFeedRow {
  user_id: string;
  token_hash: string;
  created_at: EpochMs;
  revoked_at: EpochMs | null;
}

export interface EvidenceFileRow {
  id: string;
  task_id: string;
  uploaded_by: string;
  original_name: string;
  /** image | pdf */
  kind: string;
  mime: string;
  size: number;
  sha256: string;
  document_id: string | null;
  activity: number | null;
  /** pending until the Update accepts the completion */
  status: string;
  created_at: EpochMs;
}

export interface IdempotencyKeyRow {
  user_id: string;
  key: string;
  fingerprint: string;
  status: number | null;
  /** the first response's JSON body */
  body: Json | null;
  created_at: EpochMs;
  claimed_at: EpochMs;
}
