/**
 * The pairing's contract (workflows/pairing.ts): its input and the Update definitions. The name
 * strings are in every recorded history: never change them.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { StaffActor } from './supervision';

export interface PairingInput {
  pairingId: string;
  collegeId: string;
  teacherUserId: string;
  /** the clock's start: the pairing, or the last talk (carried over continue-as-new) */
  lastTalkAt: number;
  talkEveryMs: number;
  remindBeforeMs: number;
  schoolAfterMs: number;
}

export const recordTalkUpdate = defineUpdate<{ lastTalkAt: number }, [{ actor: StaffActor; note: string }]>(
  'recordTalk',
);

export const endPairingUpdate = defineUpdate<void, [{ actor: StaffActor; reason: string }]>('endPairing');

/**
 * A new teacher for the pairing (a departing teacher's hand-over, server/hand-over.ts): the school
 * administration or the college leader; the clock runs on, its reminders go to the new teacher.
 */
export const changeTeacherUpdate = defineUpdate<
  { teacherUserId: string },
  [{ actor: StaffActor; teacherUserId: string; reason: string }]
>('changeTeacher');
