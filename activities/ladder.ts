/**
 * Activities of the college ladder (workflows/college-ladder.ts, ADR 0005): the plan of one
 * college (ids and instants), every step of one instant in one set-based transaction, one
 * task's completion, waiver or moved due date (run as a local activity), and the external
 * deliveries of an instant's events in one call. Each is idempotent: the writes are keyed by the
 * per-task model's audit event keys (`<taskId>/<step>`), so a retry writes nothing twice.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Role } from '../domain/schema';
import { formatLocal } from '../domain/local-time';
import { parseTemplate } from '../domain/load';
import { ladderInstants } from '../domain/planner';
import type { LadderStepWrite, TaskInstanceRow } from '../db/store';
import type { Outbox } from '../notifications/outbox';
import type { LadderPlan, LadderStep, LadderTaskEvent, LadderTaskFromReadModel } from '../contracts/ladder';
import {
  createActivities,
  KIND_BY_ACTION,
  taskMessage,
  taskStatePatch,
  type ActivityDeps,
  type Audience,
} from './index';
import { t as texts } from '../server/platform/i18n';

/** The notification texts of the one catalogue (written in Chinese only today). */
const NOTICES = texts('zh-CN').notifications;

export interface LadderDeps extends ActivityDeps {
  /** sends the external channels (e-mail, robot); without it, only the inbox is written */
  outbox?: Outbox;
  /** deliveries of one instant sent at once (default 4) */
  deliveryConcurrency?: number;
}

export function createLadderActivities(deps: LadderDeps) {
  const { store } = deps;
  const base = createActivities(deps);

  /** The college's name, its school's zone and who gets what, read once per call. */
  async function audienceOf(collegeId: string) {
    const college = await store.getCollege(collegeId);
    if (!college) return { name: null, zone: 'Asia/Shanghai', recipients: (_a: Audience, _r: Role) => [] as string[] };
    const school = await store.getSchool(college.schoolId);
    const users = (await store.listCollegeAudience(college.schoolId, college.id)).filter((u) => u.active);
    const ids = (role: Role, cid: string | null) =>
      users.filter((u) => u.role === role && u.collegeId === cid).map((u) => u.id);
    const leaders = ids('college_leader', collegeId);
    const admins = ids('school_admin', null);
    const byRole = new Map<Role, string[]>();
    const assignees = (role: Role) => {
      let list = byRole.get(role);
      if (!list) byRole.set(role, (list = ids(role, collegeId)));
      return list;
    };
    // as activities/index.ts recipients(): assignees; college = assignees + leaders; school = admins
    const recipients = (audience: Audience, ownerRole: Role): string[] =>
      audience === 'assignees'
        ? assignees(ownerRole)
        : audience === 'college'
          ? [...new Set([...assignees(ownerRole), ...leaders])]
          : admins;
    return { name: college.name, zone: school?.timezone ?? 'Asia/Shanghai', recipients };
  }

  /** The reminder and level-2 instants of a moved due date, as server/tasks.ts moveDue computes them. */
  async function movedLadderOf(semesterId: string) {
    const semester = await store.getSemester(semesterId);
    const school = semester ? await store.getSchool(semester.schoolId) : undefined;
    const templateRow = semester ? await store.getTemplate(semester.templateId, semester.templateVersion) : undefined;
    if (!semester || !school || !templateRow)
      throw ApplicationFailure.create({
        type: 'UnknownTemplateError',
        message: `semester ${semesterId} lacks its school or template`,
        nonRetryable: true,
      });
    const template = parseTemplate(`template ${templateRow.id}`, templateRow.body);
    return (templateTaskId: string, dueAt: number, openAt: number) =>
      ladderInstants(template, templateTaskId, dueAt, school.timezone, Math.max(Date.now(), openAt));
  }

  /** The inbox text of a return (退回): the reason, and the deadline the task is back under. */
  const returnedMessage = NOTICES.tasks.returned;

  function unknownTask(taskId: string): never {
    throw ApplicationFailure.create({
      type: 'UnknownTaskError',
      message: `task instance ${taskId} not found`,
      nonRetryable: true,
    });
  }

  return {
    /**
     * The college's plan for the ladder: ids, owner roles, instants, and evidence rules by
     * template task. Writes the planned rows to the read model (idempotent), as planCollegeTasks.
     */
    async planCollegeLadder(req: {
      semesterId: string;
      collegeId: string;
      fromTemplate?: boolean;
    }): Promise<LadderPlan> {
      const { endsAt, tasks } = await base.planCollegeTasks({ semesterId: req.semesterId, collegeId: req.collegeId });
      const evidence: LadderPlan['evidence'] = {};
      for (const t of tasks) evidence[t.templateTaskId] = t.evidence;
      // a new checklist version for a running ladder (ladderReplan): the template's own instants; the
      // ladder knows what is closed and what was moved by hand
      if (req.fromTemplate) {
        return {
          endsAt,
          evidence,
          tasks: tasks.map((t) => ({
            taskId: t.taskId,
            templateTaskId: t.templateTaskId,
            ownerRole: t.ownerRole,
            openAt: t.openAt,
            dueAt: t.dueAt,
            remindAts: t.remindAts,
            level2At: t.level2At,
          })),
        };
      }
      // what the read model already holds (a ladder restarted after a stop outside the app): closed
      // tasks leave the plan, and a due date moved by the school administration is kept
      const rows = new Map((await store.getTaskInstances(tasks.map((t) => t.taskId))).map((r) => [r.id, r]));
      const closed: Record<string, 'completed' | 'waived'> = {};
      let moved:
        ((templateTaskId: string, dueAt: number, openAt: number) => { remindAts: number[]; level2At: number }) | null =
        null;
      const planTasks: LadderPlan['tasks'] = [];
      for (const t of tasks) {
        const row = rows.get(t.taskId);
        if (row?.status === 'completed' || row?.status === 'waived') closed[t.taskId] = row.status;
        let { dueAt, remindAts, level2At } = t;
        if (row && row.status !== 'planned' && row.dueAt !== t.dueAt) {
          moved ??= await movedLadderOf(req.semesterId);
          ({ remindAts, level2At } = moved(t.templateTaskId, row.dueAt, row.openAt));
          dueAt = row.dueAt;
        }
        planTasks.push({
          taskId: t.taskId,
          templateTaskId: t.templateTaskId,
          ownerRole: t.ownerRole,
          openAt: t.openAt,
          dueAt,
          remindAts,
          level2At,
        });
      }
      return { endsAt, evidence, tasks: planTasks, ...(Object.keys(closed).length ? { closed } : {}) };
    },

    /**
     * Every step of one instant (or of all instants already past, for a ladder started late) in
     * one transaction: rows, one audit event per task and step, inbox rows. Returns the event
     * keys written now that have recipients, for deliverLadderNotifications (none when no external
     * channel is configured), and when it finished (the ladder's clock).
     */
    async applyLadderStep(req: {
      semesterId: string;
      collegeId: string;
      steps: LadderStep[];
    }): Promise<{ applied: number; notify: string[]; doneAt?: number }> {
      if (req.steps.length === 0) return { applied: 0, notify: [], doneAt: Date.now() };
      const aud = await audienceOf(req.collegeId);
      const rows = new Map((await store.getTaskInstances(req.steps.map((s) => s.taskId))).map((r) => [r.id, r]));
      const writes: LadderStepWrite[] = req.steps.map((s) => {
        const row = rows.get(s.taskId) ?? unknownTask(s.taskId);
        const { title, body } = taskMessage(s.action, {
          titleZh: row.titleZh,
          collegeName: aud.name,
          due: formatLocal(s.state.dueAt, aud.zone),
        });
        const kind = KIND_BY_ACTION[s.action] ?? s.action;
        return {
          taskId: s.taskId,
          audit: { eventKey: `${s.taskId}/${s.step}`, action: s.action, actor: 'timer', at: s.at, details: s.details },
          patch: s.state,
          notifications: aud
            .recipients(s.notify, s.ownerRole)
            .map((recipientUserId) => ({ recipientUserId, kind, title, body })),
        };
      });
      const { applied } = await store.applyLadderSteps(writes);
      // no external channel configured: no delivery activity for the ladder to schedule (its inbox rows are written)
      const external = deps.outbox?.hasChannels() ?? false;
      const withNotes = new Set(
        writes.filter((w) => external && w.notifications.length > 0).map((w) => w.audit.eventKey),
      );
      // doneAt: the ladder's next timer counts from here, not from its workflow task's start (college-ladder.ts)
      return { applied: applied.length, notify: applied.filter((k) => withNotes.has(k)), doneAt: Date.now() };
    },

    /**
     * A returned task's plan (the ladder's ladderReturnTask, a local activity): the read model's
     * row (owner role, opening, due date, moved or not, reminders sent) and the template's ladder
     * for that due date: the reminder instants still ahead, and the level-2 instant.
     */
    async ladderTaskFromReadModel(req: {
      semesterId: string;
      collegeId: string;
      taskId: string;
    }): Promise<LadderTaskFromReadModel> {
      const row = (await store.getTaskInstance(req.taskId)) ?? unknownTask(req.taskId);
      if (row.semesterId !== req.semesterId || row.collegeId !== req.collegeId) unknownTask(req.taskId);
      // reminders still ahead (after now and the opening): the ones already past are not sent again
      const { remindAts, level2At } = (await movedLadderOf(req.semesterId))(row.templateTaskId, row.dueAt, row.openAt);
      return {
        taskId: row.id,
        templateTaskId: row.templateTaskId,
        ownerRole: row.ownerRole,
        openAt: row.openAt,
        dueAt: row.dueAt,
        remindAts,
        level2At,
        remindersSent: row.remindersSent,
      };
    },

    /** One task's completion, waiver, moved due date or return (a local activity of the ladder's Update). */
    async recordLadderTaskEvent(e: LadderTaskEvent): Promise<{ applied: boolean; eventKey: string; doneAt?: number }> {
      const row: TaskInstanceRow = (await store.getTaskInstance(e.taskId)) ?? unknownTask(e.taskId);
      const { state } = e;
      const patch = taskStatePatch(state, e.details.note);
      const notifications = [];
      if (e.notify) {
        const aud = await audienceOf(e.collegeId);
        const m = { titleZh: row.titleZh, collegeName: aud.name, due: formatLocal(state.dueAt, aud.zone) };
        const { title, body } =
          e.action === 'returned'
            ? returnedMessage({ ...m, reason: String(e.details.reason ?? '') })
            : taskMessage(e.action, m);
        const kind = KIND_BY_ACTION[e.action] ?? e.action;
        for (const recipientUserId of aud.recipients(e.notify, e.ownerRole))
          notifications.push({ recipientUserId, kind, title, body });
      }
      const eventKey = `${e.taskId}/${e.step}`;
      const { applied } = await store.applyTaskTransition({
        taskId: e.taskId,
        patch,
        audit: { eventKey, action: e.action, actor: e.actor, at: e.at, details: e.details },
        notifications,
        ...(e.reopen ? { reopen: true } : {}),
      });
      return { applied, eventKey, doneAt: Date.now() };
    },

    /** The external deliveries of an instant's events (the outbox sends each message once). */
    async deliverLadderNotifications(req: { eventKeys: string[] }): Promise<{ sent: number; skipped: number }> {
      const outbox = deps.outbox;
      if (!outbox) return { sent: 0, skipped: 0 };
      const keys = [...req.eventKeys];
      // heartbeats while the outbox works (the workflow's heartbeat timeout): a killed worker's
      // attempt is retried within seconds, also for the events whose rows it never reached
      let heartbeat: (() => void) | undefined;
      try {
        const ctx = Context.current();
        heartbeat = () => ctx.heartbeat();
      } catch {
        heartbeat = undefined; // called outside an activity (tests, scripts)
      }
      let sent = 0;
      let skipped = 0;
      const failures: string[] = [];
      const runOne = async () => {
        for (let key = keys.shift(); key !== undefined; key = keys.shift()) {
          try {
            const r = await outbox.deliver(key, heartbeat ? { heartbeat } : {});
            sent += r.sent;
            skipped += r.skipped;
          } catch (err) {
            failures.push(err instanceof Error ? err.message : String(err));
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, deps.deliveryConcurrency ?? 4) }, runOne));
      // the retry sends only what is not yet sent
      if (failures.length)
        throw new Error(`${failures.length} event(s) not fully delivered: ${failures.slice(0, 3).join('; ')}`);
      return { sent, skipped };
    },
  };
}

export type LadderActivities = ReturnType<typeof createLadderActivities>;
