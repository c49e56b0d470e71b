/** Rows of the class and dormitory levels (20261203000200_class_dorm_levels). */
import type { UnitKind } from '../../domain/units';
import type { EpochMs } from './types';

/** a unit's kind as the rules name it (domain/units.ts UNIT_KINDS) */
export type { UnitKind };
export type UnitWeekStatus = 'open' | 'filed' | 'overdue' | 'escalated';

export interface UnitRow {
  id: string;
  school_id: string;
  college_id: string;
  kind: UnitKind;
  /** the roster's 编号 */
  code: string;
  name: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface UnitStudentRow {
  unit_id: string;
  student_id: string;
}

export interface UnitReporterRow {
  user_id: string;
  unit_id: string;
}

export interface UnitTeacherRow {
  unit_id: string;
  user_id: string;
}

/** One unit's report of one week of the semester (the indicators read the filing rate from it). */
export interface UnitReportWeekRow {
  /** <semesterId>/<unitId>/w<weekNo> */
  id: string;
  school_id: string;
  college_id: string;
  semester_id: string;
  unit_kind: UnitKind;
  unit_id: string;
  week_no: number;
  open_at: EpochMs;
  due_at: EpochMs;
  status: UnitWeekStatus;
  filed_at: EpochMs | null;
  reminded_at: EpochMs | null;
  escalated_at: EpochMs | null;
}

export type ConcernFollowUp = 'open' | 'responded' | 'overdue';
export type ConcernResponse = 'noted' | 'interview' | 'key_care' | 'crisis';

export interface UnitReportRow {
  id: string;
  week_id: string;
  unit_id: string;
  college_id: string;
  reporter_user_id: string;
  kind: 'nothing_unusual' | 'concern';
  student_id: string | null;
  category: string | null;
  note: string | null;
  filed_at: EpochMs;
  follow_up: ConcernFollowUp | null;
  respond_by: EpochMs | null;
  responded_at: EpochMs | null;
  responded_by: string | null;
  response: ConcernResponse | null;
  response_note: string | null;
  response_ref: string | null;
}

export interface UnitTrainingRow {
  semester_id: string;
  unit_id: string;
  college_id: string;
  trained_by: string;
  trained_at: EpochMs;
  note: string | null;
}

export interface UnitSettingsRow {
  school_id: string;
  concern_respond_ms: number;
  updated_by: string;
  updated_at: EpochMs;
}
