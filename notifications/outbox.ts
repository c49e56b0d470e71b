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
import crypto from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { createEmailChannel, type EmailChannel } from './email';
import type { ChannelConfig } from './config';
import { createWebhookChannel, type WebhookChannel } from './webhook';

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

export interface DeliveryResult {
  /** messages this call sent */
  sent: number;
  /** messages already sent, by an earlier call or a concurrent one */
  skipped: number;
}

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

type Status = 'pending' | 'sending' | 'sent' | 'failed';

interface DeliveryRow {
  id: number;
  notificationId: number;
  channel: 'email' | 'webhook';
  target: string;
  status: Status;
  claimedAt: number | null;
  lastError: string | null;
  dedupeKey: string;
  eventKey: string;
  title: string;
  body: string;
}

const TABLE = 'notification_deliveries';
const MAX_ERROR_CHARS = 1000;
const INSERT_CHUNK = 100; // rows of 7 columns: far below SQLite's bound-variable limit

const EMAIL_FOOTER = '\n\n——\n本邮件由心理健康工作督办系统自动发送，请勿直接回复；详情请登录系统查看。';

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The stable idempotency key of one delivery row: what a receiver sees twice if a kill ever resends it. */
export function deliveryKey(dedupeKey: string): string {
  return `rx-${crypto.createHash('sha256').update(dedupeKey).digest('hex').slice(0, 16)}`;
}

/** How often the worker sweeps failed deliveries (startSweeper): recovery within this after a channel returns. */
export const SWEEP_EVERY_MS = 15_000;
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
    const notes = (await db('notifications as n')
      .join('users as u', 'u.id', 'n.recipient_user_id')
      .where({ 'n.event_key': eventKey, 'n.channel': 'inbox' })
      .orderBy('n.id')
      .select('n.id', 'n.kind', 'u.email', 'u.active')) as Array<{
      id: number;
      kind: string;
      email: string | null;
      active: unknown;
    }>;
    const first = notes[0];
    if (!first) return;
    const at = now();
    const rows: Array<Record<string, unknown>> = [];
    if (channels.email) {
      for (const n of notes) {
        const email = n.email?.trim();
        const active = n.active === true || n.active === 1 || n.active === '1';
        if (!email || !active) continue;
        rows.push({
          notification_id: Number(n.id),
          event_key: eventKey,
          channel: 'email',
          target: email,
          dedupe_key: `email:${Number(n.id)}`,
          status: 'pending',
          created_at: at,
        });
      }
    }
    if (channels.webhook && (!webhookKinds || notes.some((n) => webhookKinds.has(n.kind)))) {
      rows.push({
        notification_id: Number(first.id),
        event_key: eventKey,
        channel: 'webhook',
        target: channels.webhook.target,
        dedupe_key: `webhook:${eventKey}`,
        status: 'pending',
        created_at: at,
      });
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await db(TABLE)
        .insert(rows.slice(i, i + INSERT_CHUNK))
        .onConflict('dedupe_key')
        .ignore();
    }
  }

  const enabledChannels = () => (['email', 'webhook'] as const).filter((c) => channels[c]);

  function toRow(r: Record<string, unknown>): DeliveryRow {
    return {
      id: Number(r.id),
      notificationId: Number(r.notification_id),
      channel: r.channel as DeliveryRow['channel'],
      target: String(r.target),
      status: r.status as Status,
      claimedAt: r.claimed_at === null || r.claimed_at === undefined ? null : Number(r.claimed_at),
      lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
      dedupeKey: String(r.dedupe_key),
      eventKey: String(r.event_key),
      title: String(r.title),
      body: String(r.body),
    };
  }

  const ROW_COLUMNS = [
    'd.id',
    'd.notification_id',
    'd.channel',
    'd.target',
    'd.status',
    'd.claimed_at',
    'd.last_error',
    'd.dedupe_key',
    'd.event_key',
    'n.title',
    'n.body',
  ];

  /** The event's delivery rows on the configured channels, with their message. */
  async function loadRows(eventKey: string, ids?: number[]): Promise<DeliveryRow[]> {
    const enabled = enabledChannels();
    if (enabled.length === 0) return [];
    const q = db(`${TABLE} as d`)
      .join('notifications as n', 'n.id', 'd.notification_id')
      .where('d.event_key', eventKey)
      .whereIn('d.channel', enabled)
      .orderBy('d.id')
      .select(ROW_COLUMNS);
    if (ids) q.whereIn('d.id', ids);
    return ((await q) as Array<Record<string, unknown>>).map(toRow);
  }

  /**
   * Claims held by one deliver() or sweep(): renewed on every beat (a compare-and-set on
   * claimed_at, so a claim someone else took over is not renewed), with the heartbeat.
   */
  function keepAlive(heartbeat?: () => void) {
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
          const updated = await db(TABLE)
            .where({ id, status: 'sending', claimed_at: claimedAt })
            .update({ claimed_at: at });
          if (updated === 1 && held.has(id)) held.set(id, at);
        }
      } catch (err) {
        await dbError('renew', err);
      } finally {
        renewing = false;
      }
    };
    const timer = setInterval(() => void beat(), renewEveryMs);
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

  /** Takes the row for this deliverer: its claimed_at when this call won it, else null. */
  async function claim(id: number): Promise<number | null> {
    const at = now();
    const updated = await db(TABLE)
      .where({ id })
      .whereRaw("(status in ('pending', 'failed') or (status = 'sending' and claimed_at < ?))", [at - leaseMs])
      .update({ status: 'sending', attempts: db.raw('attempts + 1'), claimed_at: at });
    return updated === 1 ? at : null;
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
        await db(TABLE)
          .where({ id })
          .whereNot('status', 'sent')
          .update({ status: 'sent', sent_at: now(), last_error: null });
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
    await db(TABLE).where({ id }).whereNot('status', 'sent').update({ status: 'failed', last_error: error });
  }

  async function send(row: DeliveryRow): Promise<void> {
    if (row.channel === 'email') {
      const email = channels.email!;
      await email.send({
        to: row.target,
        subject: row.title,
        text: row.body + EMAIL_FOOTER,
        messageId: email.messageIdFor(row.eventKey, row.notificationId),
      });
    } else {
      await channels.webhook!.send({ title: row.title, text: row.body, key: deliveryKey(row.dedupeKey) });
    }
  }

  /**
   * Claims and sends one row; 'sent', 'failed', 'busy' when another deliverer holds it, or
   * 'marked' when this process had sent it already and only its mark-sent was missing.
   */
  async function attempt(
    row: DeliveryRow,
    failures: DeliveryFailure[],
    live: ReturnType<typeof keepAlive>,
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
        await send(row);
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
        const rows = (
          (await db(`${TABLE} as d`)
            .join('notifications as n', 'n.id', 'd.notification_id')
            .where('d.channel', channel)
            .where((q) =>
              q
                .where('d.status', 'failed')
                // pending: queued again by an admin (tried before, no claim), or left by a delivery that never came back
                .orWhere((p) =>
                  p
                    .where('d.status', 'pending')
                    .where((o) =>
                      o
                        .where('d.created_at', '<', stale)
                        .orWhere((a) => a.where('d.attempts', '>', 0).whereNull('d.claimed_at')),
                    ),
                )
                .orWhere((p) => p.where('d.status', 'sending').where('d.claimed_at', '<', now() - sweepTakeoverMs)),
            )
            .orderByRaw('coalesce(d.claimed_at, d.created_at), d.id')
            .limit(options.limit ?? SWEEP_BATCH)
            .select(ROW_COLUMNS)) as Array<Record<string, unknown>>
        ).map(toRow);
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
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const round = () => {
      running = sweep()
        .then(
          () => undefined,
          (err: unknown) => dbError('sweep', err),
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

  return {
    deliver,
    sweep,
    startSweeper,
    /** Delivery rows not yet sent (pending, sending or failed), for diagnostics. */
    async pending(): Promise<number> {
      const row = (await db(TABLE).whereNot('status', 'sent').count({ n: '*' }).first()) as
        { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },
    /** Closes the channels' connections. */
    close(): void {
      channels.email?.close();
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

/** The channels a configuration turns on (none when nothing is configured). */
export function createChannels(config: ChannelConfig): Channels {
  return {
    ...(config.email ? { email: createEmailChannel(config.email) } : {}),
    ...(config.webhook ? { webhook: createWebhookChannel(config.webhook) } : {}),
  };
}

/** The running activity's heartbeat, or undefined when called outside an activity (tests, scripts). */
function activityHeartbeat(): (() => void) | undefined {
  try {
    const ctx = Context.current();
    return () => ctx.heartbeat();
  } catch {
    return undefined;
  }
}

/** Temporal activities over the outbox; register them on the worker beside createActivities(). */
export function createDeliveryActivities(deps: { outbox: Outbox }) {
  return {
    /**
     * Sends the event's e-mails and webhook message; throws (so Temporal retries) when one fails.
     * Heartbeats while it works: the workflows give it a heartbeat timeout, so a killed worker's
     * attempt is retried within seconds, and its claims' short leases have run out by then.
     */
    async deliverNotifications(req: { eventKey: string }): Promise<DeliveryResult> {
      const heartbeat = activityHeartbeat();
      return deps.outbox.deliver(req.eventKey, heartbeat ? { heartbeat } : {});
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
