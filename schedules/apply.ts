/**
 * Makes the server's Schedules match their definitions (./definitions.ts), idempotently:
 * absent → created; present but different → updated; equal → left alone. Applying twice leaves
 * one schedule per id. Plus the operator's verbs: list, pause, resume, trigger.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleSpecDescription,
} from '@temporalio/client';
// The SDK's own calendar codec: turns a definition's calendars into the form `describe()` returns
// (defaults filled in: second 0, every month, ...), so the two compare field by field.
import {
  decodeOptionalStructuredCalendarSpecs,
  encodeOptionalStructuredCalendarSpecs,
} from '@temporalio/client/lib/schedule-helpers';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ScheduleDefinition } from './definitions';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export interface ApplyResult {
  scheduleId: string;
  outcome: ApplyOutcome;
  /** what differed before an update: spec, action and/or policies */
  changed: string[];
}

export class UnknownScheduleError extends Error {
  override name = 'UnknownScheduleError';
  constructor(readonly scheduleId: string) {
    super(`unknown schedule "${scheduleId}": there is no schedule with this id (see the list command)`);
  }
}

export async function applySchedules(client: Client, defs: ScheduleDefinition[]): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const def of defs) results.push(await applyOne(client, def));
  return results;
}

async function applyOne(client: Client, def: ScheduleDefinition): Promise<ApplyResult> {
  const { scheduleId, spec, action, policies } = def;
  try {
    // create first: two concurrent applies cannot both create, the loser falls through to update
    await client.schedule.create({ scheduleId, spec, action, policies });
    return { scheduleId, outcome: 'created', changed: [] };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const changed = differences(await handle.describe(), def);
  if (changed.length === 0) return { scheduleId, outcome: 'unchanged', changed };
  // The state is kept: a schedule paused by an operator stays paused, with its note.
  await handle.update((prev) => ({ spec, action, policies, state: prev.state }));
  return { scheduleId, outcome: 'updated', changed };
}

/** Which parts of the schedule on the server differ from the definition. */
function differences(d: ScheduleDescription, def: ScheduleDefinition): string[] {
  const wanted = {
    spec: specOf({
      calendars: decodeOptionalStructuredCalendarSpecs(encodeOptionalStructuredCalendarSpecs(def.spec.calendars)),
      timezone: def.spec.timezone,
    }),
    action: {
      workflowType: def.action.workflowType,
      workflowId: def.action.workflowId,
      taskQueue: def.action.taskQueue,
      args: def.action.args,
    },
    policies: {
      overlap: def.policies.overlap,
      catchupWindow: msToNumber(def.policies.catchupWindow),
      pauseOnFailure: false,
    },
  };
  const actual = {
    spec: specOf(d.spec),
    action: {
      workflowType: d.action.workflowType,
      workflowId: d.action.workflowId,
      taskQueue: d.action.taskQueue,
      args: d.action.args,
    },
    policies: d.policies,
  };
  return (Object.keys(wanted) as Array<keyof typeof wanted>).filter((k) => !isDeepStrictEqual(wanted[k], actual[k]));
}

/** The comparable part of a spec; anything added by hand (intervals, skips, start/end) counts as a difference. */
function specOf(s: ScheduleSpecDescription) {
  return {
    calendars: s.calendars ?? [],
    intervals: s.intervals ?? [],
    skip: s.skip ?? [],
    timezone: s.timezone,
    startAt: s.startAt?.getTime(),
    endAt: s.endAt?.getTime(),
    jitter: s.jitter || undefined,
  };
}

export interface ScheduleListing {
  scheduleId: string;
  workflowType: string;
  paused: boolean;
  note: string;
  spec: ScheduleSpecDescription;
  nextActionTimes: Date[];
  numActionsTaken: number;
}

/**
 * Every schedule of the namespace, plus `ids` (e.g. this school's definitions), described one by
 * one: the server's list is eventually consistent (a new schedule or a pause may show late), a
 * description is not. Sorted by id.
 */
export async function listSchedules(client: Client, ids: string[] = []): Promise<ScheduleListing[]> {
  const all = new Set(ids);
  for await (const s of client.schedule.list()) all.add(s.scheduleId);
  const listings: ScheduleListing[] = [];
  for (const scheduleId of [...all].sort()) {
    let d: ScheduleDescription;
    try {
      d = await client.schedule.getHandle(scheduleId).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) continue; // not created yet, or just deleted
      throw err;
    }
    listings.push({
      scheduleId,
      workflowType: d.action.workflowType,
      paused: d.state.paused,
      note: d.state.note ?? '',
      spec: d.spec,
      nextActionTimes: d.info.nextActionTimes,
      numActionsTaken: d.info.numActionsTaken,
    });
  }
  return listings;
}

export const pauseSchedule = (client: Client, scheduleId: string, note: string) =>
  withSchedule(client, scheduleId, (h) => h.pause(note));
export const resumeSchedule = (client: Client, scheduleId: string, note: string) =>
  withSchedule(client, scheduleId, (h) => h.unpause(note));
/** Starts the schedule's workflow now (the overlap policy still applies). */
export const triggerSchedule = (client: Client, scheduleId: string) =>
  withSchedule(client, scheduleId, (h) => h.trigger());

/** Runs `fn` on the schedule's handle; a missing schedule becomes an error naming its id. */
async function withSchedule(
  client: Client,
  scheduleId: string,
  fn: (h: ScheduleHandle) => Promise<void>,
): Promise<void> {
  try {
    await fn(client.schedule.getHandle(scheduleId));
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UnknownScheduleError(scheduleId);
    throw err;
  }
}
