/**
 * One run of the college ladder as its Update handlers see it (workflows/college-ladder.ts builds it):
 * its input and carried state, the tasks it runs by id, and the helpers every handler shares.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { CollegeLadderInput, LadderCarried, LadderTask, LadderTaskEvent } from '../../contracts/ladder';
import type { Actor, TaskState } from '../../contracts/task';

export function reject(message: string): never {
  throw ApplicationFailure.create({ type: 'TaskUpdateRejected', message, nonRetryable: true });
}

/** Rejects when a rule of domain/permissions.ts refuses the actor. */
export function refuse(refusal: string | null): void {
  if (refusal) reject(refusal);
}

export interface LadderRun {
  input: CollegeLadderInput;
  state: LadderCarried;
  byId: Map<string, LadderTask>;
  /** tasks whose return is being written (a second return of the same task waits for none: it is refused) */
  returning: Set<string>;
  /** completions and waivers of this run, for the answers of queries and repeated Updates */
  closedState: Map<string, TaskState>;
  flags: {
    /** bumped by every Update, so the timer wait recomputes the next instant */
    version: number;
    /** a replan is running: the ladder's loop waits (workflows/ladder/replan.ts) */
    replanning: boolean;
  };
  stateOf(t: LadderTask): TaskState;
  indexLevel(): void;
  /** The task an Update is about, open; or a rejection worded as task.ts words it. */
  openTask(taskId: unknown, closedMessage: (how: 'completed' | 'waived') => string): LadderTask;
  checkActorOfCollege(actor: Actor): void;
  close(t: LadderTask, how: 'completed' | 'waived'): void;
  record(e: Omit<LadderTaskEvent, 'semesterId' | 'collegeId'>): Promise<unknown>;
}
