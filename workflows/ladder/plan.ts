/**
 * The college ladder's pure parts: a task's pending steps in the per-task model's order, a returned
 * task back in the ladder, and whether a replanned task's instants changed. No Temporal API here.
 */
import type { LadderPlanTask, LadderStep, LadderTask, LadderTaskFromReadModel } from '../../contracts/ladder';

export const sameInstants = (a: LadderPlanTask, b: LadderPlanTask) =>
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

export const KIND_ORDER = { opened: 0, reminded: 1, overdue: 2, escalated: 3 } as const;

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
