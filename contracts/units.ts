/**
 * The contract of the class and dorm levels' workflows (issue 16 part 2): the weekly reports of one
 * college in one semester (workflows/unit-reports.ts, one workflow for all its units, as the college
 * ladder) and the follow-up of a concern (workflows/unit-concern.ts). Ids only: no student data.
 * The name strings are in every recorded history: never change them.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { StaffActor } from './supervision';

export type UnitWeekAction = 'opened' | 'reminded' | 'overdue' | 'escalated';

/** One week's instants (domain/units.ts reportWeeks). */
export interface UnitReportWeekPlan {
  weekNo: number;
  openAt: number;
  remindAt: number | null;
  dueAt: number;
  escalateAt: number;
}

/** One step of one week, taken at its instant for every unit of the college. */
export interface UnitWeekStep {
  /** w03/opened: with the workflow's semester and college, the idempotency key */
  key: string;
  weekNo: number;
  action: UnitWeekAction;
  at: number;
  dueAt: number;
}

export interface UnitReportsCarried {
  weeks: UnitReportWeekPlan[];
  /** the step keys already taken */
  done: string[];
}

export interface UnitReportsInput {
  semesterId: string;
  collegeId: string;
  /** carried over continue-as-new */
  carried?: UnitReportsCarried;
}

export interface UnitReportsPlan {
  weeks: UnitReportWeekPlan[];
}

/** What the workflow's local activity wrote: the event keys whose notifications go out on the external channels. */
export interface UnitStepsResult {
  notify: string[];
}

export const unitReportsWorkflowId = (semesterId: string, collegeId: string): string =>
  `unit-reports.${semesterId}.${collegeId}`;

// -- a concern's follow-up --

export type ConcernResponseKind = 'noted' | 'interview' | 'key_care' | 'crisis';

export interface UnitConcernInput {
  reportId: string;
  collegeId: string;
  /** the response deadline (filed + the school's setting) */
  respondBy: number;
  /** a concern still unanswered this long after its deadline goes to the school */
  schoolAfterMs: number;
}

export interface ConcernEvent {
  reportId: string;
  collegeId: string;
  /** raised | overdue | school | responded */
  step: string;
  at: number;
  actor: string;
  details?: Record<string, unknown>;
}

export const unitConcernWorkflowId = (reportId: string): string => `unit-concern.${reportId}`;

/**
 * The counsellor's response to a concern: noted, or the id of the screening warning, key-care entry
 * or crisis case the response opened (through those features' use cases).
 */
export const respondConcernUpdate = defineUpdate<
  { respondedAt: number },
  [{ actor: StaffActor; response: ConcernResponseKind; note: string; ref: string | null }]
>('respondConcern');
