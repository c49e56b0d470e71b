/** Rows of Students and crises (…0600, 20241201000100_crisis_routing, …0400_workflow_integrity, …0800_care) (db/tables.ts). */
import type { EpochMs, Json } from './types';

export interface StudentRow {
  /** opaque (random) id */
  id: string;
  school_id: string;
  college_id: string;
  /** 学号 */
  student_no: string;
  name: string;
  class_name: string | null;
  created_at: EpochMs;
  /** a college's own record of a number registered with another college */
  registered_student_id: string | null;
}

export interface CrisisCaseRow {
  /** opaque id, also the workflow id suffix */
  id: string;
  student_id: string;
  college_id: string;
  /** injury | danger_to_others | self_harm_risk */
  situation: string;
  place: string | null;
  reported_by: string;
  occurred_at: EpochMs;
  reported_at: EpochMs;
  /** open | supervising | handed_over | closed */
  status: string;
  escalation_level: number;
  updated_at: EpochMs;
  /** JSON: the durations the case runs with */
  durations: Json | null;
  reported_name: string | null;
  reported_student_no: string | null;
  reported_student_name: string | null;
  reported_class_name: string | null;
  routed_from_college_id: string | null;
  workflow_ended_at: EpochMs | null;
  workflow_end_status: string | null;
}
