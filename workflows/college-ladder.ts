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
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  completeTaskRefusal,
  moveDueRefusal,
  replanRefusal,
  returnTaskRefusal,
  taskCollegeRefusal,
  waiveTaskRefusal,
} from '../domain/permissions';
import type { LadderActivities } from '../activities/ladder';
import { evidenceProblems } from '../domain/evidence';
import { EscalationLevelKey, SemesterIdKey } from '../contracts/search-attributes';
import type { Actor, TaskState } from '../contracts/task';
import {
  ladderCompleteTaskUpdate,
  ladderMoveDueUpdate,
  ladderReplanUpdate,
  ladderReturnTaskUpdate,
  ladderSummaryQuery,
  ladderTaskStateQuery,
  ladderWaiveTaskUpdate,
  type CollegeLadderInput,
  type LadderCarried,
  type LadderPlanTask,
  type LadderReplanResult,
  type LadderStep,
  type LadderTask,
  type LadderTaskEvent,
  type LadderTaskFromReadModel,
} from '../contracts/ladder';

const { planCollegeLadder, applyLadderStep } = proxyActivities<LadderActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The same write as a local activity (one round trip less per instant: no activity task through
 * the server). Runs behind patched('ladder-step-local-activity'): histories recorded before it
 * replay with the activity above.
 */
const { applyLadderStep: applyLadderStepHere } = proxyLocalActivities<LadderActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * External channels (e-mail, group robot): never holding up the ladder. As the per-task model's
 * deliveries (workflows/task.ts): the activity heartbeats, so a killed worker's attempt is retried
 * within seconds (test/faults: worker-kill); after the last attempt the worker's sweep re-sends.
 */
const { deliverLadderNotifications } = proxyActivities<LadderActivities>({
  startToCloseTimeout: '5 minutes',
  // a killed worker's attempt is retried 10 s after its last beat, when its claims' 10 s leases ran out (test/faults: worker-kill)
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 100 },
});

/** A completion, waiver or moved due date: one write, in the worker, without a round trip to the server. */
const { recordLadderTaskEvent, ladderTaskFromReadModel } = proxyLocalActivities<LadderActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes: ['UnknownTaskError', 'UnknownTemplateError'],
  },
});

// shim (issue 13): re-export for the other areas until the merge (the contract lives in contracts/ladder.ts)
export * from '../contracts/ladder';

const sameInstants = (a: LadderPlanTask, b: LadderPlanTask) =>
  a.openAt === b.openAt &&
  a.dueAt === b.dueAt &&
  a.level2At === b.level2At &&
  a.remindAts.length === b.remindAts.length &&
  a.remindAts.every((x, i) => x === b.remindAts[i]);

/**
 * A returned task back in the ladder: steps whose instants are past `now` count as done (no old
 * reminder is sent again, no overdue recorded again), status and level from now against the due
 * and level-2 instants, so the remaining steps fire at their instants.
 */
export function reopenedTask(p: LadderTaskFromReadModel, now: number): LadderTask {
  const done = ['opened', ...p.remindAts.filter((at) => at <= now).map((at) => `remind:${at}`)];
  if (p.dueAt <= now) done.push(`overdue:${p.dueAt}`);
  if (p.level2At <= now) done.push(`level2:${p.dueAt}`);
  const escalationLevel = p.level2At <= now ? 2 : p.dueAt <= now ? 1 : 0;
  return {
    taskId: p.taskId,
    templateTaskId: p.templateTaskId,
    ownerRole: p.ownerRole,
    openAt: p.openAt,
    dueAt: p.dueAt,
    remindAts: [...p.remindAts],
    level2At: p.level2At,
    status: escalationLevel > 0 ? 'overdue' : 'open',
    escalationLevel,
    remindersSent: p.remindersSent,
    done,
    returnedAt: now,
  };
}

/** distinct instants (wakes) per run before continuing as new: keeps each run's history small */
export const LADDER_WAKES_PER_RUN = 60;

const KIND_ORDER = { opened: 0, reminded: 1, overdue: 2, escalated: 3 } as const;

function reject(message: string): never {
  throw ApplicationFailure.create({ type: 'TaskUpdateRejected', message, nonRetryable: true });
}

/** Rejects when a rule of domain/permissions.ts refuses the actor. */
function refuse(refusal: string | null): void {
  if (refusal) reject(refusal);
}

interface Pending {
  key: string;
  action: LadderStep['action'];
  /** the step's own instant (recorded as its time) */
  at: number;
  /** when it can be taken: never before the task opened */
  wakeAt: number;
}

/** A task's steps not yet taken, in the order task.ts takes them. */
export function pendingSteps(t: LadderTask): Pending[] {
  const out: Pending[] = [];
  if (t.status === 'planned' && !t.done.includes('opened'))
    out.push({ key: 'opened', action: 'opened', at: t.openAt, wakeAt: t.openAt });
  const ladder: Pending[] = [
    ...t.remindAts.map((at) => ({
      key: `remind:${at}`,
      action: 'reminded' as const,
      at,
      wakeAt: Math.max(at, t.openAt),
    })),
    { key: `overdue:${t.dueAt}`, action: 'overdue', at: t.dueAt, wakeAt: Math.max(t.dueAt, t.openAt) },
    { key: `level2:${t.dueAt}`, action: 'escalated', at: t.level2At, wakeAt: Math.max(t.level2At, t.openAt) },
  ];
  ladder.sort((a, b) => a.at - b.at || KIND_ORDER[a.action] - KIND_ORDER[b.action]);
  out.push(...ladder.filter((x) => !t.done.includes(x.key)));
  return out;
}

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
  /** bumped by every Update, so the timer wait recomputes the next instant */
  let version = 0;
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
    version += 1;
    indexLevel();
  };
  const record = (e: Omit<LadderTaskEvent, 'semesterId' | 'collegeId'>) =>
    recordLadderTaskEvent({ ...e, semesterId: input.semesterId, collegeId: input.collegeId });

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

  setHandler(
    ladderCompleteTaskUpdate,
    async (req) => {
      const t = byId.get(req.taskId)!;
      const now = Date.now();
      const s: TaskState = {
        ...stateOf(t),
        status: 'completed',
        completedAt: now,
        completedBy: req.actor.userId,
        late: now > t.dueAt,
      };
      close(t, 'completed');
      closedState.set(t.taskId, s);
      await record({
        taskId: t.taskId,
        ownerRole: t.ownerRole,
        // a completion after a return (退回) has its own key: the first one's is taken
        step: t.returnedAt === undefined ? 'completed' : `completed:${t.returnedAt}`,
        action: s.late ? 'completed-late' : 'completed',
        at: now,
        actor: req.actor.userId,
        notify: null,
        state: s,
        details: { note: req.note, files: req.files.map((f) => f.id), activities: req.activities ?? null },
      });
      return s;
    },
    {
      validator: (req) => {
        const t = openTask(req.taskId, (how) =>
          how === 'completed' ? 'this task is already completed' : 'this task was waived and is closed',
        );
        checkActorOfCollege(req.actor);
        refuse(completeTaskRefusal(req.actor, t.ownerRole));
        const rules = state.evidence[t.templateTaskId];
        if (!rules) reject(`task ${t.taskId} has no evidence rules`);
        const problems = evidenceProblems(rules, req);
        if (problems.length) reject(`evidence incomplete: ${problems.join('; ')}`);
      },
    },
  );

  setHandler(
    ladderWaiveTaskUpdate,
    async (req) => {
      const t = byId.get(req.taskId)!;
      const now = Date.now();
      const s: TaskState = { ...stateOf(t), status: 'waived', waivedReason: req.reason.trim() };
      close(t, 'waived');
      closedState.set(t.taskId, s);
      await record({
        taskId: t.taskId,
        ownerRole: t.ownerRole,
        step: 'waived',
        action: 'waived',
        at: now,
        actor: req.actor.userId,
        notify: null,
        state: s,
        details: { reason: s.waivedReason },
      });
      return s;
    },
    {
      validator: (req) => {
        openTask(req.taskId, (how) => `this task is already ${how}`);
        refuse(waiveTaskRefusal(req.actor));
        checkActorOfCollege(req.actor);
        if (typeof req.reason !== 'string' || !req.reason.trim()) reject('a reason is required to waive a task');
      },
    },
  );

  setHandler(
    ladderMoveDueUpdate,
    async (req) => {
      const t = byId.get(req.taskId)!;
      const now = Date.now();
      const from = t.dueAt;
      t.dueAt = req.dueAt;
      t.remindAts = req.remindAts.filter((x) => x < req.dueAt);
      t.level2At = req.level2At;
      if (req.dueAt > now && t.status === 'overdue') {
        t.status = 'open';
        t.escalationLevel = 0;
        indexLevel();
      }
      version += 1;
      if (!(state.moved ??= []).includes(t.taskId)) state.moved.push(t.taskId);
      const s = stateOf(t);
      await record({
        taskId: t.taskId,
        ownerRole: t.ownerRole,
        step: `due-moved:${req.dueAt}`,
        action: 'due-moved',
        at: now,
        actor: req.actor.userId,
        notify: 'assignees',
        state: s,
        details: { from, to: req.dueAt, reason: req.reason },
      });
      return s;
    },
    {
      validator: (req) => {
        openTask(req.taskId, (how) => `this task is already ${how}`);
        refuse(moveDueRefusal(req.actor));
        if (replanning) reject('a new checklist version is being applied; try again in a moment');
        if (!(req.level2At > req.dueAt) || req.remindAts.some((x: number) => x >= req.dueAt))
          reject('the new schedule is inconsistent');
        if (typeof req.reason !== 'string' || !req.reason.trim()) reject('a reason is required to move a due date');
      },
    },
  );

  setHandler(
    ladderReturnTaskUpdate,
    async (req) => {
      returning.add(req.taskId);
      try {
        const p = await ladderTaskFromReadModel({
          semesterId: input.semesterId,
          collegeId: input.collegeId,
          taskId: req.taskId,
        });
        if (state.closed[req.taskId] !== 'completed') reject('only a completed task can be returned');
        const now = Date.now();
        const t = reopenedTask(p, now);
        const s = stateOf(t);
        const reason = req.reason.trim();
        await record({
          taskId: t.taskId,
          ownerRole: t.ownerRole,
          step: `returned:${now}`,
          action: 'returned',
          at: now,
          actor: req.actor.userId,
          notify: 'assignees',
          state: s,
          details: { reason, dueAt: t.dueAt, level: t.escalationLevel },
          reopen: true,
        });
        // back in the plan: the remaining steps fire at their instants
        delete state.closed[t.taskId];
        closedState.delete(t.taskId);
        state.tasks.push(t);
        byId.set(t.taskId, t);
        version += 1;
        indexLevel();
        return s;
      } finally {
        returning.delete(req.taskId);
      }
    },
    {
      validator: (req) => {
        if (typeof req.taskId !== 'string') reject('a task id is required');
        if (state.closed[req.taskId] !== 'completed' || returning.has(req.taskId)) {
          const how = returning.has(req.taskId)
            ? 'it is being returned already'
            : state.closed[req.taskId] === 'waived'
              ? 'this one was waived'
              : byId.has(req.taskId)
                ? 'this one is still open'
                : `task ${req.taskId} is not in this college's semester`;
          reject(`only a completed task can be returned; ${how}`);
        }
        refuse(returnTaskRefusal(req.actor, input.collegeId));
        if (typeof req.reason !== 'string' || !req.reason.trim()) reject('a reason is required to return a completion');
      },
    },
  );

  /**
   * While a replan runs, the ladder's own loop waits (its conditions check this): the handler's
   * writes are awaited one after another, and no instant's step is taken in between, so the order
   * of the commands is the same when the history is replayed.
   */
  let replanning = false;
  setHandler(
    ladderReplanUpdate,
    async (req) => {
      replanning = true;
      try {
        const plan = await planCollegeLadder({
          semesterId: input.semesterId,
          collegeId: input.collegeId,
          fromTemplate: true,
        });
        const now = Date.now();
        const out: LadderReplanResult = {
          templateVersion: req.templateVersion,
          added: [],
          retired: [],
          moved: [],
          kept: [],
        };
        const reason = req.reason.trim();
        const inPlan = new Set(plan.tasks.map((t) => t.taskId));
        for (const k of Object.keys(plan.evidence)) state.evidence[k] = plan.evidence[k]!;
        for (const p of plan.tasks) {
          const t = byId.get(p.taskId);
          if (state.closed[p.taskId]) continue; // done or waived: kept as it is
          if (!t) {
            const added: LadderTask = {
              ...p,
              remindAts: [...p.remindAts],
              status: 'planned',
              escalationLevel: 0,
              remindersSent: 0,
              done: [],
            };
            state.tasks.push(added);
            byId.set(p.taskId, added);
            out.added.push(p.taskId);
            continue;
          }
          if (sameInstants(t, p)) continue;
          if (state.moved?.includes(t.taskId)) {
            out.kept.push(t.taskId); // the school administration's date stands
            continue;
          }
          // a task already open keeps its opening; only its deadline and ladder can move
          if (t.status !== 'planned' && sameInstants({ ...t, openAt: p.openAt }, p)) continue;
          const from = t.dueAt;
          if (t.status === 'planned') t.openAt = p.openAt;
          t.dueAt = p.dueAt;
          t.remindAts = [...p.remindAts];
          t.level2At = p.level2At;
          if (p.dueAt > now && t.status === 'overdue') {
            t.status = 'open';
            t.escalationLevel = 0;
          }
          out.moved.push(t.taskId);
          if (t.status !== 'planned') {
            await record({
              taskId: t.taskId,
              ownerRole: t.ownerRole,
              step: `replanned:v${req.templateVersion}`,
              action: 'due-moved',
              at: now,
              actor: req.actor.userId,
              notify: 'assignees',
              state: stateOf(t),
              details: { from, to: t.dueAt, reason, templateVersion: req.templateVersion },
            });
          }
        }
        for (const t of [...state.tasks]) {
          if (inPlan.has(t.taskId)) continue;
          const s: TaskState = { ...stateOf(t), status: 'waived', waivedReason: reason };
          close(t, 'waived');
          closedState.set(t.taskId, s);
          out.retired.push(t.taskId);
          await record({
            taskId: t.taskId,
            ownerRole: t.ownerRole,
            step: `retired:v${req.templateVersion}`,
            action: 'retired',
            at: now,
            actor: req.actor.userId,
            notify: t.status === 'planned' ? null : 'assignees',
            state: s,
            details: { reason, templateVersion: req.templateVersion },
          });
        }
        state.templateVersion = req.templateVersion;
        version += 1;
        indexLevel();
        return out;
      } finally {
        replanning = false;
      }
    },
    {
      validator: (req) => {
        refuse(replanRefusal(req.actor));
        if (!Number.isInteger(req.templateVersion) || req.templateVersion < 1)
          reject('a checklist version is required');
        if (state.templateVersion !== undefined && req.templateVersion <= state.templateVersion)
          reject(
            `checklist version ${req.templateVersion} is not newer than the one applied (${state.templateVersion})`,
          );
        if (typeof req.reason !== 'string' || !req.reason.trim())
          reject('a reason is required to apply a new checklist version');
        if (replanning) reject('a new checklist version is being applied already');
      },
    },
  );

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
        carried: state,
      });
    }
    const next = nextWake();
    const seen = version;
    if (next === null) {
      // nothing planned: the semester ends when its last day is over and every task is closed
      if (state.tasks.length === 0) {
        const wait = state.endsAt - Date.now();
        if (wait <= 0 || !(await condition(() => version !== seen && !replanning, wait))) break;
        continue;
      }
      await condition(() => version !== seen && !replanning);
      continue;
    }
    const wait = next - Date.now();
    if (wait > 0 && (await condition(() => version !== seen && !replanning, wait))) continue;
    // an instant that came while a replan runs waits for it (no command when none runs)
    if (replanning) await condition(() => !replanning);
    wakes += 1;
    const steps = takeDueSteps(Date.now());
    indexLevel();
    if (steps.length === 0) continue;
    const write = patched('ladder-step-local-activity') ? applyLadderStepHere : applyLadderStep;
    const { notify } = await write({ semesterId: input.semesterId, collegeId: input.collegeId, steps });
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
