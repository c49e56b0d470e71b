/** Rows of Screening (20241101000700_screening) (db/tables.ts). */
import type { EpochMs, Json } from './types';

export interface ScreeningBatchRow {
  id: string;
  school_id: string;
  /** the uploaded file's name */
  name: string;
  imported_by: string;
  imported_at: EpochMs;
  rows: number;
  /** of the file's bytes */
  sha256: string;
}

export interface ScreeningWarningRow {
  /** opaque id, also the workflow id suffix (screening.<id>) */
  id: string;
  batch_id: string;
  student_id: string;
  college_id: string;
  level: 'red' | 'orange';
  interview_due_at: EpochMs;
  status: 'open' | 'interviewed';
  escalation_level: number;
  interviewed_at: EpochMs | null;
  /** JSON of the interview record (appendix 2) */
  record: Json | null;
}
