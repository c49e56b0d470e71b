/**
 * The college ladder's clock and timer aim (workflows/college-ladder.ts; ADR 0005, fourth round).
 *
 * Date.now() in a workflow is the start of the current workflow task, but the server counts a new
 * timer from the task's END. A task that ran a local write (an instant's steps, an Update's event)
 * ended later by the write's duration, and a timer set from Date.now() alone fired that much late
 * (the escalation bench: 1.35 s at 1,000 tasks). The writes return when they finished (`doneAt`,
 * recorded in their markers, so a replay sees the same value); a timer counts from the later of
 * the two clocks. The server's clock still decides that an instant has come: when only the
 * worker's clock says so, the ladder waits for the server's, it never writes early. Histories
 * recorded before carry no doneAt and run as before. (test/ladder-clock.timeskip.test.ts)
 */

/** How early a long wait's first timer fires; see aimEarly. */
export const AIM_EARLY_MS = 1_000;

export function ladderClock() {
  let seen = 0;
  return {
    /** Notes a write's finishing time; returns the write's result. */
    saw<R extends { doneAt?: number }>(r: R): R {
      if (typeof r.doneAt === 'number' && r.doneAt > seen) seen = r.doneAt;
      return r;
    },
    /** How long to wait for `instant`: from the later clock; when only the worker's clock has reached it, the server's. */
    timerUntil(instant: number): number {
      const wait = instant - Math.max(Date.now(), seen);
      return wait > 0 ? wait : instant - Date.now();
    },
  };
}

/**
 * The first timer of a wait. The task that sets it had just written an instant's steps and ended
 * a few hundred ms after its write returned while many ladders wrote at once (19 in the bench).
 * So a wait longer than two AIM_EARLY_MS aims that much early; on waking, the ladder sets the last
 * timer from a workflow task that does nothing else. One more timer per instant, and nothing is
 * written before the instant. `patched` is asked only for such a wait (patched('ladder-aim-early'):
 * histories recorded before replay with one timer per instant).
 */
export function aimEarly(wait: number, patched: () => boolean): number {
  return wait > 2 * AIM_EARLY_MS && patched() ? wait - AIM_EARLY_MS : wait;
}
