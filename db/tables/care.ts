/** Rows of Care (20241101000800_care) (db/tables.ts). */
import type { EpochMs, Json, SqlBool } from './types';

export type CareSource = 'manual' | 'screening' | 'crisis';

export interface CareSettingsRow {
  school_id: string;
  /** JSON validated by domain/care.ts */
  body: Json;
  updated_by: string;
  updated_at: EpochMs;
}

export interface KeyCareEntryRow {
  id: string;
  student_id: string;
  college_id: string;
  /** JSON array of { month, group, zh } or { other } */
  reasons: Json;
  /** 一生一策 */
  plan: string;
  source: CareSource;
  source_id: string | null;
  status: 'active' | 'removed';
  added_by: string;
  added_at: EpochMs;
  updated_at: EpochMs;
  removed_at: EpochMs | null;
  removed_by: string | null;
  removed_reason: string | null;
}

export interface LedgerEntryRow {
  id: string;
  student_id: string;
  college_id: string;
  /** 序号, per college */
  seq: number;
  gender: string | null;
  major_class: string | null;
  contact: string | null;
  interview_at: EpochMs | null;
  /** 问题分类, JSON array */
  categories: Json;
  life_safety: SqlBool;
  description: string;
  liaison_user_id: string | null;
  plan: string;
  source: CareSource;
  source_id: string | null;
  status: 'active' | 'closed';
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface LedgerFollowUpRow {
  id: string;
  entry_id: string;
  at: EpochMs;
  by: string;
  /** 跟踪情况 */
  text: string;
  counselling: SqlBool;
  hospital: SqlBool;
}

export interface PairingRow {
  /** opaque id, also the workflow id suffix (pairing.<id>) */
  id: string;
  college_id: string;
  student_id: string;
  /** null while proposed */
  teacher_user_id: string | null;
  status: 'proposed' | 'active' | 'ended';
  source: CareSource;
  source_id: string | null;
  override_reason: string | null;
  created_by: string;
  created_at: EpochMs;
  started_at: EpochMs | null;
  last_talk_at: EpochMs | null;
  talk_every_ms: number | null;
  escalation_level: number;
  ended_at: EpochMs | null;
  ended_reason: string | null;
}
