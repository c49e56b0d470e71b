/** Rows of Integrity (20241201000200_flag_bad_dates, 20241201000400_workflow_integrity) (db/tables.ts). */
import type { EpochMs } from './types';

export interface DataProblemRow {
  id: number;
  table_name: string;
  row_id: string;
  column_name: string;
  /** the stored value as text, unchanged in its table */
  value: string;
  found_at: EpochMs;
}

export interface WorkflowSigningRow {
  /** always 1 */
  id: number;
  legacy_before: EpochMs;
}
