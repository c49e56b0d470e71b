/** The procedure's progress as the case page shows it: each step done, due, overdue or waiting, and the next deadline and check-in. */
import type { BranchAction, CrisisDurations } from '../../../../contracts';
import type { CaseStep } from './act';

export const ACTIONS: BranchAction[] = ['parents-authorised', 'taken-to-hospital', 'police-called'];

export type TimelineEvent = { at: number; action: string; actor: string };

/** Each step of the procedure as done, due or overdue, from the timeline and the case's durations; the next deadline and check-in. */
export function progressOf(
  k: { situation: string; status: string; reportedAt: number; durations: CrisisDurations },
  timeline: TimelineEvent[],
  nowMs: number,
) {
  const first = (...actions: string[]) => timeline.find((e) => actions.includes(e.action))?.at ?? null;
  const d = k.durations;
  const supervised = k.situation === 'self_harm_risk';
  const handedOver = first('handed-over');
  const closed = k.status === 'closed' || first('five-ones') !== null;
  const lastCheckIn = [...timeline].reverse().find((e) => e.action === 'check-in')?.at ?? k.reportedAt;
  const nextCheckIn = supervised && handedOver === null && !closed ? lastCheckIn + d.checkInEveryMs : null;
  const steps: Array<{ key: CaseStep; doneAt: number | null; deadline: number | null; waiting?: boolean }> = [
    { key: 'on-scene', doneAt: first('on-scene'), deadline: k.reportedAt + d.onSceneAckMs },
    { key: 'school-notified', doneAt: first('school-notified'), deadline: k.reportedAt + d.schoolNotifyMs },
    { key: 'action', doneAt: first(...ACTIONS), deadline: null },
    ...(supervised
      ? [
          { key: 'guardian' as const, doneAt: first('guardian-assigned'), deadline: null },
          { key: 'check-in' as const, doneAt: handedOver, deadline: nextCheckIn },
          { key: 'hand-over' as const, doneAt: handedOver, deadline: k.reportedAt + d.supervisionMs },
        ]
      : []),
    { key: 'five-ones', doneAt: first('five-ones'), deadline: null, waiting: supervised && handedOver === null },
  ];
  const rows = steps.map((x) => ({
    ...x,
    state:
      x.doneAt !== null
        ? 'done'
        : closed
          ? 'none'
          : x.deadline !== null
            ? nowMs > x.deadline
              ? 'overdue'
              : 'due'
            : x.waiting
              ? 'waiting'
              : 'none',
  }));
  const pending = rows
    .filter((x) => (x.state === 'due' || x.state === 'overdue') && x.deadline !== null)
    .sort((a, b) => a.deadline! - b.deadline!);
  return { rows, next: pending[0] ?? null, nextCheckIn };
}
