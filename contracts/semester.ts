/**
 * The semester workflows' contract (workflows/semester.ts, workflows/college-semester.ts): their
 * inputs and the semester's Signal/Update/Query definitions. The name strings are in every
 * recorded history: never change them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export interface SemesterInput {
  semesterId: string;
  collegeIds: string[];
  /** index task workflows by SemesterId/CollegeId/TaskKind (false where the server lacks them, e.g. the time-skipping test server) */
  searchAttributes?: boolean;
  /**
   * How the tasks run (semesters.task_model): absent or 'per-task', a college-semester per college
   * starting a task workflow per task; 'ladder', a college ladder per college (ADR 0005). Histories
   * recorded before the switch carry no model and replay on the per-task branch unchanged.
   */
  taskModel?: 'per-task' | 'ladder';
  /**
   * The server fires timers at their instant (the time-skipping test server of a simulation): the
   * college ladders set one timer per instant, without the early aim (workflows/ladder/clock.ts).
   * Absent: aim early, as on a real server.
   */
  exactTimers?: boolean;
}

/** @deprecated kept for histories that used it: the app sends the addCollege Update */
export const addCollegeSignal = defineSignal<[collegeId: string]>('addCollege');

/** Adds a college mid-semester; answers the colleges started or queued so far. */
export const addCollegeUpdate = defineUpdate<string[], [collegeId: string]>('addCollege');

export const semesterCollegesQuery = defineQuery<string[]>('semesterColleges');

export interface CollegeSemesterInput {
  semesterId: string;
  collegeId: string;
  /** index of the next planned task to start (carried over continue-as-new) */
  nextIndex: number;
  /** index task workflows with search attributes (default true) */
  searchAttributes?: boolean;
}
