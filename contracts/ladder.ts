/**
 * The college ladder's contract (workflows/college-ladder.ts, ADR 0005): its input and the plan and
 * state it carries over continue-as-new, the steps and task events its activities write, the
 * Update requests and the Update/Query definitions. The name strings are in every recorded
 * history: never change them.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CollegeRole, Evidence } from './checklist';
import type { Actor, CompleteRequest, MoveDueRequest, TaskState, WaiveRequest } from './task';

/** One planned task as the ladder holds it: ids and instants only. */
export interface LadderPlanTask {
  taskId: string;
  templateTaskId: string;
  ownerRole: CollegeRole;
  openAt: number;
  dueAt: number;
  remindAts: number[];
  level2At: number;
}

export interface LadderPlan {
  /** the semester's last instant */
  endsAt: number;
  tasks: LadderPlanTask[];
  /** evidence rules by template task id */
  evidence: Record<string, Evidence>;
  /**
   * tasks already closed in the read model (a ladder restarted after it was stopped outside the
   * app): they leave the plan at once. Absent in plans recorded before this field existed.
   */
  closed?: Record<string, 'completed' | 'waived'>;
}

/** A task the ladder still runs: its plan and its progress. */
export interface LadderTask extends LadderPlanTask {
  status: 'planned' | 'open' | 'overdue';
  escalationLevel: 0 | 1 | 2;
  remindersSent: number;
  /** step keys already taken (or skipped), as task.ts keys them */
  done: string[];
  /**
   * set when a completion of this task was returned (退回) at that instant: its next completion is
   * keyed `completed:<returnedAt>`, not `completed` (already taken by the first one). Absent before.
   */
  returnedAt?: number;
}

/** What a run carries over continue-as-new. */
export interface LadderCarried {
  startedAt: number;
  endsAt: number;
  evidence: Record<string, Evidence>;
  tasks: LadderTask[];
  /** the tasks already closed, and how */
  closed: Record<string, 'completed' | 'waived'>;
  /** tasks whose due date the school administration moved: a new checklist version keeps it (absent before replans existed) */
  moved?: string[];
  /** the last checklist version applied by a replan (absent: the one the semester started with) */
  templateVersion?: number;
}

export interface CollegeLadderInput {
  semesterId: string;
  collegeId: string;
  /** upsert EscalationLevel (the college's highest) where the server has the attributes */
  searchAttributes?: boolean;
  /** one timer per instant, no early aim (SemesterInput.exactTimers); carried by continue-as-new */
  exactTimers?: boolean;
  /** an explicit plan (benchmarks, tests); absent: the semester's plan, from the planner */
  plan?: LadderPlan;
  /** set by continue-as-new */
  carried?: LadderCarried;
}

/** One step of one task at one instant, as applyLadderStep writes it. */
export interface LadderStep {
  taskId: string;
  /** the per-task model's step key: 'opened', 'remind:<at>', 'overdue:<due>', 'level2:<due>' */
  step: string;
  action: 'opened' | 'reminded' | 'overdue' | 'escalated';
  at: number;
  notify: 'assignees' | 'college' | 'school';
  ownerRole: CollegeRole;
  state: { status: 'open' | 'overdue'; escalationLevel: 0 | 1 | 2; remindersSent: number; dueAt: number };
  details: Record<string, unknown>;
}

/** A completion, waiver or moved due date of one task, as recordLadderTaskEvent writes it. */
export interface LadderTaskEvent {
  semesterId: string;
  collegeId: string;
  taskId: string;
  ownerRole: CollegeRole;
  step: string;
  action: string;
  at: number;
  actor: string;
  notify: 'assignees' | null;
  state: TaskState;
  details: Record<string, unknown>;
  /** a return (退回): the closed row is reopened (store.applyTaskTransition's `reopen`) */
  reopen?: boolean;
}

export type LadderCompleteRequest = CompleteRequest & { taskId: string };
export type LadderWaiveRequest = WaiveRequest & { taskId: string };
export type LadderMoveDueRequest = MoveDueRequest & { taskId: string };

export const ladderCompleteTaskUpdate = defineUpdate<TaskState, [LadderCompleteRequest]>('ladderCompleteTask');
export const ladderWaiveTaskUpdate = defineUpdate<TaskState, [LadderWaiveRequest]>('ladderWaiveTask');
export const ladderMoveDueUpdate = defineUpdate<TaskState, [LadderMoveDueRequest]>('ladderMoveDue');
/** 退回: a leader (or the school admin) returns a completion with a reason; the task reopens. */
export interface LadderReturnRequest {
  taskId: string;
  actor: Actor;
  reason: string;
}
export const ladderReturnTaskUpdate = defineUpdate<TaskState, [LadderReturnRequest]>('ladderReturnTask');

/**
 * A new checklist version for a running semester (issue 12 part 5): the ladder plans the college
 * again from the semester's (new) template version and merges: tasks the new version adds join the
 * plan; tasks it no longer has are retired (closed as waived, their row says why); tasks whose
 * instants changed (a holiday moved, a rule changed) move, an overdue one reopening if its new due
 * date is ahead. Work already done is kept: a completed or waived task is never touched, a due
 * date the school administration moved by hand is kept, and steps already taken are not taken
 * again. The school administration only, with a reason.
 */
export interface LadderReplanRequest {
  actor: Actor;
  templateVersion: number;
  reason: string;
}
export interface LadderReplanResult {
  templateVersion: number;
  added: string[];
  retired: string[];
  moved: string[];
  /** tasks whose instants the new version changes but that keep theirs: closed, or moved by hand */
  kept: string[];
}
export const ladderReplanUpdate = defineUpdate<LadderReplanResult, [LadderReplanRequest]>('ladderReplan');

/** A returned task's plan as the read model holds it (activities/ladder.ts ladderTaskFromReadModel). */
export interface LadderTaskFromReadModel extends LadderPlanTask {
  remindersSent: number;
}

/** A task's state as task.ts's taskState query gives it; null for a task not in this ladder. */
export const ladderTaskStateQuery = defineQuery<TaskState | null, [taskId: string]>('ladderTaskState');
export interface LadderSummary {
  open: number;
  planned: number;
  level1: number;
  level2: number;
  completed: number;
  waived: number;
  /** the next instant the ladder wakes at, or null */
  nextAt: number | null;
}
export const ladderSummaryQuery = defineQuery<LadderSummary>('ladderSummary');
