/**
 * One row interface per table of migrations/, columns as stored (snake_case): what a knex query
 * on that table returns before a repository maps it to its camelCase shape.
 *
 * - Instants are epoch milliseconds in bigint columns: db/knex.ts makes pg return them as numbers.
 * - Booleans come back as 0/1 from SQLite and as true/false from PostgreSQL (`SqlBool`).
 * - JSON columns are text (`Json`): the repositories parse them.
 */

/** A boolean column as the drivers return it. */
export type SqlBool = boolean | 0 | 1;
/** Epoch milliseconds (bigint column). */
export type EpochMs = number;
/** JSON stored as text. */
export type Json = string;

// ---------------------------------------------------------------------------------------------
// Reference data (20241101000000_reference_data)

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

// ---------------------------------------------------------------------------------------------
// Read model (20241101000100_read_model, 20241201000400_workflow_integrity, 20241201000900_semester_task_model)

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

export interface NotificationRow {
  id: number;
  /** the audit event that caused it */
  event_key: string;
  recipient_user_id: string;
  channel: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  title: string;
  body: string;
  created_at: EpochMs;
  read_at: EpochMs | null;
}

// ---------------------------------------------------------------------------------------------
// Outbox (20241101000200_deliveries)

export type DeliveryChannel = 'email' | 'webhook';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface NotificationDeliveryRow {
  id: number;
  notification_id: number;
  event_key: string;
  channel: DeliveryChannel;
  /** the e-mail address, or `<host>#sha256:<hex>` of the webhook URL */
  target: string;
  /** email:<notificationId> | webhook:<eventKey> */
  dedupe_key: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: EpochMs;
  claimed_at: EpochMs | null;
  sent_at: EpochMs | null;
}

// ---------------------------------------------------------------------------------------------
// Sign-in (20241101000300_auth), calendar feeds (…0400), evidence (…0500), idempotency (20241201001000)

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

// ---------------------------------------------------------------------------------------------
// Students and crises (…0600, 20241201000100_crisis_routing, …0400_workflow_integrity, …0800_care)

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

// ---------------------------------------------------------------------------------------------
// Screening (20241101000700_screening)

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

// ---------------------------------------------------------------------------------------------
// Care (20241101000800_care)

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

// ---------------------------------------------------------------------------------------------
// Integrity (20241201000200_flag_bad_dates, 20241201000400_workflow_integrity)

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

/** Every table of the migrations and its row. */
export interface Tables {
  schools: SchoolRow;
  colleges: CollegeRow;
  users: UserRow;
  templates: TemplateRow;
  calendars: CalendarRow;
  semesters: SemesterRow;
  task_instances: TaskInstanceDbRow;
  audit_events: AuditEventRow;
  notifications: NotificationRow;
  notification_deliveries: NotificationDeliveryRow;
  sessions: SessionRow;
  login_attempts: LoginAttemptRow;
  calendar_feeds: CalendarFeedRow;
  evidence_files: EvidenceFileRow;
  idempotency_keys: IdempotencyKeyRow;
  students: StudentRow;
  crisis_cases: CrisisCaseRow;
  screening_batches: ScreeningBatchRow;
  screening_warnings: ScreeningWarningRow;
  care_settings: CareSettingsRow;
  key_care_entries: KeyCareEntryRow;
  ledger_entries: LedgerEntryRow;
  ledger_follow_ups: LedgerFollowUpRow;
  pairings: PairingRow;
  data_problems: DataProblemRow;
  workflow_signing: WorkflowSigningRow;
}

export type TableName = keyof Tables;
