/**
 * The shapes of the notification outbox (notifications/outbox.ts): its options, results and
 * errors, and the stable idempotency key of a delivery row.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { EmailChannel } from './email';
import type { WebhookChannel } from './webhook';

export interface Channels {
  email?: EmailChannel;
  webhook?: WebhookChannel;
}

export interface OutboxOptions {
  knex: Knex;
  channels: Channels;
  /** only events whose notification kind is listed go to the webhook; default: every event. */
  webhookKinds?: readonly string[];
  /** a claim not renewed for this long may be taken over (default 10 s; renewed every `renewEveryMs`). */
  leaseMs?: number;
  /**
   * how stale a claim must be before the sweep takes it over (default 2 min). A delivery whose
   * worker died is taken over after one lease by Temporal's retry of its activity (the heartbeat
   * stops); the sweep waits longer, because during a database outage a live deliverer can renew
   * nothing, and its claim must not be re-sent by another replica the moment the database returns
   * (its mark-sent is being retried: test/faults pg-outage found this duplicate).
   */
  sweepTakeoverMs?: number;
  /** @deprecated the former name of leaseMs */
  staleClaimMs?: number;
  /** how often a deliverer renews its claims and heartbeats while it works (default leaseMs / 4). */
  renewEveryMs?: number;
  /** the mark-sent after an accepted send is retried this way before deliver() gives up (default about 2 minutes). */
  markRetry?: { attempts: number; initialMs: number; maxMs: number };
  /** told about every database error the outbox rides out or gives up on (what: 'mark-sent', 'renew', 'sweep', …) */
  onDbError?: (what: string, err: Error) => void | Promise<void>;
  /** how long deliver() waits for rows another deliverer is sending (default 30 s). */
  inFlightWaitMs?: number;
  /** poll interval while waiting for another deliverer (default 200 ms). */
  pollMs?: number;
  now?: () => number;
}

export interface DeliverOptions {
  /** called on every renewal beat while deliver() works (the activity passes Context.heartbeat) */
  heartbeat?: () => void;
}

export interface SweepResult {
  /** messages sent by this sweep */
  sent: number;
  /** messages whose send failed again */
  failed: number;
}

// what one delivery call answers: contracts/deliveries.ts (the workflows' side of the activity)
import type { DeliveryResult } from '../contracts/deliveries';
export type { DeliveryResult };

export interface DeliveryFailure {
  deliveryId: number;
  channel: 'email' | 'webhook';
  error: string;
}

/** Thrown by deliver() when a message could not be sent; the sent ones stay sent. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly eventKey: string,
    readonly failures: DeliveryFailure[],
    readonly result: DeliveryResult,
  ) {
    super(
      `notification delivery for event ${eventKey}: ${failures.length} message(s) not sent ` +
        `(${result.sent} sent now, ${result.skipped} already sent): ` +
        failures.map((f) => `delivery ${f.deliveryId} (${f.channel}): ${f.error}`).join('; '),
    );
  }
}

/** The stable idempotency key of one delivery row: what a receiver sees twice if a kill ever resends it. */
export function deliveryKey(dedupeKey: string): string {
  return `rx-${crypto.createHash('sha256').update(dedupeKey).digest('hex').slice(0, 16)}`;
}

/** How often the worker sweeps failed deliveries (startSweeper): recovery within this after a channel returns. */
export const SWEEP_EVERY_MS = 15_000;
