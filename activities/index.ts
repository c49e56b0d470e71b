/**
 * Activities: the only way workflows touch the SQL read model, the audit log and notifications.
 * Built by a factory so tests pass fakes and the worker passes the real store. Every activity
 * is idempotent: its writes are keyed by workflow id and step, because Temporal retries them.
 */
import { Context } from '@temporalio/activity';
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Store, TaskInstanceRow } from '../db/store';
import { parseCalendar, parseTemplate } from '../domain/load';
import { planSemester, shiftPlan } from '../domain/planner';
import type { Role } from '../domain/schema';
import { CollegeIdKey, SemesterIdKey, TaskKindKey } from '../contracts/search-attributes';
import type { EventStep } from '../contracts/events';
import type { TaskInput, TaskState } from '../contracts/task';
import { formatLocal } from '../domain/local-time';
import { integrityOf, replaceForgedRun, type Integrity } from '../codec/signing';
import { t as texts } from '../server/platform/i18n';

/** The notification texts of the one catalogue (written in Chinese only today). */
const NOTICES = texts('zh-CN').notifications;

export type Audience = 'assignees' | 'college' | 'school';

/** One transition of a task workflow. */
export interface TaskEvent extends EventStep<Audience> {
  task: TaskInput;
  /** the workflow's state after the transition */
  state: TaskState;
}

export const KIND_BY_ACTION: Record<string, string> = {
  opened: 'opened',
  reminded: 'reminder',
  overdue: 'escalation_l1',
  escalated: 'escalation_l2',
  'due-moved': 'due_moved',
};

/** The inbox text of a task step (also the ladder's: activities/ladder.ts); the words are in the i18n catalogue. */
export const taskMessage = NOTICES.tasks.message;

export interface ActivityDeps {
  store: Store;
  /** starts task workflows (startTaskWorkflows); the worker's own client */
  client?: Client;
  /**
   * Simulation only: added to every planned instant, so a past semester can run on the
   * time-skipping server (whose clock starts now). Whole days keep local times of day.
   */
  planShiftMs?: number;
  /** the app's keys (default: those of `client`): a forged run under a planned id is replaced */
  integrity?: Integrity;
}

/** The read-model columns a task's workflow state sets (both task models), with the completion note when given. */
export function taskStatePatch(state: TaskState, note?: unknown): Partial<TaskInstanceRow> {
  const patch: Partial<TaskInstanceRow> = {
    status: state.status,
    escalationLevel: state.escalationLevel,
    remindersSent: state.remindersSent,
    dueAt: state.dueAt,
    completedAt: state.completedAt,
    completedBy: state.completedBy,
    late: state.late,
    waivedReason: state.waivedReason,
  };
  if (typeof note === 'string') patch.note = note;
  return patch;
}

export function createActivities(deps: ActivityDeps) {
  const { store } = deps;
  const shift = deps.planShiftMs ?? 0;

  async function recipients(task: TaskInput, audience: Audience): Promise<string[]> {
    const college = await store.getCollege(task.collegeId);
    if (!college) return [];
    const users = (await store.listCollegeAudience(college.schoolId, college.id)).filter((u) => u.active);
    const wanted = (role: Role, collegeId: string | null) =>
      users.filter((u) => u.role === role && u.collegeId === collegeId);
    const assignees = wanted(task.ownerRole, task.collegeId);
    if (audience === 'assignees') return assignees.map((u) => u.id);
    const leaders = wanted('college_leader', task.collegeId);
    if (audience === 'college') return [...new Set([...assignees, ...leaders].map((u) => u.id))];
    return wanted('school_admin', null).map((u) => u.id);
  }

  async function message(e: TaskEvent): Promise<{ title: string; body: string }> {
    const college = await store.getCollege(e.task.collegeId);
    const school = college ? await store.getSchool(college.schoolId) : null;
    const zone = school?.timezone ?? 'Asia/Shanghai';
    return taskMessage(e.action, {
      titleZh: e.task.titleZh,
      collegeName: college?.name ?? null,
      due: formatLocal(e.state.dueAt, zone),
    });
  }

  return {
    /**
     * The dated plan of one college (the planner runs here, outside workflow code), with each
     * task's evidence rules. Also writes the planned rows to the read model (idempotent).
     */
    async planCollegeTasks(req: {
      semesterId: string;
      collegeId: string;
    }): Promise<{ endsAt: number; tasks: TaskInput[] }> {
      const semester = await store.getSemester(req.semesterId);
      if (!semester)
        throw ApplicationFailure.create({
          type: 'UnknownSemesterError',
          message: `unknown semester ${req.semesterId}`,
          nonRetryable: true,
        });
      const college = await store.getCollege(req.collegeId);
      if (!college || college.schoolId !== semester.schoolId) {
        throw ApplicationFailure.create({
          type: 'UnknownCollegeError',
          message: `unknown college ${req.collegeId} for semester ${req.semesterId}`,
          nonRetryable: true,
        });
      }
      const templateRow = await store.getTemplate(semester.templateId, semester.templateVersion);
      const calendarRow = await store.getCalendar(semester.calendarId);
      if (!templateRow || !calendarRow) {
        throw ApplicationFailure.create({
          type: 'UnknownTemplateError',
          message: `semester ${req.semesterId} lacks its template or calendar`,
          nonRetryable: true,
        });
      }
      const template = parseTemplate(`template ${templateRow.id} v${templateRow.version}`, templateRow.body);
      const calendar = parseCalendar(`calendar ${calendarRow.id}`, calendarRow.body);
      const planned = planSemester({ semesterId: semester.id, template, calendar, colleges: [{ id: college.id }] });
      const plan = shift ? shiftPlan(planned, shift) : planned;
      await store.upsertPlannedTasks(plan.tasks.map(({ remindAts: _r, level2At: _l, ...row }) => row));
      const evidence = new Map(template.tasks.map((t) => [t.id, t.evidence]));
      const tasks: TaskInput[] = plan.tasks.map(({ id, ...t }) => ({
        ...t,
        taskId: id,
        evidence: evidence.get(t.templateTaskId)!,
      }));
      return { endsAt: plan.endsAt, tasks };
    },

    /**
     * Starts the task workflows of a batch on this worker's task queue. Idempotent: a workflow
     * that already exists (or existed) under the task's id is counted, not started again.
     */
    async startTaskWorkflows(req: {
      tasks: TaskInput[];
      searchAttributes: boolean;
    }): Promise<{ started: number; existing: number; replaced: number }> {
      const client = deps.client;
      if (!client)
        throw ApplicationFailure.create({
          type: 'ConfigurationError',
          message: 'the worker has no Temporal client for starting task workflows',
          nonRetryable: true,
        });
      const integrity = deps.integrity ?? integrityOf(client);
      const taskQueue = Context.current().info.taskQueue;
      let started = 0;
      let existing = 0;
      let replaced = 0;
      const start = (task: TaskInput) =>
        client.workflow.start('taskWorkflow', {
          workflowId: task.taskId,
          taskQueue,
          args: [task],
          // a run that ended without completing (terminated, cancelled, failed) may be started again
          // (the school admin's restart, a forged run replaced); a completed task never
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          ...(req.searchAttributes
            ? {
                typedSearchAttributes: [
                  { key: SemesterIdKey, value: task.semesterId },
                  { key: CollegeIdKey, value: task.collegeId },
                  { key: TaskKindKey, value: task.kind },
                ],
              }
            : {}),
        });
      for (const task of req.tasks) {
        try {
          await start(task);
          started += 1;
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
          // a run under the planned id that the app did not start is not taken for the real one
          const forged = integrity
            ? await replaceForgedRun(client, task.taskId, integrity, (problem, runId) =>
                store
                  .appendAudit({
                    eventKey: `${task.taskId}/forged-run:${runId}`,
                    subjectType: 'task',
                    subjectId: task.taskId,
                    action: 'forged-workflow-replaced',
                    actor: 'system',
                    at: Date.now(),
                    details: { runId, problem },
                  })
                  .then(() => undefined),
              )
            : null;
          if (!forged) {
            existing += 1;
            continue;
          }
          await start(task);
          replaced += 1;
        }
      }
      return { started, existing, replaced };
    },

    /** How many of a college's tasks in a semester are not yet completed or waived. */
    async countOpenTasks(req: { semesterId: string; collegeId: string }): Promise<number> {
      const rows = await store.listTaskInstances({
        semesterId: req.semesterId,
        collegeId: req.collegeId,
        status: ['planned', 'open', 'overdue'],
      });
      return rows.length;
    },

    /** Writes one task transition: read-model row, audit event and notifications, in one transaction. */
    async recordTaskEvent(e: TaskEvent): Promise<{ applied: boolean; eventKey: string }> {
      const { task, state } = e;
      await store.upsertPlannedTasks([
        {
          id: task.taskId,
          semesterId: task.semesterId,
          collegeId: task.collegeId,
          templateTaskId: task.templateTaskId,
          occurrence: task.occurrence,
          month: task.month,
          kind: task.kind,
          ownerRole: task.ownerRole,
          titleZh: task.titleZh,
          titleEn: task.titleEn,
          openAt: task.openAt,
          dueAt: task.dueAt,
        },
      ]);
      const patch = taskStatePatch(state, e.details?.note);
      const notifications = [];
      if (e.notify) {
        const { title, body } = await message(e);
        const kind = KIND_BY_ACTION[e.action] ?? e.action;
        for (const recipientUserId of await recipients(task, e.notify))
          notifications.push({ recipientUserId, kind, title, body });
      }
      const eventKey = `${task.taskId}/${e.step}`;
      const { applied } = await store.applyTaskTransition({
        taskId: task.taskId,
        patch,
        audit: { eventKey, action: e.action, actor: e.actor, at: e.at, details: e.details },
        notifications,
      });
      return { applied, eventKey };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
