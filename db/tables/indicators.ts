/** Rows of Indicators (20261203000300_indicators) (db/tables.ts). */
import type { EpochMs, Json } from './types';

export interface IndicatorInputRow {
  id: number;
  school_id: string;
  semester_id: string;
  /** 1, 2, … per (school, semester) */
  version: number;
  /** JSON validated by domain/indicators-inputs.ts */
  body: Json;
  entered_by: string;
  entered_at: EpochMs;
}
