/**
 * The outbox's claims held while a deliver() or sweep() works (notifications/outbox.ts): renewed on
 * every beat with the activity's heartbeat, and the periodic sweeper loop.
 */
import { SWEEP_EVERY_MS } from './outbox-types';

export interface KeepAliveOptions {
  /** compare-and-set renewal of one claim: true when it was still held as `claimedAt` */
  renew: (id: number, claimedAt: number, at: number) => Promise<boolean>;
  now: () => number;
  renewEveryMs: number;
  onError: (what: string, err: unknown) => Promise<void>;
}

export type KeepAlive = ReturnType<typeof keepAlive>;

/**
 * Claims held by one deliver() or sweep(): renewed on every beat (a compare-and-set on
 * claimed_at, so a claim someone else took over is not renewed), with the heartbeat.
 */
export function keepAlive(opts: KeepAliveOptions, heartbeat?: () => void) {
  const { now } = opts;
  const held = new Map<number, number>(); // row id → claimed_at as written
  let renewing = false;
  const beat = async () => {
    try {
      heartbeat?.();
    } catch {
      // a heartbeat failure (e.g. outside an activity) is not ours to handle
    }
    if (renewing || held.size === 0) return;
    renewing = true;
    try {
      for (const [id, claimedAt] of [...held]) {
        if (!held.has(id)) continue;
        const at = Math.max(now(), claimedAt + 1);
        const renewed = await opts.renew(id, claimedAt, at);
        if (renewed && held.has(id)) held.set(id, at);
      }
    } catch (err) {
      await opts.onError('renew', err);
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void beat(), opts.renewEveryMs);
  timer.unref?.();
  return {
    hold: (id: number, claimedAt: number) => held.set(id, claimedAt),
    release: (id: number) => held.delete(id),
    beat: () => {
      try {
        heartbeat?.();
      } catch {
        // as above
      }
    },
    stop: () => clearInterval(timer),
  };
}

/** Runs sweep() every `everyMs` (one at a time) until the returned stop() is awaited. */
export function startSweeperLoop(
  sweep: () => Promise<unknown>,
  onError: (what: string, err: unknown) => Promise<void>,
  everyMs: number = SWEEP_EVERY_MS,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const round = () => {
    running = sweep()
      .then(
        () => undefined,
        (err: unknown) => onError('sweep', err),
      )
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(round, everyMs);
          timer.unref?.();
        }
      });
  };
  timer = setTimeout(round, everyMs);
  timer.unref?.();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
