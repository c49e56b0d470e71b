/**
 * What the archive's workflows (workflows/purge-archive.ts, workflows/data-request.ts) share with
 * the server and the activities: their inputs and ids. Students by opaque id only.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { StaffActor } from './supervision';

/** The purge timer of one closed archive: sleeps until the retention is over, then purges. */
export interface PurgeArchiveInput {
  studentId: string;
  schoolId: string;
  /** the purge instant computed at closing (the activity reads the school's current setting again) */
  purgeDueAt: number;
}

export const purgeArchiveWorkflowId = (studentId: string): string => `archive-purge.${studentId}`;

/** What the purge activity answers: done, or the instant to sleep until (the retention was lengthened, or the archive reopened). */
export type PurgeOutcome = { purged: true } | { purged: false; retryAt: number | null };

/**
 * A student's request to see, correct or delete their data (PIPL Art. 44–47), recorded by the
 * counselling centre: its workflow (workflows/data-request.ts) reminds before the deadline and
 * escalates to the school administration when it is missed, until the answer is recorded.
 */
export interface DataRequestInput {
  requestId: string;
  schoolId: string;
  receivedAt: number;
  dueAt: number;
  /** the reminder this long before the deadline (none when already past at the start) */
  remindBeforeMs: number;
}

export const dataRequestWorkflowId = (requestId: string): string => `data-request.${requestId}`;

/** The answer: what was given, corrected or deleted. The name string is in every recorded history. */
export const answerDataRequestUpdate = defineUpdate<{ answeredAt: number }, [{ actor: StaffActor; answer: string }]>(
  'answerDataRequest',
);

/** One step of a data request, written by its activity (activities/data-request.ts). */
export interface DataRequestEvent {
  requestId: string;
  step: 'reminder' | 'overdue' | 'answered';
  at: number;
  /** 'timer' or a user id */
  actor: string;
  /** the answer (the 'answered' step only) */
  answer?: string;
}
