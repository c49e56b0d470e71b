/**
 * What the workflows share to schedule their activities and refuse their Updates. Activity options
 * are part of the commands a workflow emits (ScheduleActivityTask): a workflow using these keeps
 * the values it had.
 */
import { ApplicationFailure, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';

/** A step of a semester's planning or of its rows (a database transaction): a minute, retried at most every minute. */
export const MINUTE_STEP_OPTIONS: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
};

/** Writing one event of a procedure (one row, idempotent by its key): half a minute, retried at most every half minute. */
export const RECORD_EVENT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};

/** An Update's refusal: `reject(message)` throws a non-retryable failure of `type` that says why. */
export const rejecter =
  (type: string) =>
  (message: string): never => {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
  };
