/**
 * task: one checklist duty of one college (one task instance).
 * open → reminders → due: overdue + level-1 escalation → level-2 escalation → waits until
 * completed (Update, validated) or waived by a leader. Every transition is written by one
 * idempotent activity. All instants come from the planner; this file only sleeps and waits.
 */
import {
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  ApplicationFailure,
  allHandlersFinished,
} from '@temporalio/workflow';
import { completeTaskRefusal, moveDueRefusal, taskCollegeRefusal, waiveTaskRefusal } from '../domain/permissions';
import type { createActivities, TaskEvent } from '../activities';
import { deliverLogged } from './deliveries';
import { moveDueOf } from './move-due';
import { evidenceProblems } from '../domain/evidence';
import {
  completeTaskUpdate,
  moveDueUpdate,
  taskStateQuery,
  waiveTaskUpdate,
  type Actor,
  type TaskInput,
  type TaskState,
} from '../contracts/task';
import { EscalationLevelKey, SemesterIdKey } from '../contracts/search-attributes';

const { recordTaskEvent } = proxyActivities<ReturnType<typeof createActivities>>({
  // one idempotent write: a killed worker's attempt is retried 10 s after it started (test/faults: worker-kill)
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['UnknownTaskError'] },
});

/** Rejects with a reason the caller can show the user, as written. */
function reject(message: string): never {
  throw ApplicationFailure.create({ type: 'TaskUpdateRejected', message, nonRetryable: true });
}

/** Rejects when a rule of domain/permissions.ts refuses the actor. */
function refuse(refusal: string | null): void {
  if (refusal) reject(refusal);
}

const isClosed = (s: TaskState) => s.status === 'completed' || s.status === 'waived';

export async function taskWorkflow(input: TaskInput): Promise<TaskState> {
  const s: TaskState = {
    taskId: input.taskId,
    status: 'planned',
    escalationLevel: 0,
    remindersSent: 0,
    openAt: input.openAt,
    dueAt: input.dueAt,
    remindAts: [...input.remindAts],
    level2At: input.level2At,
    completedAt: null,
    completedBy: null,
    late: false,
    waivedReason: null,
  };
  const startedAt = Date.now();
  /** bumped when the due date moves, so the timer loop recomputes its next step */
  let scheduleVersion = 0;
  const indexed = Boolean(workflowInfo().typedSearchAttributes.get(SemesterIdKey));

  /** deliveries in flight on external channels; awaited before the workflow completes */
  const deliveries: Array<Promise<void>> = [];
  const record = async (e: Omit<TaskEvent, 'task' | 'state'>) => {
    const { eventKey } = await recordTaskEvent({ ...e, task: input, state: { ...s } });
    if (e.notify) {
      // external channels (e-mail, group robot): retried, then swept by the worker, never holding up the ladder
      deliveries.push(deliverLogged(eventKey));
    }
  };

  const setEscalation = (level: 0 | 1 | 2) => {
    s.escalationLevel = level;
    if (indexed) upsertSearchAttributes([{ key: EscalationLevelKey, value: level }]);
  };

  const checkActorOfCollege = (actor: Actor) => {
    refuse(taskCollegeRefusal(actor, input.collegeId));
  };

  setHandler(taskStateQuery, () => ({ ...s, remindAts: [...s.remindAts] }));

  setHandler(
    completeTaskUpdate,
    async (req) => {
      const now = Date.now();
      s.status = 'completed';
      s.completedAt = now;
      s.completedBy = req.actor.userId;
      s.late = now > s.dueAt;
      await record({
        step: 'completed',
        action: s.late ? 'completed-late' : 'completed',
        at: now,
        actor: req.actor.userId,
        notify: null,
        details: { note: req.note, files: req.files.map((f) => f.id), activities: req.activities ?? null },
      });
      return { ...s };
    },
    {
      validator: (req) => {
        if (isClosed(s))
          reject(s.status === 'completed' ? 'this task is already completed' : 'this task was waived and is closed');
        checkActorOfCollege(req.actor);
        refuse(completeTaskRefusal(req.actor, input.ownerRole));
        const problems = evidenceProblems(input.evidence, req);
        if (problems.length) reject(`evidence incomplete: ${problems.join('; ')}`);
      },
    },
  );

  setHandler(
    waiveTaskUpdate,
    async (req) => {
      const now = Date.now();
      s.status = 'waived';
      s.waivedReason = req.reason.trim();
      await record({
        step: 'waived',
        action: 'waived',
        at: now,
        actor: req.actor.userId,
        notify: null,
        details: { reason: s.waivedReason },
      });
      return { ...s };
    },
    {
      validator: (req) => {
        if (isClosed(s)) reject(`this task is already ${s.status}`);
        refuse(waiveTaskRefusal(req.actor));
        checkActorOfCollege(req.actor);
        if (!req.reason.trim()) reject('a reason is required to waive a task');
      },
    },
  );

  setHandler(
    moveDueUpdate,
    async (req) => {
      const now = Date.now();
      const { from, reopened } = moveDueOf(s, req, now);
      if (reopened) setEscalation(0);
      scheduleVersion += 1;
      await record({
        step: `due-moved:${req.dueAt}`,
        action: 'due-moved',
        at: now,
        actor: req.actor.userId,
        notify: 'assignees',
        details: { from, to: req.dueAt, reason: req.reason },
      });
      return { ...s };
    },
    {
      validator: (req) => {
        if (isClosed(s)) reject(`this task is already ${s.status}`);
        refuse(moveDueRefusal(req.actor));
        if (!(req.level2At > req.dueAt) || req.remindAts.some((t: number) => t >= req.dueAt))
          reject('the new schedule is inconsistent');
        if (!req.reason.trim()) reject('a reason is required to move a due date');
      },
    },
  );

  // 1. Open at the planned instant (unless completed or waived earlier).
  if (await waitUntilOrClosed(s.openAt, () => isClosed(s))) return await finish();
  s.status = 'open';
  await record({
    step: 'opened',
    action: 'opened',
    at: s.openAt,
    actor: 'timer',
    notify: 'assignees',
    details: { dueAt: s.dueAt },
  });

  // 2. The ladder: reminders, overdue (level 1), level 2. Steps are keyed by their instant so a
  //    moved due date yields new steps and a replayed one is never recorded twice.
  const done = new Set<string>();
  for (;;) {
    if (isClosed(s)) return await finish();
    const steps = ladderSteps(s).filter((x) => !done.has(x.key));
    const next = steps[0];
    const version = scheduleVersion;
    if (!next) {
      await condition(() => isClosed(s) || scheduleVersion !== version);
      continue;
    }
    const interrupted = await waitUntilOrClosed(next.at, () => isClosed(s) || scheduleVersion !== version);
    if (interrupted) continue;
    done.add(next.key);
    if (next.kind === 'remind') {
      // a workflow started late (a semester started after its dates) skips reminders that were
      // already past at its start; one that fell due while it ran is sent, even late (an outage)
      if (next.at < startedAt) continue;
      s.remindersSent += 1;
      await record({
        step: next.key,
        action: 'reminded',
        at: next.at,
        actor: 'timer',
        notify: 'assignees',
        details: { dueAt: s.dueAt },
      });
    } else if (next.kind === 'overdue') {
      s.status = 'overdue';
      setEscalation(1);
      await record({
        step: next.key,
        action: 'overdue',
        at: next.at,
        actor: 'timer',
        notify: 'college',
        details: { dueAt: s.dueAt, level: 1 },
      });
    } else {
      setEscalation(2);
      await record({
        step: next.key,
        action: 'escalated',
        at: next.at,
        actor: 'timer',
        notify: 'school',
        details: { dueAt: s.dueAt, level: 2 },
      });
    }
  }

  /** Lets a running completion or waiver finish recording before the workflow completes. */
  async function finish(): Promise<TaskState> {
    await condition(allHandlersFinished);
    await Promise.all(deliveries);
    return { ...s };
  }
}

interface LadderStep {
  key: string;
  kind: 'remind' | 'overdue' | 'level2';
  at: number;
}

function ladderSteps(s: TaskState): LadderStep[] {
  const steps: LadderStep[] = [
    ...s.remindAts.map((at) => ({ key: `remind:${at}`, kind: 'remind' as const, at })),
    { key: `overdue:${s.dueAt}`, kind: 'overdue', at: s.dueAt },
    { key: `level2:${s.dueAt}`, kind: 'level2', at: s.level2At },
  ];
  return steps.sort((a, b) => a.at - b.at);
}

/** Sleeps until `at` (epoch ms) unless `interrupt` becomes true first; returns true when interrupted. */
async function waitUntilOrClosed(at: number, interrupt: () => boolean): Promise<boolean> {
  const ms = at - Date.now();
  if (ms <= 0) return interrupt();
  return condition(interrupt, ms);
}
