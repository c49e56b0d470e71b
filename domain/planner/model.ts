/** The planner's result and error types (../planner.ts). */
import type { DateTime } from 'luxon';
import type { PlannedTask } from '../../contracts/checklist';

export class PlanError extends Error {
  override name = 'PlanError';
}

export interface Plan {
  semesterId: string;
  timezone: string;
  startsAt: number;
  /** end of the semester's last day */
  endsAt: number;
  tasks: PlannedTask[];
}

/** Dates for one occurrence of a task, before it is multiplied over colleges. */
export interface Occurrence {
  occurrence: string | null;
  open: DateTime;
  due: DateTime;
}

/**
 * A holiday reminder that the semester's calendar could not date as written: the holiday is
 * missing or merged into another, and the template's rule (skip or merge-into) decided.
 */
export interface PlanAdjustment {
  templateTaskId: string;
  /** the holiday kind the task names */
  holiday: string;
  /** missing: the calendar has no such holiday; merged: it falls inside another holiday this year */
  situation: 'missing' | 'merged';
  rule: 'skip' | `merge-into:${string}`;
  /** what happened, in words */
  reason: string;
  reasonZh: string;
}
