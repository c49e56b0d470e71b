/**
 * The 24-hour special supervision's contract (workflows/supervision.ts): durations, input, state,
 * the staff actor of every care Update, and the Update/Query definitions. The name strings are in
 * every recorded history: never change them.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export interface SupervisionDurations {
  checkInEveryMs: number;
  /** after a missed check-in was escalated to the college leader, escalate to the school */
  schoolAfterMs: number;
  /** the supervision's planned length (24 h) */
  supervisionMs: number;
  /** past that length without a hand-over, the school is alerted this often */
  schoolAlertEveryMs: number;
}

export interface SupervisionInput {
  caseId: string;
  collegeId: string;
  startedAt: number;
  durations: SupervisionDurations;
  /** carried over continue-as-new, or the state before the case was started again (CrisisInput.resume) */
  carried?: SupervisionState;
}

export interface HandOver {
  /** who received responsibility (a parent or guardian; written on the record, not in Temporal) */
  receivedBy: string;
  at: number;
  witnessedBy: string[];
}

export interface SupervisionState {
  guardianUserId: string | null;
  lastCheckInAt: number;
  checkIns: number;
  missed: number;
  schoolAlerts: number;
  handOver: HandOver | null;
}

export interface StaffActor {
  userId: string;
  role: string;
  collegeId: string | null;
}

export const setGuardianUpdate = defineUpdate<SupervisionState, [{ actor: StaffActor; guardianUserId: string }]>(
  'setGuardian',
);

export const checkInUpdate = defineUpdate<SupervisionState, [{ actor: StaffActor; note: string }]>('checkIn');

export const handOverUpdate = defineUpdate<SupervisionState, [{ actor: StaffActor } & HandOver]>('handOver');

export const supervisionStateQuery = defineQuery<SupervisionState>('supervisionState');
