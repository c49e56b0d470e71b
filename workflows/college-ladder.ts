/**
 * college-ladder (issue 11, ADR 0005): the tasks of one college in one semester, run by ONE
 * workflow instead of one workflow per task. Used for semesters created with task model 'ladder'
 * (semesters.task_model); 'per-task' semesters keep college-semester → task.
 *
 * It holds the college's plan (task ids, owner roles and instants; evidence rules by template
 * task) and wakes once per distinct instant at which any of its tasks has a step: opened,
 * reminded, overdue (level 1), escalated (level 2). At each wake it computes every step due by
 * then, in the per-task model's order and with its step keys, and hands them to ONE activity
 * (applyLadderStep) that writes them in one set-based transaction: task rows, one audit event per
 * task and step (`<taskId>/<step>`, so exactly once under retries, and each task's timeline is as
 * before), inbox rows; external deliveries follow in one non-blocking activity per instant.
 *
 * Completion, waiver and a moved due date are Updates on this workflow, validated exactly as
 * task.ts validates them, written by a local activity (one round trip), and a closed task leaves
 * the plan: it gets no further step. After level 2 a task only waits for completion, in this
 * workflow's state. The workflow continues as new before its history grows large, carrying its
 * small state (open tasks with their progress, the closed ones' outcome); the planner never runs
 * again. It ends when the semester is over and every task is closed.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { taskCollegeRefusal } from '../domain/permissions';
import { EscalationLevelKey, SemesterIdKey } from '../contracts/search-attributes';
import type { Actor, TaskState } from '../contracts/task';
import {
  ladderSummaryQuery,
  ladderTaskStateQuery,
  type CollegeLadderInput,
  type LadderCarried,
  type LadderStep,
  type LadderTask,
  type LadderTaskEvent,
} from '../contracts/ladder';

import {
  applyLadderStep,
  applyLadderStepHere,
  deliverLadderNotifications,
  planCollegeLadder,
  recordLadderTaskEvent,
} from './ladder/activities';
import { aimEarly, ladderClock } from './ladder/clock';
import { KIND_ORDER, LADDER_WAKES_PER_RUN, pendingSteps } from './ladder/plan';
import { registerReplan } from './ladder/replan';
import { refuse, reject, type LadderRun } from './ladder/run';
import { registerTaskUpdates } from './ladder/task-updates';

export async function collegeLadderWorkflow(input: CollegeLadderInput): Promise<{ tasks: number }> {
  let state: LadderCarried;
  if (input.carried) {
    state = input.carried;
  } else {
    const plan = input.plan ?? (await planCollegeLadder({ semesterId: input.semesterId, collegeId: input.collegeId }));
    const closed = { ...(plan.closed ?? {}) };
    state = {
      startedAt: Date.now(),
      endsAt: plan.endsAt,
      evidence: plan.evidence,
      tasks: plan.tasks
        .filter((t) => !closed[t.taskId])
        .map((t) => ({
          ...t,
          remindAts: [...t.remindAts],
          status: 'planned',
          escalationLevel: 0,
          remindersSent: 0,
          done: [],
        })),
      closed,
    };
  }
  const byId = new Map<string, LadderTask>(state.tasks.map((t: LadderTask) => [t.taskId, t]));
  /** tasks whose return is being written (a second return of the same task waits for none: it is refused) */
  const returning = new Set<string>();
  /** completions and waivers of this run, for the answers of queries and repeated Updates */
  const closedState = new Map<string, TaskState>();
  const indexed = (input.searchAttributes ?? true) && Boolean(workflowInfo().typedSearchAttributes.get(SemesterIdKey));
  let indexedLevel = -1;
  /** version: bumped by every Update, so the timer wait recomputes the next instant; replanning: see ./ladder/replan.ts */
  const flags = { version: 0, replanning: false };
  let deliveriesInFlight = 0;

  const stateOf = (t: LadderTask): TaskState => ({
    taskId: t.taskId,
    status: t.status,
    escalationLevel: t.escalationLevel,
    remindersSent: t.remindersSent,
    openAt: t.openAt,
    dueAt: t.dueAt,
    remindAts: [...t.remindAts],
    level2At: t.level2At,
    completedAt: null,
    completedBy: null,
    late: false,
    waivedReason: null,
  });

  const indexLevel = () => {
    if (!indexed) return;
    let max = 0;
    for (const t of state.tasks) max = Math.max(max, t.escalationLevel);
    if (max !== indexedLevel) {
      indexedLevel = max;
      upsertSearchAttributes([{ key: EscalationLevelKey, value: max }]);
    }
  };

  /** The task an Update is about, open; or a rejection worded as task.ts words it. */
  const openTask = (taskId: unknown, closedMessage: (how: 'completed' | 'waived') => string): LadderTask => {
    if (typeof taskId !== 'string') reject('a task id is required');
    const how = state.closed[taskId];
    if (how) reject(closedMessage(how));
    const t = byId.get(taskId);
    if (!t) reject(`unknown task ${taskId} in this college's semester`);
    return t;
  };
  const checkActorOfCollege = (actor: Actor) => {
    refuse(taskCollegeRefusal(actor, input.collegeId));
  };
  const close = (t: LadderTask, how: 'completed' | 'waived') => {
    state.closed[t.taskId] = how;
    state.tasks = state.tasks.filter((x) => x !== t);
    byId.delete(t.taskId);
    flags.version += 1;
    indexLevel();
  };
  const clock = ladderClock();
  const record = async (e: Omit<LadderTaskEvent, 'semesterId' | 'collegeId'>) =>
    clock.saw(await recordLadderTaskEvent({ ...e, semesterId: input.semesterId, collegeId: input.collegeId }));

  setHandler(ladderTaskStateQuery, (taskId) => {
    const t = byId.get(taskId);
    if (t) return stateOf(t);
    return closedState.get(taskId) ?? null;
  });
  setHandler(ladderSummaryQuery, () => {
    const closed = Object.values(state.closed);
    const next = nextWake();
    return {
      open: state.tasks.filter((t) => t.status !== 'planned').length,
      planned: state.tasks.filter((t) => t.status === 'planned').length,
      level1: state.tasks.filter((t) => t.escalationLevel === 1).length,
      level2: state.tasks.filter((t) => t.escalationLevel === 2).length,
      completed: closed.filter((c) => c === 'completed').length,
      waived: closed.filter((c) => c === 'waived').length,
      nextAt: next,
    };
  });

  const run: LadderRun = {
    input,
    state,
    byId,
    returning,
    closedState,
    flags,
    stateOf,
    indexLevel,
    openTask,
    checkActorOfCollege,
    close,
    record,
  };
  registerTaskUpdates(run);
  /**
   * While a replan runs, the ladder's own loop waits (its conditions check flags.replanning): the
   * handler's writes are awaited one after another, and no instant's step is taken in between, so
   * the order of the commands is the same when the history is replayed.
   */
  registerReplan(run);

  function nextWake(): number | null {
    let next: number | null = null;
    for (const t of state.tasks) {
      const p = pendingSteps(t)[0];
      if (p && (next === null || p.wakeAt < next)) next = p.wakeAt;
    }
    return next;
  }

  /** Takes every step due by `now` (in memory) and returns them for one write. */
  function takeDueSteps(now: number): LadderStep[] {
    const steps: LadderStep[] = [];
    for (const t of state.tasks) {
      for (const p of pendingSteps(t)) {
        if (p.wakeAt > now) break;
        t.done.push(p.key);
        const details: Record<string, unknown> = { dueAt: t.dueAt };
        if (p.action === 'opened') {
          t.status = 'open';
        } else if (p.action === 'reminded') {
          // as task.ts: a ladder started late skips reminders already past at its start
          if (p.at < state.startedAt) continue;
          t.remindersSent += 1;
        } else if (p.action === 'overdue') {
          t.status = 'overdue';
          t.escalationLevel = 1;
          details.level = 1;
        } else {
          t.escalationLevel = 2;
          details.level = 2;
        }
        const status = t.status === 'planned' ? 'open' : t.status;
        steps.push({
          taskId: t.taskId,
          step: p.key,
          action: p.action,
          at: p.at,
          notify: p.action === 'overdue' ? 'college' : p.action === 'escalated' ? 'school' : 'assignees',
          ownerRole: t.ownerRole,
          state: { status, escalationLevel: t.escalationLevel, remindersSent: t.remindersSent, dueAt: t.dueAt },
          details,
        });
      }
    }
    // one instant after another, and within one, in ladder order (task.ts's order for each task)
    steps.sort((a, b) => a.at - b.at || KIND_ORDER[a.action] - KIND_ORDER[b.action]);
    return steps;
  }

  indexLevel();
  for (let wakes = 0; ;) {
    if (
      (wakes >= LADDER_WAKES_PER_RUN || workflowInfo().continueAsNewSuggested) &&
      deliveriesInFlight === 0 &&
      allHandlersFinished()
    ) {
      await continueAsNew<typeof collegeLadderWorkflow>({
        semesterId: input.semesterId,
        collegeId: input.collegeId,
        searchAttributes: input.searchAttributes,
        ...(input.exactTimers ? { exactTimers: true } : {}),
        carried: state,
      });
    }
    const next = nextWake();
    const seen = flags.version;
    if (next === null) {
      // nothing planned: the semester ends when its last day is over and every task is closed
      if (state.tasks.length === 0) {
        const wait = state.endsAt - Date.now();
        if (wait <= 0 || !(await condition(() => flags.version !== seen && !flags.replanning, wait))) break;
        continue;
      }
      await condition(() => flags.version !== seen && !flags.replanning);
      continue;
    }
    const timer = clock.timerUntil(next);
    if (timer > 0) {
      const aim = input.exactTimers ? timer : aimEarly(timer, () => patched('ladder-aim-early'));
      if (await condition(() => flags.version !== seen && !flags.replanning, aim)) continue;
      if (aim !== timer) continue; // woke early: the last timer, from a task that does nothing else
    }
    // an instant that came while a replan runs waits for it (no command when none runs)
    if (flags.replanning) await condition(() => !flags.replanning);
    wakes += 1;
    const steps = takeDueSteps(Date.now());
    indexLevel();
    if (steps.length === 0) continue;
    const write = patched('ladder-step-local-activity') ? applyLadderStepHere : applyLadderStep;
    const { notify } = clock.saw(await write({ semesterId: input.semesterId, collegeId: input.collegeId, steps }));
    if (notify.length) {
      deliveriesInFlight += 1;
      void deliverLadderNotifications({ eventKeys: notify }).then(
        () => void (deliveriesInFlight -= 1),
        (err: unknown) => {
          deliveriesInFlight -= 1;
          log.warn('notification delivery gave up', {
            events: notify.length,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      );
    }
  }
  await condition(() => allHandlersFinished() && deliveriesInFlight === 0);
  return { tasks: Object.keys(state.closed).length };
}
