/**
 * The notification outbox. A task transition writes its in-app inbox rows (the always-on channel)
 * in one transaction with the read model (db/store.ts applyTaskTransition); a later activity calls
 * `deliver(eventKey)`, which copies that event onto the configured external channels:
 *
 * - e-mail: one message per inbox notification whose recipient is active and has an address;
 * - webhook: one message per event (the group robot is one recipient), with the title and body of
 *   the event's first notification.
 *
 * Exactly once, as far as the receiver allows (issue 15):
 * - Every message carries a stable key derived from its delivery row: the e-mail's Message-ID,
 *   and for the robot a `[#rx-…]` last line and an `Idempotency-Key` header (deliveryKey()).
 * - Delivery rows (table notification_deliveries) are created idempotently, keyed by dedupe_key.
 *   Each row is claimed before it is sent (pending|failed → sending, one UPDATE, so only one
 *   deliverer wins it). A claim is a short lease (`leaseMs`, 10 s) that the deliverer renews
 *   while it sends (and heartbeats to Temporal on the same beat); a claim not renewed within the
 *   lease (its deliverer died) is taken over.
 * - Once a receiver accepted a message, the row id is remembered in this process before the
 *   mark-sent, and the mark-sent is retried with backoff (`markRetry`): a database outage between
 *   the two never sends it again from this process, and a later delivery only marks it.
 *   The only duplicate left is a send in flight when the process is killed; it carries the same key.
 * - When a send fails, deliver() tries the rest, then throws an error listing the failures: the
 *   calling Temporal activity is retried, and the retry sends only what is not yet sent.
 * - `sweep()` (run by the worker every `SWEEP_EVERY_MS`, startSweeper) re-sends failed rows, rows
 *   an admin queued again, and stale claims, so nothing is dropped after the activity's last
 *   attempt: they go out on their own once the channel is back.
 *
 * Only the notification's title and body leave the system: they describe duties, never students.
 */
import * as deliveries from '../db/repositories/outbox';
import type { DeliveryRow } from '../db/repositories/outbox';
import { deliveryRowsFor, errorText, sendDelivery } from './outbox-send';
import { keepAlive as createKeepAlive, startSweeperLoop, type KeepAlive } from './outbox-lease';
import {
  DeliveryError,
  SWEEP_EVERY_MS,
  type DeliverOptions,
  type DeliveryFailure,
  type DeliveryResult,
  type OutboxOptions,
  type SweepResult,
} from './outbox-types';

export * from './outbox-types';
export { createChannels, createDeliveryActivities, type DeliveryActivities } from './outbox-activities';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** a sweep stops trying a channel after this many failures in a row (the channel is still down) */
const SWEEP_GIVE_UP_AFTER = 3;
const SWEEP_BATCH = 100;

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

export function createOutbox(opts: OutboxOptions) {
  const { knex: db, channels } = opts;
  const leaseMs = opts.leaseMs ?? opts.staleClaimMs ?? 10_000;
  const renewEveryMs = opts.renewEveryMs ?? Math.max(10, Math.floor(leaseMs / 4));
  const sweepTakeoverMs = Math.max(leaseMs, opts.sweepTakeoverMs ?? 120_000);
  const markRetry = opts.markRetry ?? { attempts: 80, initialMs: 100, maxMs: 2000 };
  const inFlightWaitMs = opts.inFlightWaitMs ?? 30_000;
  const pollMs = opts.pollMs ?? 200;
  const now = opts.now ?? Date.now;
  const webhookKinds = opts.webhookKinds ? new Set(opts.webhookKinds) : null;
  /** rows a receiver accepted whose mark-sent has not reached the database yet: never sent again from here */
  const accepted = new Set<number>();

  async function dbError(what: string, err: unknown): Promise<void> {
    const e = asError(err);
    try {
      await opts.onDbError?.(what, e);
    } catch {
      // an observer's failure changes nothing
    }
    if (!opts.onDbError) console.warn(`outbox: ${what}: ${e.message}`);
  }

  /** Creates the event's missing delivery rows (INSERT … ON CONFLICT (dedupe_key) DO NOTHING). */
  async function ensureRows(eventKey: string): Promise<void> {
    const notes = await deliveries.eventRecipients(db, eventKey);
    if (notes.length === 0) return;
    const rows = deliveryRowsFor(eventKey, notes, channels, webhookKinds, now());
    await deliveries.insertDeliveries(db, rows);
  }

  const enabledChannels = () => (['email', 'webhook'] as const).filter((c) => channels[c]);

  /** The event's delivery rows on the configured channels, with their message. */
  async function loadRows(eventKey: string, ids?: number[]): Promise<DeliveryRow[]> {
    const enabled = enabledChannels();
    if (enabled.length === 0) return [];
    return deliveries.eventDeliveries(db, eventKey, enabled, ids);
  }

  const leaseOptions = {
    renew: (id: number, claimedAt: number, at: number) => deliveries.renewClaim(db, id, claimedAt, at),
    now,
    renewEveryMs,
    onError: dbError,
  };
  const keepAlive = (heartbeat?: () => void) => createKeepAlive(leaseOptions, heartbeat);

  /** Takes the row for this deliverer: its claimed_at when this call won it, else null. */
  async function claim(id: number): Promise<number | null> {
    const at = now();
    return (await deliveries.claimDelivery(db, id, at, at - leaseMs)) ? at : null;
  }

  /**
   * Records an accepted send: remembered in this process first, then written, retried with
   * backoff through a database outage. Throws when the database stays away past the retries (the
   * row id stays remembered: a later delivery from this process only marks it).
   */
  async function markSent(id: number): Promise<void> {
    accepted.add(id);
    for (let attempt = 1; ; attempt++) {
      try {
        await deliveries.markDeliverySent(db, id, now());
        accepted.delete(id);
        return;
      } catch (err) {
        await dbError('mark-sent', err);
        if (attempt >= markRetry.attempts) throw err;
        await sleep(Math.min(markRetry.maxMs, markRetry.initialMs * 2 ** (attempt - 1)));
      }
    }
  }

  async function markFailed(id: number, error: string): Promise<void> {
    await deliveries.markDeliveryFailed(db, id, error);
  }

  /**
   * Claims and sends one row; 'sent', 'failed', 'busy' when another deliverer holds it, or
   * 'marked' when this process had sent it already and only its mark-sent was missing.
   */
  async function attempt(
    row: DeliveryRow,
    failures: DeliveryFailure[],
    live: KeepAlive,
  ): Promise<'sent' | 'failed' | 'busy' | 'marked'> {
    if (accepted.has(row.id)) {
      await markSent(row.id);
      return 'marked';
    }
    const claimedAt = await claim(row.id);
    if (claimedAt === null) return 'busy';
    live.hold(row.id, claimedAt);
    try {
      try {
        await sendDelivery(channels, row);
      } catch (err) {
        const error = errorText(err);
        await markFailed(row.id, error);
        failures.push({ deliveryId: row.id, channel: row.channel, error });
        return 'failed';
      }
      await markSent(row.id);
      return 'sent';
    } finally {
      live.release(row.id);
    }
  }

  async function deliver(eventKey: string, options: DeliverOptions = {}): Promise<DeliveryResult> {
    if (!channels.email && !channels.webhook) return { sent: 0, skipped: 0 };
    const live = keepAlive(options.heartbeat);
    try {
      await ensureRows(eventKey);
      const result: DeliveryResult = { sent: 0, skipped: 0 };
      const failures: DeliveryFailure[] = [];
      let busy: Array<Pick<DeliveryRow, 'id' | 'channel'>> = [];

      for (const row of await loadRows(eventKey)) {
        live.beat();
        if (row.status === 'sent') {
          result.skipped++;
          continue;
        }
        const outcome = await attempt(row, failures, live);
        if (outcome === 'sent') result.sent++;
        else if (outcome === 'marked') result.skipped++;
        else if (outcome === 'busy') busy.push(row);
      }

      // Rows another deliverer holds: wait until it is done with them. What it sent counts as
      // skipped; what it failed is reported as failed here too (the retry will send it), and a
      // claim whose lease ran out meanwhile (its deliverer died) is taken over.
      const deadline = now() + inFlightWaitMs;
      while (busy.length > 0) {
        if (now() >= deadline) {
          failures.push(
            ...busy.map((b) => ({
              deliveryId: b.id,
              channel: b.channel,
              error: 'still being sent by another deliverer',
            })),
          );
          break;
        }
        await sleep(pollMs);
        live.beat();
        const still: typeof busy = [];
        for (const row of await loadRows(
          eventKey,
          busy.map((b) => b.id),
        )) {
          if (row.status === 'sent') result.skipped++;
          else if (row.status === 'failed')
            failures.push({
              deliveryId: row.id,
              channel: row.channel,
              error: `failed in a concurrent delivery: ${row.lastError ?? 'unknown error'}`,
            });
          else if (row.status === 'sending' && (row.claimedAt ?? 0) >= now() - leaseMs) still.push(row);
          else {
            const outcome = await attempt(row, failures, live);
            if (outcome === 'sent') result.sent++;
            else if (outcome === 'marked') result.skipped++;
            else if (outcome === 'busy') still.push(row);
          }
        }
        busy = still;
      }

      if (failures.length > 0) throw new DeliveryError(eventKey, failures, result);
      return result;
    } finally {
      live.stop();
    }
  }

  /**
   * Re-sends what no delivery is working on: failed rows, pending rows (older than a lease, or
   * tried before and queued again by an admin) and claims stale for sweepTakeoverMs, oldest attempt
   * first, per channel. A channel that fails SWEEP_GIVE_UP_AFTER times in a row is left for the
   * next sweep (it is still down). Never throws for a failed send; the rows stay failed, with
   * their error, for the admin page.
   */
  async function sweep(options: DeliverOptions & { limit?: number } = {}): Promise<SweepResult> {
    const result: SweepResult = { sent: 0, failed: 0 };
    const live = keepAlive(options.heartbeat);
    try {
      for (const channel of enabledChannels()) {
        const stale = now() - leaseMs;
        const rows = await deliveries.sweepCandidates(db, {
          channel,
          staleBefore: stale,
          takeoverBefore: now() - sweepTakeoverMs,
          limit: options.limit ?? SWEEP_BATCH,
        });
        let failedInARow = 0;
        for (const row of rows) {
          live.beat();
          const failures: DeliveryFailure[] = [];
          const outcome = await attempt(row, failures, live);
          if (outcome === 'sent') {
            result.sent++;
            failedInARow = 0;
          } else if (outcome === 'failed') {
            result.failed++;
            if (++failedInARow >= SWEEP_GIVE_UP_AFTER) break;
          }
        }
      }
      return result;
    } finally {
      live.stop();
    }
  }

  /** Runs sweep() every `everyMs` (one at a time) until the returned stop() is awaited. */
  function startSweeper(everyMs: number = SWEEP_EVERY_MS): () => Promise<void> {
    return startSweeperLoop(() => sweep(), dbError, everyMs);
  }

  return {
    deliver,
    sweep,
    startSweeper,
    /** Whether an external channel (e-mail, webhook) is configured: without one, deliver() sends nothing. */
    hasChannels(): boolean {
      return enabledChannels().length > 0;
    },
    /** Delivery rows not yet sent (pending, sending or failed), for diagnostics. */
    async pending(): Promise<number> {
      return deliveries.countUnsent(db);
    },
    /** Closes the channels' connections. */
    close(): void {
      channels.email?.close();
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
