/**
 * Where a ladder's lag goes at one due instant (bench:escalation, ladder model): from each college
 * ladder's history, the server's timer firing, the worker picking up the workflow task, and the
 * workflow task's end (the local activity's write is done inside it), each measured from the due
 * instant; and the read model's clock when the row became overdue (the probe). Printed as p50/max
 * over the ladders, so a slow step shows which part of the path it is: the server, the queue to
 * the worker, or the write.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { collegeLadderWorkflowId } from '../contracts/ids';
import { pct } from './lib';

const T = temporal.api.enums.v1.EventType;

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : NaN;

export interface LadderLagParts {
  timerFired: number[];
  /** the fired timer's started event + its duration − due: where the server was asked to fire it */
  timerAimed: number[];
  taskStarted: number[];
  taskCompleted: number[];
}

/** From each ladder's history: the first timer fired at or after `due`, and the workflow task that followed it. */
export async function ladderLagParts(client: Client, semesterId: string, collegeIds: string[], due: number) {
  const parts: LadderLagParts = { timerFired: [], timerAimed: [], taskStarted: [], taskCompleted: [] };
  await Promise.all(
    collegeIds.map(async (collegeId) => {
      const history = await client.workflow.getHandle(collegeLadderWorkflowId(semesterId, collegeId)).fetchHistory();
      const events = history.events ?? [];
      const fired = events.findIndex((e) => e.eventType === T.EVENT_TYPE_TIMER_FIRED && ms(e.eventTime) >= due - 5);
      if (fired < 0) return;
      parts.timerFired.push(ms(events[fired]!.eventTime) - due);
      const startedId = Number(events[fired]!.timerFiredEventAttributes?.startedEventId ?? 0);
      const timerStarted = events.find((e) => Number(e.eventId) === startedId);
      const duration = timerStarted?.timerStartedEventAttributes?.startToFireTimeout;
      if (timerStarted && duration) parts.timerAimed.push(ms(timerStarted.eventTime) + ms(duration) - due);
      const after = events.slice(fired);
      const started = after.find((e) => e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_STARTED);
      const completed = after.find((e) => e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      if (started) parts.taskStarted.push(ms(started.eventTime) - due);
      if (completed) parts.taskCompleted.push(ms(completed.eventTime) - due);
    }),
  );
  return parts;
}

/** One line: p50 and max of each part, in ms from the due instant. */
export function lagPartsLine(parts: LadderLagParts, seen: number[]): string {
  const f = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? `p50 ${Math.round(pct(s, 50))} max ${Math.round(s[s.length - 1]!)}` : 'none';
  };
  return (
    `where the lag goes (ms after the due instant, over ${parts.timerFired.length} ladders): ` +
    `timer aimed ${f(parts.timerAimed)} · timer fired ${f(parts.timerFired)} · workflow task started ${f(parts.taskStarted)} · ` +
    `row overdue ${f(seen)} · workflow task completed ${f(parts.taskCompleted)}`
  );
}
