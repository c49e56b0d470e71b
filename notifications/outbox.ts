/**
 * The notification outbox. A task transition writes its in-app inbox rows (the always-on channel)
 * in one transaction with the read model (db/store.ts applyTaskTransition); a later activity calls
 * `deliver(eventKey)`, which copies that event onto the configured external channels:
 *
 * - e-mail: one message per inbox notification whose recipient is active and has an address;
 * - webhook: one message per event (the group robot is one recipient), with the title and body of
 *   the event's first notification.
 *
 * Delivery rows (table notification_deliveries) are created idempotently, keyed by dedupe_key.
 * Each row is claimed before it is sent (pending|failed → sending, one UPDATE, so only one
 * deliverer wins it), marked sent right after its send succeeds, and never sent again. A claim
 * older than `staleClaimMs` (its deliverer died mid-send) may be taken over. When any send fails,
 * deliver() tries the rest, then throws an error listing the failures: the calling Temporal
 * activity is retried, and the retry sends only what is not yet sent.
 *
 * Only the notification's title and body leave the system: they describe duties, never students.
 */
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
  /** a claim older than this may be taken over (default 5 minutes; well above a send's timeouts). */
  staleClaimMs?: number;
  /** how long deliver() waits for rows another deliverer is sending (default 60 s). */
  inFlightWaitMs?: number;
  /** poll interval while waiting for another deliverer (default 200 ms). */
  pollMs?: number;
  now?: () => number;
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

export function createOutbox(opts: OutboxOptions) {
  const { knex: db, channels } = opts;
  const staleClaimMs = opts.staleClaimMs ?? 5 * 60_000;
  const inFlightWaitMs = opts.inFlightWaitMs ?? 60_000;
  const pollMs = opts.pollMs ?? 200;
  const now = opts.now ?? Date.now;
  const webhookKinds = opts.webhookKinds ? new Set(opts.webhookKinds) : null;

  /** Creates the event's missing delivery rows (INSERT … ON CONFLICT (dedupe_key) DO NOTHING). */
  async function ensureRows(eventKey: string): Promise<void> {
    const notes = (await db('notifications as n')
      .join('users as u', 'u.id', 'n.recipient_user_id')
      .where({ 'n.event_key': eventKey, 'n.channel': 'inbox' })
      .orderBy('n.id')
      .select('n.id', 'n.kind', 'u.email', 'u.active')) as Array<{ id: number; kind: string; email: string | null; active: unknown }>;
    const first = notes[0];
    if (!first) return;
    const at = now();
    const rows: Array<Record<string, unknown>> = [];
    if (channels.email) {
      for (const n of notes) {
        const email = n.email?.trim();
        const active = n.active === true || n.active === 1 || n.active === '1';
        if (!email || !active) continue;
        rows.push({ notification_id: Number(n.id), event_key: eventKey, channel: 'email', target: email, dedupe_key: `email:${Number(n.id)}`, status: 'pending', created_at: at });
      }
    }
    if (channels.webhook && (!webhookKinds || notes.some((n) => webhookKinds.has(n.kind)))) {
      rows.push({ notification_id: Number(first.id), event_key: eventKey, channel: 'webhook', target: channels.webhook.target, dedupe_key: `webhook:${eventKey}`, status: 'pending', created_at: at });
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await db(TABLE).insert(rows.slice(i, i + INSERT_CHUNK)).onConflict('dedupe_key').ignore();
    }
  }

  /** The event's delivery rows on the configured channels, with their message. */
  async function loadRows(eventKey: string, ids?: number[]): Promise<DeliveryRow[]> {
    const enabled = (['email', 'webhook'] as const).filter((c) => channels[c]);
    if (enabled.length === 0) return [];
    const q = db(`${TABLE} as d`)
      .join('notifications as n', 'n.id', 'd.notification_id')
      .where('d.event_key', eventKey)
      .whereIn('d.channel', enabled)
      .orderBy('d.id')
      .select('d.id', 'd.notification_id', 'd.channel', 'd.target', 'd.status', 'd.claimed_at', 'd.last_error', 'n.title', 'n.body');
    if (ids) q.whereIn('d.id', ids);
    const rows = (await q) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: Number(r.id),
      notificationId: Number(r.notification_id),
      channel: r.channel as DeliveryRow['channel'],
      target: String(r.target),
      status: r.status as Status,
      claimedAt: r.claimed_at === null || r.claimed_at === undefined ? null : Number(r.claimed_at),
      lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
      title: String(r.title),
      body: String(r.body),
    }));
  }

  /** Takes the row for this deliverer: true when this call won it. */
  async function claim(id: number): Promise<boolean> {
    const at = now();
    const updated = await db(TABLE)
      .where({ id })
      .whereRaw("(status in ('pending', 'failed') or (status = 'sending' and claimed_at < ?))", [at - staleClaimMs])
      .update({ status: 'sending', attempts: db.raw('attempts + 1'), claimed_at: at });
    return updated === 1;
  }

  async function markSent(id: number): Promise<void> {
    await db(TABLE).where({ id }).whereNot('status', 'sent').update({ status: 'sent', sent_at: now(), last_error: null });
  }

  async function markFailed(id: number, error: string): Promise<void> {
    await db(TABLE).where({ id }).whereNot('status', 'sent').update({ status: 'failed', last_error: error });
  }

  async function send(eventKey: string, row: DeliveryRow): Promise<void> {
    if (row.channel === 'email') {
      const email = channels.email!;
      await email.send({ to: row.target, subject: row.title, text: row.body + EMAIL_FOOTER, messageId: email.messageIdFor(eventKey, row.notificationId) });
    } else {
      await channels.webhook!.send({ title: row.title, text: row.body });
    }
  }

  /** Claims and sends one row; 'sent', 'failed', or 'busy' when another deliverer holds it. */
  async function attempt(eventKey: string, row: DeliveryRow, failures: DeliveryFailure[]): Promise<'sent' | 'failed' | 'busy'> {
    if (!(await claim(row.id))) return 'busy';
    try {
      await send(eventKey, row);
    } catch (err) {
      const error = errorText(err);
      await markFailed(row.id, error);
      failures.push({ deliveryId: row.id, channel: row.channel, error });
      return 'failed';
    }
    await markSent(row.id);
    return 'sent';
  }

  async function deliver(eventKey: string): Promise<DeliveryResult> {
    if (!channels.email && !channels.webhook) return { sent: 0, skipped: 0 };
    await ensureRows(eventKey);
    const result: DeliveryResult = { sent: 0, skipped: 0 };
    const failures: DeliveryFailure[] = [];
    let busy: Array<Pick<DeliveryRow, 'id' | 'channel'>> = [];

    for (const row of await loadRows(eventKey)) {
      if (row.status === 'sent') {
        result.skipped++;
        continue;
      }
      const outcome = await attempt(eventKey, row, failures);
      if (outcome === 'sent') result.sent++;
      else if (outcome === 'busy') busy.push(row);
    }

    // Rows another deliverer holds: wait until it is done with them. What it sent counts as
    // skipped; what it failed is reported as failed here too (the retry will send it), and a
    // claim that went stale meanwhile is taken over.
    const deadline = now() + inFlightWaitMs;
    while (busy.length > 0) {
      if (now() >= deadline) {
        failures.push(...busy.map((b) => ({ deliveryId: b.id, channel: b.channel, error: 'still being sent by another deliverer' })));
        break;
      }
      await sleep(pollMs);
      const still: typeof busy = [];
      for (const row of await loadRows(eventKey, busy.map((b) => b.id))) {
        if (row.status === 'sent') result.skipped++;
        else if (row.status === 'failed') failures.push({ deliveryId: row.id, channel: row.channel, error: `failed in a concurrent delivery: ${row.lastError ?? 'unknown error'}` });
        else if (row.status === 'sending' && (row.claimedAt ?? 0) >= now() - staleClaimMs) still.push(row);
        else {
          const outcome = await attempt(eventKey, row, failures);
          if (outcome === 'sent') result.sent++;
          else if (outcome === 'busy') still.push(row);
        }
      }
      busy = still;
    }

    if (failures.length > 0) throw new DeliveryError(eventKey, failures, result);
    return result;
  }

  return {
    deliver,
    /** Delivery rows not yet sent (pending, sending or failed), for diagnostics. */
    async pending(): Promise<number> {
      const row = (await db(TABLE).whereNot('status', 'sent').count({ n: '*' }).first()) as { n: number | string } | undefined;
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

/** Temporal activities over the outbox; register them on the worker beside createActivities(). */
export function createDeliveryActivities(deps: { outbox: Outbox }) {
  return {
    /** Sends the event's e-mails and webhook message; throws (so Temporal retries) when one fails. */
    async deliverNotifications(req: { eventKey: string }): Promise<DeliveryResult> {
      return deps.outbox.deliver(req.eventKey);
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
