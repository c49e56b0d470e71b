/**
 * The ladder's wake-ahead (ADR 0005): the write of an instant's steps holds its transaction until
 * the instant when the ladder woke ahead of it, by this process's clock, and never longer than the
 * wake-ahead and a margin; a write for an instant already past, or one far ahead (the time-skipping
 * server's skipped time), goes at once.
 */
import { describe, expect, test } from 'vitest';
import { holdUntil, MAX_HOLD_MS } from '../activities/ladder';
import { LADDER_WAKE_AHEAD_MS } from '../contracts/ladder';

describe('ladder wake-ahead hold', () => {
  test('When the instant is ahead by less than the wake-ahead, then the write waits for it', async () => {
    const t0 = Date.now();
    const waited = await holdUntil(t0 + 300);
    expect(waited).toBeGreaterThan(250);
    expect(Date.now()).toBeGreaterThanOrEqual(t0 + 300);
  });

  test('When there is no instant, or it is past, or it is further ahead than a wake-ahead can be, then the write goes at once', async () => {
    const now = () => 1_000_000;
    expect(await holdUntil(undefined, now)).toBe(0);
    expect(await holdUntil(999_000, now)).toBe(0);
    expect(await holdUntil(1_000_000, now)).toBe(0);
    expect(await holdUntil(1_000_000 + MAX_HOLD_MS + 1, now)).toBe(0);
    expect(await holdUntil(1_000_000 + 86_400_000, now)).toBe(0);
  });

  test('The hold is bounded by the wake-ahead and a one-second margin', () => {
    expect(MAX_HOLD_MS).toBe(LADDER_WAKE_AHEAD_MS + 1000);
  });
});
