/** Rows of Read model (20241101000100_read_model, 20241201000400_workflow_integrity, 20241201000900_semester_task_model) (db/tables.ts). */
import type { EpochMs, Json, SqlBool } from './types';

export interface SemesterRow {
  id: string;
  school_id: string;
  calendar_id: string;
  template_id: string;
  template_version: number;
  status: 'planned' | 'running' | 'closed';
  workflow_id: string | null;
  created_at: EpochMs;
  started_at: EpochMs | null;
  task_model: 'per-task' | 'ladder';
}

export interface TaskInstanceDbRow {
  /** equals the task's Temporal workflow id */
  id: string;
  semester_id: string;
  college_id: string;
  template_task_id: string;
  occurrence: string | null;
  /** YYYY-MM */
  month: string;
  kind: string;
  owner_role: string;
  title_zh: string;
  title_en: string;
  open_at: EpochMs;
  due_at: EpochMs;
  status: 'planned' | 'open' | 'overdue' | 'completed' | 'waived';
  escalation_level: number;
  reminders_sent: number;
  completed_at: EpochMs | null;
  completed_by: string | null;
  late: SqlBool;
  note: string | null;
  waived_reason: string | null;
  updated_at: EpochMs;
  workflow_ended_at: EpochMs | null;
  workflow_end_status: string | null;
}

export interface AuditEventRow {
  id: number;
  /** idempotency key, e.g. "<workflowId>:<step>" */
  event_key: string;
  subject_type: string;
  subject_id: string;
  action: string;
  /** 'timer', 'system' or a user id */
  actor: string;
  at: EpochMs;
  details: Json | null;
}

/**
 * What an inbox entry is about (and so where it links). Each has a name in both languages
 * (server/platform/i18n/dashboard.ts, `inboxKinds`), which the type makes the compiler ask for.
 */
export type NotificationSubject =
  | 'task'
  | 'crisis'
  | 'screening'
  | 'pairing'
  | 'college'
  | 'school'
  /** a class's or dormitory's weekly report (its reminder, overdue, escalation) */
  | 'unit'
  /** a classmate reported as needing attention by a class or dorm reporter */
  | 'unit-concern'
  /** a student's request to see, correct or delete their data */
  | 'data-request';

export interface NotificationRow {
  id: number;
  /** the audit event that caused it */
  event_key: string;
  recipient_user_id: string;
  channel: string;
  kind: string;
  subject_type: NotificationSubject;
  subject_id: string;
  title: string;
  body: string;
  created_at: EpochMs;
  read_at: EpochMs | null;
}
