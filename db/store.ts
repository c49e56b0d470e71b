/**
 * The repository over the SQL database (docs/architecture.md "Who owns which truth"): reference data and the
 * read model, as one facade `createStore(db)` over the typed repositories of db/repositories/
 * (one per aggregate; table rows typed in db/tables.ts). TypeScript shapes are camelCase, SQL
 * columns snake_case; db/repositories/codec.ts maps one to the other.
 *
 * Workflow activities write only through idempotent calls (Temporal retries activities):
 * `applyTaskTransition` and `appendAudit` are keyed by the audit event key, notifications by
 * (event key, recipient, channel), and upserts are keyed by id.
 */
import type { Knex } from 'knex';
import { staleLedgerSeqs } from './repositories/ledger';
import { unreviewedKeyCareStudents } from './repositories/archive';
import { classTrainingOf } from './repositories/units-reports';
import { hasUnits } from './repositories/units';
import type { Role } from '../domain/schema';
import { getSchool, getCollege, listColleges, upsertCollege, upsertSchool } from './repositories/schools';
import type { CollegeInput, SchoolInput } from './repositories/schools';
import {
  findUserByUsername,
  getUser,
  listCollegeAudience,
  listUsers,
  upsertUser,
  type UserInput,
} from './repositories/users';
import { getTemplate, saveTemplate, type TemplateInput } from './repositories/templates';
import { getCalendar, saveCalendar, type CalendarInput } from './repositories/calendars';
import { getSemester, listSemesters, setSemesterStatus, upsertSemester } from './repositories/semesters';
import type { SemesterInput, SemesterStatus } from './repositories/semesters';
import { getTaskInstance, getTaskInstances, listTaskInstances, upsertPlannedTasks } from './repositories/tasks';
import type { PlannedTaskInput, TaskFilter, TaskTransition } from './repositories/tasks';
import { applyLadderSteps, applyTaskTransition, type LadderStepWrite } from './repositories/task-transitions';
import { appendAudit, appendAuditMany, listAudit, type AuditInput } from './repositories/audit';
import { listNotifications, markNotificationRead } from './repositories/inbox';
import { complianceByCollegeMonth } from './repositories/compliance';
import {
  clearWorkflowEnded,
  listEndedWorkflows,
  listOpenWorkflowRows,
  markWorkflowEnded,
} from './repositories/workflow-marks';
import type { MarkedWorkflowKind } from './repositories/workflow-marks';

export type { School, College, SchoolInput, CollegeInput } from './repositories/schools';
export type { User, UserInput } from './repositories/users';
export type { TemplateRecord, TemplateInput } from './repositories/templates';
export type { CalendarRecord, CalendarInput } from './repositories/calendars';
export { TASK_MODELS } from './repositories/semesters';
export type { Semester, SemesterInput, SemesterStatus, TaskModel } from './repositories/semesters';
export type { PlannedTaskInput, TaskFilter, TaskInstanceRow, TaskStatus, TaskTransition } from './repositories/tasks';
export type { LadderStepWrite } from './repositories/task-transitions';
export type { AuditEvent, AuditInput } from './repositories/audit';
export type { Notification } from './repositories/inbox';
export type { ComplianceRow } from './repositories/compliance';
export type {
  EndedWorkflowRow,
  MarkedWorkflowKind,
  OpenWorkflowRow,
  WorkflowRowKind,
} from './repositories/workflow-marks';

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
    listCollegeAudience: (schoolId: string, collegeId: string) => listCollegeAudience(db, schoolId, collegeId),
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
    /** key-care students (on the list since before `since`) whose archive has no review in [since, until] */
    unreviewedKeyCareStudents: (collegeId: string, since: number, until: number) =>
      unreviewedKeyCareStudents(db, collegeId, since, until),
    /** the classes of a college and whether their committee members' training is recorded (issue 16) */
    classTrainingOf: (semesterId: string, collegeId: string) => classTrainingOf(db, semesterId, collegeId),
    /** whether the school imported a roster of classes or dormitories (issue 16) */
    hasUnits: (schoolId: string) => hasUnits(db, schoolId),
  };
}

export type Store = ReturnType<typeof createStore>;
