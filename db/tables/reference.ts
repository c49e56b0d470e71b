/** Rows of Reference data (20241101000000_reference_data) (db/tables.ts). */
import type { EpochMs, Json, SqlBool } from './types';

export interface SchoolRow {
  id: string;
  name: string;
  name_en: string;
  /** IANA zone, e.g. Asia/Shanghai */
  timezone: string;
  created_at: EpochMs;
}

export interface CollegeRow {
  id: string;
  school_id: string;
  name: string;
  name_en: string;
  sort_order: number;
  active: SqlBool;
  created_at: EpochMs;
}

export interface UserRow {
  id: string;
  school_id: string;
  college_id: string | null;
  username: string;
  display_name: string;
  role: string;
  email: string | null;
  password_hash: string | null;
  active: SqlBool;
  created_at: EpochMs;
}

export interface TemplateRow {
  id: string;
  version: number;
  kind: string;
  title_zh: string;
  title_en: string;
  /** the template JSON */
  body: Json;
  /** of body */
  sha256: string;
  created_at: EpochMs;
}

export interface CalendarRow {
  id: string;
  name_zh: string;
  /** the calendar JSON */
  body: Json;
  sha256: string;
  created_at: EpochMs;
}
