/**
 * One row interface per table of migrations/, columns as stored (snake_case): what a knex query
 * on that table returns before a repository maps it to its camelCase shape.
 *
 * - Instants are epoch milliseconds in bigint columns: db/knex.ts makes pg return them as numbers.
 * - Booleans come back as 0/1 from SQLite and as true/false from PostgreSQL (`SqlBool`).
 * - JSON columns are text (`Json`): the repositories parse them.
 */
import type { CalendarRow, CollegeRow, SchoolRow, TemplateRow, UserRow } from './tables/reference';
import type { AuditEventRow, NotificationRow, SemesterRow, TaskInstanceDbRow } from './tables/read-model';
import type { NotificationDeliveryRow } from './tables/outbox';
import type { CalendarFeedRow, EvidenceFileRow, IdempotencyKeyRow, LoginAttemptRow, SessionRow } from './tables/access';
import type { CrisisCaseRow, StudentRow } from './tables/crisis';
import type { ScreeningBatchRow, ScreeningWarningRow } from './tables/screening';
import type { CareSettingsRow, KeyCareEntryRow, LedgerEntryRow, LedgerFollowUpRow, PairingRow } from './tables/care';
import type { DataProblemRow, WorkflowSigningRow } from './tables/integrity';
import type { IndicatorInputRow } from './tables/indicators';
import type {
  ArchiveFieldVersionRow,
  ArchivePurgeRow,
  ArchiveReviewRow,
  ArchiveSettingsRow,
  DataRequestRow,
  StudentArchiveRow,
  StudentPayloadKeyRow,
} from './tables/archive';

export type { EpochMs, Json, SqlBool } from './tables/types';
export * from './tables/reference';
export * from './tables/read-model';
export * from './tables/outbox';
export * from './tables/access';
export * from './tables/crisis';
export * from './tables/screening';
export * from './tables/care';
export * from './tables/integrity';
export * from './tables/indicators';
export * from './tables/archive';

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
  indicator_inputs: IndicatorInputRow;
  student_archives: StudentArchiveRow;
  archive_field_versions: ArchiveFieldVersionRow;
  archive_reviews: ArchiveReviewRow;
  archive_settings: ArchiveSettingsRow;
  archive_purges: ArchivePurgeRow;
  data_requests: DataRequestRow;
  student_payload_keys: StudentPayloadKeyRow;
}

export type TableName = keyof Tables;
