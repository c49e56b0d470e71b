/**
 * The repository over the SQL database (DESIGN.md "Who owns which truth"): reference data and the
 * read model. TypeScript shapes are camelCase, SQL columns snake_case; the codecs below map one to
 * the other and normalise what the drivers differ on (SQLite booleans come back as 0/1).
 *
 * Workflow activities write only through idempotent calls (Temporal retries activities):
 * `applyTaskTransition` and `appendAudit` are keyed by the audit event key, notifications by
 * (event key, recipient, channel), and upserts are keyed by id.
 */
import type { Knex } from 'knex';
import { writeTransaction } from './knex';
import { staleLedgerSeqs } from './care';
import type { CollegeRole, Role, TaskKind } from '../domain/schema';
import { collegeLadderWorkflowId } from '../contracts/ids';

// ---------------------------------------------------------------------------------------------
// Row shapes

export type SemesterStatus = 'planned' | 'running' | 'closed';
/** How a semester's tasks run: one workflow per task, or one ladder per college (workflows/college-ladder.ts). */
export type TaskModel = 'per-task' | 'ladder';
export const TASK_MODELS: readonly TaskModel[] = ['per-task', 'ladder'];
export type TaskStatus = 'planned' | 'open' | 'overdue' | 'completed' | 'waived';

export interface School {
  id: string;
  name: string;
  nameEn: string;
  timezone: string;
  createdAt: number;
}

export interface College {
  id: string;
  schoolId: string;
  name: string;
  nameEn: string;
  sortOrder: number;
  active: boolean;
  createdAt: number;
}

export interface User {
  id: string;
  schoolId: string;
  collegeId: string | null;
  username: string;
  displayName: string;
  role: Role;
  email: string | null;
  /** only for login; never send it to a client. */
  passwordHash: string | null;
  active: boolean;
  createdAt: number;
}

export interface TemplateRecord {
  id: string;
  version: number;
  kind: string;
  titleZh: string;
  titleEn: string;
  /** the template JSON text. */
  body: string;
  sha256: string;
  createdAt: number;
}

export interface CalendarRecord {
  id: string;
  nameZh: string;
  /** the calendar JSON text. */
  body: string;
  sha256: string;
  createdAt: number;
}

export interface Semester {
  id: string;
  schoolId: string;
  calendarId: string;
  templateId: string;
  templateVersion: number;
  status: SemesterStatus;
  workflowId: string | null;
  createdAt: number;
  startedAt: number | null;
  /** chosen at creation and kept: a running semester finishes on the model it started with */
  taskModel: TaskModel;
}

export interface TaskInstanceRow {
  /** equals the task's Temporal workflow id. */
  id: string;
  semesterId: string;
  collegeId: string;
  templateTaskId: string;
  occurrence: string | null;
  /** YYYY-MM */
  month: string;
  kind: TaskKind;
  ownerRole: CollegeRole;
  titleZh: string;
  titleEn: string;
  openAt: number;
  dueAt: number;
  status: TaskStatus;
  escalationLevel: number;
  remindersSent: number;
  completedAt: number | null;
  completedBy: string | null;
  late: boolean;
  note: string | null;
  waivedReason: string | null;
  updatedAt: number;
}

export interface AuditEvent {
  id: number;
  /** idempotency key, e.g. "<workflowId>:<step>". */
  eventKey: string;
  subjectType: string;
  subjectId: string;
  action: string;
  /** 'timer', 'system' or a user id. */
  actor: string;
  at: number;
  details: unknown;
}

export interface Notification {
  id: number;
  eventKey: string;
  recipientUserId: string;
  channel: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  title: string;
  body: string;
  createdAt: number;
  readAt: number | null;
}

export interface ComplianceRow {
  collegeId: string;
  name: string;
  month: string;
  /** every task instance of the college and month; = onTime + late + open + overdue + waived. */
  planned: number;
  onTime: number;
  late: number;
  /** not closed, not marked overdue, and not yet due. */
  open: number;
  /** not closed, and past due (or already marked overdue by its workflow). */
  overdue: number;
  waived: number;
  /** escalation_level >= 1, whatever the status now. */
  escalated: number;
}

/** T with the keys K optional: what an upsert accepts (the database fills the rest). */
type Upsert<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type SchoolInput = Upsert<School, 'createdAt'>;
export type CollegeInput = Upsert<College, 'sortOrder' | 'active' | 'createdAt'>;
export type UserInput = Upsert<User, 'collegeId' | 'email' | 'passwordHash' | 'active' | 'createdAt'>;
export type TemplateInput = Upsert<TemplateRecord, 'createdAt'>;
export type CalendarInput = Upsert<CalendarRecord, 'createdAt'>;
export type SemesterInput = Upsert<Semester, 'status' | 'workflowId' | 'createdAt' | 'startedAt' | 'taskModel'>;
/** What the planner produces; progress fields start at their defaults. TaskInstanceRow fits. */
export type PlannedTaskInput = Upsert<
  Omit<
    TaskInstanceRow,
    'status' | 'escalationLevel' | 'remindersSent' | 'completedAt' | 'completedBy' | 'late' | 'note' | 'waivedReason'
  >,
  'occurrence' | 'updatedAt'
>;
export type AuditInput = Omit<AuditEvent, 'id' | 'details'> & { details?: unknown };

export interface TaskTransition {
  taskId: string;
  /** columns to change; id and updatedAt are ignored (updatedAt becomes audit.at). */
  patch: Partial<TaskInstanceRow>;
  audit: { eventKey: string; action: string; actor: string; at: number; details?: unknown };
  notifications: Array<{ recipientUserId: string; kind: string; title: string; body: string; channel?: string }>;
  /**
   * A return (退回) of a completion: the completed row is reopened (status, level, completed_at and
   * completed_by written although the row is closed). Without it a closed row keeps its status.
   */
  reopen?: boolean;
}

export interface TaskFilter {
  semesterId?: string;
  collegeId?: string;
  status?: TaskStatus[];
  month?: string;
}

// ---------------------------------------------------------------------------------------------
// Codecs: camelCase field -> [snake_case column, how to read it back]

type Kind = 'text' | 'int' | 'bool' | 'json';
type Codec<T> = { [K in keyof T]-?: readonly [column: string, kind: Kind] };
type DbRow = Record<string, unknown>;

function fromDb<T>(codec: Codec<T>, row: DbRow): T {
  const out: Record<string, unknown> = {};
  for (const [field, [column, kind]] of Object.entries(codec) as Array<[string, readonly [string, Kind]]>) {
    out[field] = readValue(row[column], kind);
  }
  return out as T;
}

function readValue(value: unknown, kind: Kind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'int':
      return Number(value); // defensive: a pg knex not made by createKnex returns int8 as string
    case 'bool':
      return value === true || value === 1 || value === '1';
    case 'json':
      return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    default:
      return value;
  }
}

/** Only the fields present (not undefined) become columns, so an upsert leaves the rest alone. */
function toDb<T>(codec: Codec<T>, obj: Partial<T>): DbRow {
  const out: DbRow = {};
  for (const [field, value] of Object.entries(obj)) {
    const spec = (codec as Record<string, readonly [string, Kind] | undefined>)[field];
    if (!spec || value === undefined) continue;
    out[spec[0]] = spec[1] === 'json' ? JSON.stringify(value) : value;
  }
  return out;
}

const schoolCodec: Codec<School> = {
  id: ['id', 'text'],
  name: ['name', 'text'],
  nameEn: ['name_en', 'text'],
  timezone: ['timezone', 'text'],
  createdAt: ['created_at', 'int'],
};

const collegeCodec: Codec<College> = {
  id: ['id', 'text'],
  schoolId: ['school_id', 'text'],
  name: ['name', 'text'],
  nameEn: ['name_en', 'text'],
  sortOrder: ['sort_order', 'int'],
  active: ['active', 'bool'],
  createdAt: ['created_at', 'int'],
};

const userCodec: Codec<User> = {
  id: ['id', 'text'],
  schoolId: ['school_id', 'text'],
  collegeId: ['college_id', 'text'],
  username: ['username', 'text'],
  displayName: ['display_name', 'text'],
  role: ['role', 'text'],
  email: ['email', 'text'],
  passwordHash: ['password_hash', 'text'],
  active: ['active', 'bool'],
  createdAt: ['created_at', 'int'],
};

const templateCodec: Codec<TemplateRecord> = {
  id: ['id', 'text'],
  version: ['version', 'int'],
  kind: ['kind', 'text'],
  titleZh: ['title_zh', 'text'],
  titleEn: ['title_en', 'text'],
  body: ['body', 'text'],
  sha256: ['sha256', 'text'],
  createdAt: ['created_at', 'int'],
};

const calendarCodec: Codec<CalendarRecord> = {
  id: ['id', 'text'],
  nameZh: ['name_zh', 'text'],
  body: ['body', 'text'],
  sha256: ['sha256', 'text'],
  createdAt: ['created_at', 'int'],
};

const semesterCodec: Codec<Semester> = {
  id: ['id', 'text'],
  schoolId: ['school_id', 'text'],
  calendarId: ['calendar_id', 'text'],
  templateId: ['template_id', 'text'],
  templateVersion: ['template_version', 'int'],
  status: ['status', 'text'],
  workflowId: ['workflow_id', 'text'],
  createdAt: ['created_at', 'int'],
  startedAt: ['started_at', 'int'],
  taskModel: ['task_model', 'text'],
};

const taskCodec: Codec<TaskInstanceRow> = {
  id: ['id', 'text'],
  semesterId: ['semester_id', 'text'],
  collegeId: ['college_id', 'text'],
  templateTaskId: ['template_task_id', 'text'],
  occurrence: ['occurrence', 'text'],
  month: ['month', 'text'],
  kind: ['kind', 'text'],
  ownerRole: ['owner_role', 'text'],
  titleZh: ['title_zh', 'text'],
  titleEn: ['title_en', 'text'],
  openAt: ['open_at', 'int'],
  dueAt: ['due_at', 'int'],
  status: ['status', 'text'],
  escalationLevel: ['escalation_level', 'int'],
  remindersSent: ['reminders_sent', 'int'],
  completedAt: ['completed_at', 'int'],
  completedBy: ['completed_by', 'text'],
  late: ['late', 'bool'],
  note: ['note', 'text'],
  waivedReason: ['waived_reason', 'text'],
  updatedAt: ['updated_at', 'int'],
};

const auditCodec: Codec<AuditEvent> = {
  id: ['id', 'int'],
  eventKey: ['event_key', 'text'],
  subjectType: ['subject_type', 'text'],
  subjectId: ['subject_id', 'text'],
  action: ['action', 'text'],
  actor: ['actor', 'text'],
  at: ['at', 'int'],
  details: ['details', 'json'],
};

const notificationCodec: Codec<Notification> = {
  id: ['id', 'int'],
  eventKey: ['event_key', 'text'],
  recipientUserId: ['recipient_user_id', 'text'],
  channel: ['channel', 'text'],
  kind: ['kind', 'text'],
  subjectType: ['subject_type', 'text'],
  subjectId: ['subject_id', 'text'],
  title: ['title', 'text'],
  body: ['body', 'text'],
  createdAt: ['created_at', 'int'],
  readAt: ['read_at', 'int'],
};

// ---------------------------------------------------------------------------------------------
// Generic helpers

/** Keeps SQLite below its bound-variable limit (999 on old builds) whatever the column count. */
const SQLITE_MAX_VARIABLES = 900;

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Inserts `row`, or on conflict updates the columns it carries except the conflict keys and
 * `insertOnly` (e.g. created_at). Columns absent from `row` are never touched.
 */
async function upsertRow(
  db: Knex,
  table: string,
  row: DbRow,
  conflict: string[],
  insertOnly: string[] = [],
): Promise<void> {
  const mergeColumns = Object.keys(row).filter((c) => !conflict.includes(c) && !insertOnly.includes(c));
  const insert = db(table).insert(row).onConflict(conflict);
  await (mergeColumns.length > 0 ? insert.merge(mergeColumns) : insert.ignore());
}

/** INSERT … ON CONFLICT DO NOTHING; true when the row was inserted. */
async function insertIfAbsent(
  db: Knex | Knex.Transaction,
  table: string,
  row: DbRow,
  conflict: string[],
): Promise<boolean> {
  const inserted = (await db(table).insert(row).onConflict(conflict).ignore().returning(conflict)) as unknown[];
  return inserted.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Reference data

async function upsertSchool(db: Knex, s: SchoolInput): Promise<void> {
  await upsertRow(db, 'schools', { created_at: Date.now(), ...toDb(schoolCodec, s) }, ['id'], ['created_at']);
}

async function getSchool(db: Knex, id: string): Promise<School | undefined> {
  const row = (await db('schools').where({ id }).first()) as DbRow | undefined;
  return row && fromDb(schoolCodec, row);
}

async function upsertCollege(db: Knex, c: CollegeInput): Promise<void> {
  await upsertRow(db, 'colleges', { created_at: Date.now(), ...toDb(collegeCodec, c) }, ['id'], ['created_at']);
}

/** Active colleges of a school, in display order. */
async function listColleges(db: Knex, schoolId: string): Promise<College[]> {
  const rows = (await db('colleges')
    .where({ school_id: schoolId, active: true })
    .orderBy(['sort_order', 'name'])) as DbRow[];
  return rows.map((r) => fromDb(collegeCodec, r));
}

async function getCollege(db: Knex, id: string): Promise<College | undefined> {
  const row = (await db('colleges').where({ id }).first()) as DbRow | undefined;
  return row && fromDb(collegeCodec, row);
}

/** Upsert by id; fields left undefined (e.g. passwordHash) keep their stored value. */
async function upsertUser(db: Knex, u: UserInput): Promise<void> {
  await upsertRow(db, 'users', { created_at: Date.now(), ...toDb(userCodec, u) }, ['id'], ['created_at']);
}

async function findUserByUsername(db: Knex, username: string): Promise<User | undefined> {
  const row = (await db('users').where({ username }).first()) as DbRow | undefined;
  return row && fromDb(userCodec, row);
}

async function getUser(db: Knex, id: string): Promise<User | undefined> {
  const row = (await db('users').where({ id }).first()) as DbRow | undefined;
  return row && fromDb(userCodec, row);
}

async function listUsers(
  db: Knex,
  filter: { schoolId?: string; collegeId?: string; role?: Role } = {},
): Promise<User[]> {
  const q = db('users').orderBy(['display_name', 'id']);
  if (filter.schoolId !== undefined) q.where('school_id', filter.schoolId);
  if (filter.collegeId !== undefined) q.where('college_id', filter.collegeId);
  if (filter.role !== undefined) q.where('role', filter.role);
  return ((await q) as DbRow[]).map((r) => fromDb(userCodec, r));
}

/**
 * Saves a template version. Versions are immutable: saving the same id, version and content again
 * is a no-op; saving different content under an existing id and version is an error.
 */
async function saveTemplate(db: Knex, t: TemplateInput): Promise<'inserted' | 'unchanged'> {
  const row = { created_at: Date.now(), ...toDb(templateCodec, t) };
  if (await insertIfAbsent(db, 'templates', row, ['id', 'version'])) return 'inserted';
  const existing = await getTemplate(db, t.id, t.version);
  if (existing?.sha256 === t.sha256) return 'unchanged';
  throw new Error(
    `template ${t.id} version ${t.version} already exists with different content ` +
      `(stored sha256 ${existing?.sha256 ?? '?'}, new ${t.sha256}); save the change as a new version`,
  );
}

/** The given version, or the latest one when no version is given. */
async function getTemplate(db: Knex, id: string, version?: number): Promise<TemplateRecord | undefined> {
  const q = db('templates').where({ id });
  if (version !== undefined) q.where({ version });
  const row = (await q.orderBy('version', 'desc').first()) as DbRow | undefined;
  return row && fromDb(templateCodec, row);
}

/** Calendars are not versioned: a changed body (a corrected holiday, say) replaces the stored one. */
async function saveCalendar(db: Knex, c: CalendarInput): Promise<'inserted' | 'unchanged' | 'updated'> {
  const row = { created_at: Date.now(), ...toDb(calendarCodec, c) };
  if (await insertIfAbsent(db, 'calendars', row, ['id'])) return 'inserted';
  const existing = await getCalendar(db, c.id);
  if (existing?.sha256 === c.sha256) return 'unchanged';
  await db('calendars').where({ id: c.id }).update({ name_zh: c.nameZh, body: c.body, sha256: c.sha256 });
  return 'updated';
}

async function getCalendar(db: Knex, id: string): Promise<CalendarRecord | undefined> {
  const row = (await db('calendars').where({ id }).first()) as DbRow | undefined;
  return row && fromDb(calendarCodec, row);
}

// ---------------------------------------------------------------------------------------------
// Semesters

/**
 * Inserts a semester or updates its definition (school, calendar, template). status, workflowId
 * and startedAt are taken only on insert; later changes go through setSemesterStatus.
 */
async function upsertSemester(db: Knex, s: SemesterInput): Promise<void> {
  const row = { created_at: Date.now(), ...toDb(semesterCodec, s) };
  await upsertRow(db, 'semesters', row, ['id'], ['created_at', 'status', 'workflow_id', 'started_at', 'task_model']);
}

async function getSemester(db: Knex, id: string): Promise<Semester | undefined> {
  const row = (await db('semesters').where({ id }).first()) as DbRow | undefined;
  return row && fromDb(semesterCodec, row);
}

async function listSemesters(db: Knex, schoolId: string): Promise<Semester[]> {
  const rows = (await db('semesters').where({ school_id: schoolId }).orderBy(['created_at', 'id'])) as DbRow[];
  return rows.map((r) => fromDb(semesterCodec, r));
}

async function setSemesterStatus(
  db: Knex,
  id: string,
  status: SemesterStatus,
  fields: { workflowId?: string | null; startedAt?: number | null } = {},
): Promise<void> {
  const updated = await db('semesters')
    .where({ id })
    .update(toDb(semesterCodec, { status, ...fields }));
  if (updated === 0) throw new Error(`semester ${id} not found`);
}

// ---------------------------------------------------------------------------------------------
// Task instances

/** Columns a re-plan may refresh, and only while the task is still 'planned'. */
const REPLAN_COLUMNS = ['title_zh', 'title_en', 'open_at', 'due_at', 'updated_at'];

/**
 * Inserts planned task instances (status 'planned', no progress). An existing row keeps its status
 * and completion; only while it is still 'planned' are its titles and open/due instants refreshed.
 */
async function upsertPlannedTasks(db: Knex, rows: PlannedTaskInput[]): Promise<void> {
  const now = Date.now();
  const dbRows = rows.map((r) => plannedRow(r, now));
  const first = dbRows[0];
  if (!first) return;
  const size = Math.max(1, Math.floor(SQLITE_MAX_VARIABLES / Object.keys(first).length));
  await db.transaction(async (trx) => {
    for (const part of chunk(dbRows, size)) {
      await trx('task_instances')
        .insert(part)
        .onConflict('id')
        .merge(REPLAN_COLUMNS)
        .where('task_instances.status', 'planned');
    }
  });
}

/** The row of a freshly planned task: only the plan's fields; progress columns take their defaults. */
function plannedRow(r: PlannedTaskInput, now: number): DbRow {
  const plan: PlannedTaskInput = {
    id: r.id,
    semesterId: r.semesterId,
    collegeId: r.collegeId,
    templateTaskId: r.templateTaskId,
    occurrence: r.occurrence ?? null,
    month: r.month,
    kind: r.kind,
    ownerRole: r.ownerRole,
    titleZh: r.titleZh,
    titleEn: r.titleEn,
    openAt: r.openAt,
    dueAt: r.dueAt,
    updatedAt: r.updatedAt ?? now,
  };
  return { ...toDb(taskCodec, plan), status: 'planned' };
}

/**
 * One transition of a task workflow, in one transaction: the audit event (its key makes the call
 * idempotent), the task row patch and the notifications. The audit row is inserted first with
 * ON CONFLICT DO NOTHING, so a retry or a concurrent duplicate finds the key taken (PostgreSQL
 * waits for the other transaction to commit; SQLite serialises writers) and changes nothing.
 * Inserting first also means a SQLite transaction starts with a write, so busy_timeout applies.
 */
const CLOSED = new Set<string>(['completed', 'waived']);

async function applyTaskTransition(db: Knex, t: TaskTransition): Promise<{ applied: boolean }> {
  return db.transaction(async (trx) => {
    const audit = toDb(auditCodec, { ...t.audit, subjectType: 'task', subjectId: t.taskId });
    if (!(await insertIfAbsent(trx, 'audit_events', audit, ['event_key']))) return { applied: false };

    const patch = { ...t.patch };
    delete patch.id;
    delete patch.updatedAt;
    // Completed and waived are final for the steps of the ladder: a timer step the workflow recorded
    // before a completion may be written after it (the two activities run at once), and must not
    // reopen the task. A later closing step, or a restart, still writes (status closed, or none).
    if (patch.status !== undefined && !CLOSED.has(patch.status)) {
      const current = (await trx('task_instances').where({ id: t.taskId }).first('status')) as
        { status: string } | undefined;
      if (!current) throw new Error(`task instance ${t.taskId} not found`); // rolls back the audit row
      if (CLOSED.has(current.status) && !(t.reopen && current.status === 'completed')) {
        for (const k of ['status', 'completedAt', 'completedBy', 'late', 'waivedReason', 'note'] as const)
          delete patch[k];
      }
    }
    const updated = await trx('task_instances')
      .where({ id: t.taskId })
      .update({ ...toDb(taskCodec, patch), updated_at: t.audit.at });
    if (updated === 0) throw new Error(`task instance ${t.taskId} not found`); // rolls back the audit row

    await insertNotifications(trx, t);
    return { applied: true };
  });
}

async function insertNotifications(trx: Knex.Transaction, t: TaskTransition): Promise<void> {
  if (t.notifications.length === 0) return;
  const rows = t.notifications.map((n) => ({
    event_key: t.audit.eventKey,
    recipient_user_id: n.recipientUserId,
    channel: n.channel ?? 'inbox',
    kind: n.kind,
    subject_type: 'task',
    subject_id: t.taskId,
    title: n.title,
    body: n.body,
    created_at: t.audit.at,
  }));
  await trx('notifications').insert(rows).onConflict(['event_key', 'recipient_user_id', 'channel']).ignore();
}

/** One step of a task moved by a college ladder (workflows/college-ladder.ts): a TaskTransition of a timer step. */
export interface LadderStepWrite {
  taskId: string;
  audit: { eventKey: string; action: string; actor: string; at: number; details?: unknown };
  patch: Pick<TaskInstanceRow, 'status' | 'escalationLevel' | 'remindersSent' | 'dueAt'>;
  notifications: TaskTransition['notifications'];
}

/** audit rows have 8 columns, notifications 9: chunks far below SQLite's bound-variable limit */
const LADDER_CHUNK = 90;

/**
 * Every step of a ladder instant in one transaction, set-based: the audit events are inserted in
 * chunks with ON CONFLICT DO NOTHING (their keys are the per-task model's: `<taskId>/<step>`), and
 * only the steps whose event was inserted now are applied: one UPDATE per group of steps with the
 * same instant, action and resulting columns, then the inbox rows in chunks. A retry, a replayed
 * activity or a step the per-task model already recorded changes nothing. A task that is completed
 * or waived (a completion that won the race with the timer) gets no step: no event, no row change.
 * `steps` are in ladder order (instant, then opened, reminded, overdue, escalated); a task's later
 * step is applied after its earlier one. Returns the event keys applied now.
 */
async function applyLadderSteps(db: Knex, steps: LadderStepWrite[]): Promise<{ applied: string[] }> {
  if (steps.length === 0) return { applied: [] };
  return writeTransaction(db, async (trx) => {
    const ids = [...new Set(steps.map((x) => x.taskId))];
    const closed = new Set<string>();
    for (const part of chunk(ids, SQLITE_MAX_VARIABLES - 2)) {
      // PostgreSQL: the rows stay locked until commit, so a completion cannot slip in between
      const q = trx('task_instances').whereIn('id', part).select('id', 'status');
      if (db.client.config.client === 'pg') q.forUpdate();
      for (const r of (await q) as Array<{ id: string; status: string }>)
        if (r.status === 'completed' || r.status === 'waived') closed.add(r.id);
    }
    const live = steps.filter((x) => !closed.has(x.taskId));
    const applied = new Set<string>();
    for (const part of chunk(live, LADDER_CHUNK)) {
      const rows = part.map((x) => toDb(auditCodec, { ...x.audit, subjectType: 'task', subjectId: x.taskId }));
      const inserted = (await trx('audit_events')
        .insert(rows)
        .onConflict('event_key')
        .ignore()
        .returning('event_key')) as Array<{ event_key: string } | string>;
      for (const r of inserted) applied.add(typeof r === 'string' ? r : r.event_key);
    }
    const now = live.filter((x) => applied.has(x.audit.eventKey));
    // groups in order of first appearance: a task's steps fall in groups that follow each other
    const groups = new Map<string, { patch: DbRow; ids: string[] }>();
    for (const x of now) {
      const patch = { ...toDb(taskCodec, x.patch), updated_at: x.audit.at };
      const key = `${x.audit.at}|${x.audit.action}|${JSON.stringify(patch)}`;
      const g = groups.get(key);
      if (g) g.ids.push(x.taskId);
      else groups.set(key, { patch, ids: [x.taskId] });
    }
    for (const g of groups.values()) {
      for (const part of chunk(g.ids, SQLITE_MAX_VARIABLES - 10)) {
        await trx('task_instances').whereIn('id', part).whereNotIn('status', ['completed', 'waived']).update(g.patch);
      }
    }
    const notes = now.flatMap((x) =>
      x.notifications.map((n) => ({
        event_key: x.audit.eventKey,
        recipient_user_id: n.recipientUserId,
        channel: n.channel ?? 'inbox',
        kind: n.kind,
        subject_type: 'task',
        subject_id: x.taskId,
        title: n.title,
        body: n.body,
        created_at: x.audit.at,
      })),
    );
    for (const part of chunk(notes, LADDER_CHUNK)) {
      await trx('notifications').insert(part).onConflict(['event_key', 'recipient_user_id', 'channel']).ignore();
    }
    return { applied: now.map((x) => x.audit.eventKey) };
  });
}

/** The rows of the given tasks (any order), in chunks. */
async function getTaskInstances(db: Knex, ids: string[]): Promise<TaskInstanceRow[]> {
  const out: TaskInstanceRow[] = [];
  for (const part of chunk([...new Set(ids)], SQLITE_MAX_VARIABLES)) {
    out.push(...((await db('task_instances').whereIn('id', part)) as DbRow[]).map((r) => fromDb(taskCodec, r)));
  }
  return out;
}

async function listTaskInstances(db: Knex, filter: TaskFilter = {}): Promise<TaskInstanceRow[]> {
  const q = db('task_instances').orderBy(['due_at', 'id']);
  if (filter.semesterId !== undefined) q.where('semester_id', filter.semesterId);
  if (filter.collegeId !== undefined) q.where('college_id', filter.collegeId);
  if (filter.month !== undefined) q.where('month', filter.month);
  if (filter.status !== undefined) q.whereIn('status', filter.status);
  return ((await q) as DbRow[]).map((r) => fromDb(taskCodec, r));
}

async function getTaskInstance(db: Knex, id: string): Promise<TaskInstanceRow | undefined> {
  const row = (await db('task_instances').where({ id }).first()) as DbRow | undefined;
  return row && fromDb(taskCodec, row);
}

// ---------------------------------------------------------------------------------------------
// Audit log and notifications

/** Appends an audit event unless its key is already there; true when it was appended. */
async function appendAudit(db: Knex, e: AuditInput): Promise<boolean> {
  return insertIfAbsent(db, 'audit_events', toDb(auditCodec, e), ['event_key']);
}

/** Appends many audit events with fresh keys, in chunks (an audited read of a list of students). */
async function appendAuditMany(db: Knex, events: AuditInput[]): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    await db('audit_events')
      .insert(events.slice(i, i + 200).map((e) => toDb(auditCodec, e)))
      .onConflict('event_key')
      .ignore();
  }
}

async function listAudit(db: Knex, filter: { subjectType: string; subjectId: string }): Promise<AuditEvent[]> {
  const rows = (await db('audit_events')
    .where({ subject_type: filter.subjectType, subject_id: filter.subjectId })
    .orderBy(['at', 'id'])) as DbRow[];
  return rows.map((r) => fromDb(auditCodec, r));
}

/** A user's inbox, newest first. */
async function listNotifications(
  db: Knex,
  userId: string,
  opts: { unreadOnly?: boolean } = {},
): Promise<Notification[]> {
  const q = db('notifications')
    .where({ recipient_user_id: userId })
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  if (opts.unreadOnly) q.whereNull('read_at');
  return ((await q) as DbRow[]).map((r) => fromDb(notificationCodec, r));
}

/** Marks one of the user's notifications read; false if it is not theirs or already read. */
async function markNotificationRead(db: Knex, id: number, userId: string, at = Date.now()): Promise<boolean> {
  const updated = await db('notifications')
    .where({ id, recipient_user_id: userId })
    .whereNull('read_at')
    .update({ read_at: at });
  return updated > 0;
}

// ---------------------------------------------------------------------------------------------
// Dashboard queries

/**
 * Compliance per college and month of a semester, as of `nowMs`. Every task falls in exactly one
 * of onTime, late, open, overdue, waived. "Overdue" uses the clock as well as the status, so a
 * task whose workflow has not yet recorded the deadline still counts as overdue once it is due.
 * Colleges without task instances in the semester have no rows.
 */
async function complianceByCollegeMonth(db: Knex, semesterId: string, nowMs: number): Promise<ComplianceRow[]> {
  const notClosed = "t.status not in ('completed', 'waived')";
  // Aggregate the task rows first (in index order), then join the few grouped rows to colleges
  // and sort those: joining before grouping sorted every task row.
  const grouped = db('task_instances as t')
    .where('t.semester_id', semesterId)
    .groupBy('t.college_id', 't.month')
    .select(
      't.college_id',
      't.month',
      db.raw('count(*) as "planned"'),
      db.raw(`sum(case when t.status = 'completed' and not t.late then 1 else 0 end) as "on_time"`),
      db.raw(`sum(case when t.status = 'completed' and t.late then 1 else 0 end) as "late"`),
      db.raw(`sum(case when ${notClosed} and t.status <> 'overdue' and t.due_at > ? then 1 else 0 end) as "open"`, [
        nowMs,
      ]),
      db.raw(`sum(case when ${notClosed} and (t.status = 'overdue' or t.due_at <= ?) then 1 else 0 end) as "overdue"`, [
        nowMs,
      ]),
      db.raw(`sum(case when t.status = 'waived' then 1 else 0 end) as "waived"`),
      db.raw('sum(case when t.escalation_level >= 1 then 1 else 0 end) as "escalated"'),
    )
    .as('g');
  const rows = (await db
    .from(grouped)
    .join('colleges as c', 'c.id', 'g.college_id')
    .orderBy([{ column: 'c.sort_order' }, { column: 'c.name' }, { column: 'g.month' }])
    .select('g.*', 'c.name')) as DbRow[];
  return rows.map((r) => ({
    collegeId: String(r.college_id),
    name: String(r.name),
    month: String(r.month),
    planned: Number(r.planned),
    onTime: Number(r.on_time),
    late: Number(r.late),
    open: Number(r.open),
    overdue: Number(r.overdue),
    waived: Number(r.waived),
    escalated: Number(r.escalated),
  }));
}

// ---------------------------------------------------------------------------------------------

/** Read-model rows the app can notice as stopped outside it (issue 10, finding 3): marked in their own table. */
export type MarkedWorkflowKind = 'task' | 'crisis';
/** Every kind of the app's workflows with an open row in the read model (pairing and screening are listed, not marked). */
export type WorkflowRowKind = MarkedWorkflowKind | 'pairing' | 'screening';

/** A task or case whose workflow ended without the app closing it, as marked in the read model. */
export interface EndedWorkflowRow {
  kind: MarkedWorkflowKind;
  id: string;
  collegeId: string;
  /** the task's title (Chinese and English), or the case's situation */
  titleZh: string;
  titleEn: string;
  /** when the app noticed it (epoch ms) */
  noticedAt: number;
  /** how it ended: TERMINATED, CANCELLED, FAILED, TIMED_OUT (or 'stopped-outside-the-app') */
  endStatus: string;
}

/** An open row of the read model and the workflow id that should be running for it. */
export interface OpenWorkflowRow {
  kind: WorkflowRowKind;
  id: string;
  collegeId: string;
  workflowId: string;
}

const MARKED_TABLE: Record<MarkedWorkflowKind, string> = { task: 'task_instances', crisis: 'crisis_cases' };

/** Marks a row whose workflow ended outside the app; keeps the first notice. True when it was not marked before. */
async function markWorkflowEnded(
  db: Knex,
  kind: MarkedWorkflowKind,
  id: string,
  mark: { at: number; status: string },
): Promise<boolean> {
  const n = await db(MARKED_TABLE[kind])
    .where({ id })
    .whereNull('workflow_ended_at')
    .update({ workflow_ended_at: mark.at, workflow_end_status: mark.status });
  return n > 0;
}

/** Clears the mark when the row's workflow runs again (a restart). */
async function clearWorkflowEnded(db: Knex, kind: MarkedWorkflowKind, id: string): Promise<void> {
  await db(MARKED_TABLE[kind]).where({ id }).update({ workflow_ended_at: null, workflow_end_status: null });
}

/** The school's still-open tasks and cases marked as stopped outside the app, most recently noticed first. */
async function listEndedWorkflows(db: Knex, schoolId: string): Promise<EndedWorkflowRow[]> {
  const tasks = (await db('task_instances as t')
    .join('semesters as s', 's.id', 't.semester_id')
    .where('s.school_id', schoolId)
    .whereNotNull('t.workflow_ended_at')
    .whereNotIn('t.status', ['completed', 'waived'])
    .select(
      't.id',
      't.college_id',
      't.title_zh',
      't.title_en',
      't.workflow_ended_at',
      't.workflow_end_status',
    )) as DbRow[];
  const cases = (await db('crisis_cases as c')
    .join('colleges as k', 'k.id', 'c.college_id')
    .where('k.school_id', schoolId)
    .whereNotNull('c.workflow_ended_at')
    .whereNot('c.status', 'closed')
    .select('c.id', 'c.college_id', 'c.situation', 'c.workflow_ended_at', 'c.workflow_end_status')) as DbRow[];
  return [
    ...tasks.map((r) => ({
      kind: 'task' as const,
      id: String(r.id),
      collegeId: String(r.college_id),
      titleZh: String(r.title_zh),
      titleEn: String(r.title_en ?? r.title_zh),
      noticedAt: Number(r.workflow_ended_at),
      endStatus: String(r.workflow_end_status ?? ''),
    })),
    ...cases.map((r) => ({
      kind: 'crisis' as const,
      id: String(r.id),
      collegeId: String(r.college_id),
      titleZh: String(r.situation),
      titleEn: String(r.situation),
      noticedAt: Number(r.workflow_ended_at),
      endStatus: String(r.workflow_end_status ?? ''),
    })),
  ].sort((a, b) => b.noticedAt - a.noticedAt || a.id.localeCompare(b.id));
}

/** The school's rows that are open in the read model, so their workflow should be running (not yet marked as stopped). */
async function listOpenWorkflowRows(db: Knex, schoolId: string): Promise<OpenWorkflowRow[]> {
  const tasks = (await db('task_instances as t')
    .join('semesters as s', 's.id', 't.semester_id')
    .where('s.school_id', schoolId)
    .whereIn('t.status', ['open', 'overdue'])
    .whereNull('t.workflow_ended_at')
    .select('t.id', 't.college_id', 't.semester_id', 's.task_model')) as DbRow[];
  const ofSchool = (table: string) =>
    db(`${table} as x`).join('colleges as k', 'k.id', 'x.college_id').where('k.school_id', schoolId);
  const cases = (await ofSchool('crisis_cases')
    .whereNot('x.status', 'closed')
    .whereNull('x.workflow_ended_at')
    .select('x.id', 'x.college_id')) as DbRow[];
  const pairings = (await ofSchool('pairings').where('x.status', 'active').select('x.id', 'x.college_id')) as DbRow[];
  const warnings = (await ofSchool('screening_warnings')
    .where('x.status', 'open')
    .select('x.id', 'x.college_id')) as DbRow[];
  const rows = (kind: WorkflowRowKind, list: DbRow[], workflowId: (id: string) => string) =>
    list.map((r) => ({
      kind,
      id: String(r.id),
      collegeId: String(r.college_id),
      workflowId: workflowId(String(r.id)),
    }));
  // a ladder semester's tasks run in their college's ladder workflow (ADR 0005); a per-task one's in their own
  const taskWorkflowIds = new Map(
    tasks.map((r) => [
      String(r.id),
      r.task_model === 'ladder' ? collegeLadderWorkflowId(String(r.semester_id), String(r.college_id)) : String(r.id),
    ]),
  );
  return [
    ...rows('task', tasks, (id) => taskWorkflowIds.get(id)!),
    ...rows('crisis', cases, (id) => `crisis.${id}`),
    ...rows('pairing', pairings, (id) => `pairing.${id}`),
    ...rows('screening', warnings, (id) => `screening.${id}`),
  ];
}

export function createStore(db: Knex) {
  return {
    /** Throws when the database cannot be reached. */
    async ping(): Promise<void> {
      await db.raw('select 1');
    },
    upsertSchool: (s: SchoolInput) => upsertSchool(db, s),
    getSchool: (id: string) => getSchool(db, id),
    upsertCollege: (c: CollegeInput) => upsertCollege(db, c),
    listColleges: (schoolId: string) => listColleges(db, schoolId),
    getCollege: (id: string) => getCollege(db, id),
    upsertUser: (u: UserInput) => upsertUser(db, u),
    findUserByUsername: (username: string) => findUserByUsername(db, username),
    getUser: (id: string) => getUser(db, id),
    listUsers: (filter?: { schoolId?: string; collegeId?: string; role?: Role }) => listUsers(db, filter),
    saveTemplate: (t: TemplateInput) => saveTemplate(db, t),
    getTemplate: (id: string, version?: number) => getTemplate(db, id, version),
    saveCalendar: (c: CalendarInput) => saveCalendar(db, c),
    getCalendar: (id: string) => getCalendar(db, id),
    upsertSemester: (s: SemesterInput) => upsertSemester(db, s),
    getSemester: (id: string) => getSemester(db, id),
    listSemesters: (schoolId: string) => listSemesters(db, schoolId),
    setSemesterStatus: (
      id: string,
      status: SemesterStatus,
      fields?: { workflowId?: string | null; startedAt?: number | null },
    ) => setSemesterStatus(db, id, status, fields),
    upsertPlannedTasks: (rows: PlannedTaskInput[]) => upsertPlannedTasks(db, rows),
    applyTaskTransition: (t: TaskTransition) => applyTaskTransition(db, t),
    applyLadderSteps: (steps: LadderStepWrite[]) => applyLadderSteps(db, steps),
    getTaskInstances: (ids: string[]) => getTaskInstances(db, ids),
    listTaskInstances: (filter?: TaskFilter) => listTaskInstances(db, filter),
    getTaskInstance: (id: string) => getTaskInstance(db, id),
    appendAudit: (e: AuditInput) => appendAudit(db, e),
    appendAuditMany: (events: AuditInput[]) => appendAuditMany(db, events),
    listAudit: (filter: { subjectType: string; subjectId: string }) => listAudit(db, filter),
    listNotifications: (userId: string, opts?: { unreadOnly?: boolean }) => listNotifications(db, userId, opts),
    markNotificationRead: (id: number, userId: string, at?: number) => markNotificationRead(db, id, userId, at),
    complianceByCollegeMonth: (semesterId: string, nowMs: number) => complianceByCollegeMonth(db, semesterId, nowMs),
    markWorkflowEnded: (kind: MarkedWorkflowKind, id: string, mark: { at: number; status: string }) =>
      markWorkflowEnded(db, kind, id, mark),
    clearWorkflowEnded: (kind: MarkedWorkflowKind, id: string) => clearWorkflowEnded(db, kind, id),
    listEndedWorkflows: (schoolId: string) => listEndedWorkflows(db, schoolId),
    listOpenWorkflowRows: (schoolId: string) => listOpenWorkflowRows(db, schoolId),
    staleLedgerSeqs: (collegeId: string, since: number, until: number) => staleLedgerSeqs(db, collegeId, since, until),
  };
}

export type Store = ReturnType<typeof createStore>;
