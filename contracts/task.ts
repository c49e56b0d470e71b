/**
 * The per-task workflow's contract (workflows/task.ts): its input, state, the Update requests of a
 * completion, a waiver and a moved due date, and the Update/Query definitions. The name strings
 * are in every recorded history: never change them.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Evidence, EvidenceSubmission, PlannedTask, Role } from './checklist';

/** A planned task (domain/planner.ts) as its workflow receives it: epoch instants only. */
export type TaskInput = Omit<PlannedTask, 'id'> & {
  /** the task's stable id, also its workflow id */
  taskId: string;
  evidence: Evidence;
};

export interface Actor {
  userId: string;
  role: Role;
  collegeId: string | null;
}

export type TaskStatus = 'planned' | 'open' | 'overdue' | 'completed' | 'waived';

export interface TaskState {
  taskId: string;
  status: TaskStatus;
  escalationLevel: 0 | 1 | 2;
  remindersSent: number;
  openAt: number;
  dueAt: number;
  remindAts: number[];
  level2At: number;
  completedAt: number | null;
  completedBy: string | null;
  late: boolean;
  waivedReason: string | null;
}

export type CompleteRequest = EvidenceSubmission & { actor: Actor };
export interface WaiveRequest {
  actor: Actor;
  reason: string;
}
/** A moved due date with its ladder instants (computed by the planner's ladder, not here). */
export interface MoveDueRequest {
  actor: Actor;
  dueAt: number;
  remindAts: number[];
  level2At: number;
  reason: string;
}

export const completeTaskUpdate = defineUpdate<TaskState, [CompleteRequest]>('completeTask');
export const waiveTaskUpdate = defineUpdate<TaskState, [WaiveRequest]>('waiveTask');
export const moveDueUpdate = defineUpdate<TaskState, [MoveDueRequest]>('moveDue');
export const taskStateQuery = defineQuery<TaskState>('taskState');
