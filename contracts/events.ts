/**
 * The fields every procedure's event has besides the ids of its subject (a task's, a crisis case's,
 * a pairing's, a screening warning's: activities/index.ts, crisis.ts, pairing.ts, screening.ts),
 * written by its activity and recorded through workflows/deliveries.ts careRecorder.
 */
export interface EventStep<Notify extends string> {
  /** unique within the subject: with the subject's id it is the idempotency key */
  step: string;
  action: string;
  /** the instant the transition belongs to (the planned timer instant, or when a user acted) */
  at: number;
  /** 'timer', 'system' or a user id */
  actor: string;
  /** who is told; null: nobody */
  notify: Notify | null;
  /** written to the audit log */
  details?: Record<string, unknown>;
}
