/**
 * The notification outbox's table, notification_deliveries (migrations/20241101000200_deliveries):
 * one row per message on an external channel. The delivery logic (claims, leases, sends, sweep) is
 * in notifications/outbox.ts; the admin page of failed rows in server/features/operations/.
 * Status: pending → sending (claimed by one deliverer; claimed_at) → sent | failed.
 */
import type { Knex } from 'knex';
import type { DeliveryChannel, DeliveryStatus, NotificationDeliveryRow, SqlBool } from '../tables';

const TABLE = 'notification_deliveries';
const INSERT_CHUNK = 100; // rows of 7 columns: far below SQLite's bound-variable limit

/** A delivery row with the title and body of the notification it carries. */
export interface DeliveryRow {
  id: number;
  notificationId: number;
  channel: DeliveryChannel;
  target: string;
  status: DeliveryStatus;
  claimedAt: number | null;
  lastError: string | null;
  dedupeKey: string;
  eventKey: string;
  title: string;
  body: string;
}

/** A delivery row to create: what ensureRows derives from the event's inbox notifications. */
export type NewDelivery = Pick<
  NotificationDeliveryRow,
  'notification_id' | 'event_key' | 'channel' | 'target' | 'dedupe_key' | 'status' | 'created_at'
>;

/** An inbox notification of an event with what its recipient's e-mail delivery needs. */
export interface EventRecipient {
  id: number;
  kind: string;
  email: string | null;
  active: SqlBool | string;
}

function toRow(r: Record<string, unknown>): DeliveryRow {
  return {
    id: Number(r.id),
    notificationId: Number(r.notification_id),
    channel: r.channel as DeliveryRow['channel'],
    target: String(r.target),
    status: r.status as DeliveryStatus,
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

/** The event's inbox notifications, in id order, with their recipient's address and whether they are active. */
export async function eventRecipients(db: Knex, eventKey: string): Promise<EventRecipient[]> {
  return (await db('notifications as n')
    .join('users as u', 'u.id', 'n.recipient_user_id')
    .where({ 'n.event_key': eventKey, 'n.channel': 'inbox' })
    .orderBy('n.id')
    .select('n.id', 'n.kind', 'u.email', 'u.active')) as EventRecipient[];
}

/** Creates delivery rows that are not there yet (INSERT … ON CONFLICT (dedupe_key) DO NOTHING), in chunks. */
export async function insertDeliveries(db: Knex, rows: NewDelivery[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db(TABLE)
      .insert(rows.slice(i, i + INSERT_CHUNK))
      .onConflict('dedupe_key')
      .ignore();
  }
}

/** The event's delivery rows on the given channels (optionally only `ids`), with their message, in id order. */
export async function eventDeliveries(
  db: Knex,
  eventKey: string,
  channels: readonly DeliveryChannel[],
  ids?: number[],
): Promise<DeliveryRow[]> {
  const q = db(`${TABLE} as d`)
    .join('notifications as n', 'n.id', 'd.notification_id')
    .where('d.event_key', eventKey)
    .whereIn('d.channel', channels)
    .orderBy('d.id')
    .select(ROW_COLUMNS);
  if (ids) q.whereIn('d.id', ids);
  return ((await q) as Array<Record<string, unknown>>).map(toRow);
}

/** Renews a claim still held as written (compare-and-set on claimed_at); true when renewed. */
export async function renewClaim(db: Knex, id: number, claimedAt: number, at: number): Promise<boolean> {
  const updated = await db(TABLE).where({ id, status: 'sending', claimed_at: claimedAt }).update({ claimed_at: at });
  return updated === 1;
}

/** Claims a row that is pending, failed, or sending with a claim older than `staleBefore`; true when this call won it. */
export async function claimDelivery(db: Knex, id: number, at: number, staleBefore: number): Promise<boolean> {
  const updated = await db(TABLE)
    .where({ id })
    .whereRaw("(status in ('pending', 'failed') or (status = 'sending' and claimed_at < ?))", [staleBefore])
    .update({ status: 'sending', attempts: db.raw('attempts + 1'), claimed_at: at });
  return updated === 1;
}

export async function markDeliverySent(db: Knex, id: number, at: number): Promise<void> {
  await db(TABLE).where({ id }).whereNot('status', 'sent').update({ status: 'sent', sent_at: at, last_error: null });
}

export async function markDeliveryFailed(db: Knex, id: number, error: string): Promise<void> {
  await db(TABLE).where({ id }).whereNot('status', 'sent').update({ status: 'failed', last_error: error });
}

/**
 * What a sweep may re-send on one channel, oldest attempt first: failed rows, pending rows created
 * before `staleBefore` or tried before and queued again (no claim), and claims older than `takeoverBefore`.
 */
export async function sweepCandidates(
  db: Knex,
  q: { channel: DeliveryChannel; staleBefore: number; takeoverBefore: number; limit: number },
): Promise<DeliveryRow[]> {
  const rows = (await db(`${TABLE} as d`)
    .join('notifications as n', 'n.id', 'd.notification_id')
    .where('d.channel', q.channel)
    .where((w) =>
      w
        .where('d.status', 'failed')
        // pending: queued again by an admin (tried before, no claim), or left by a delivery that never came back
        .orWhere((p) =>
          p
            .where('d.status', 'pending')
            .where((o) =>
              o
                .where('d.created_at', '<', q.staleBefore)
                .orWhere((a) => a.where('d.attempts', '>', 0).whereNull('d.claimed_at')),
            ),
        )
        .orWhere((p) => p.where('d.status', 'sending').where('d.claimed_at', '<', q.takeoverBefore)),
    )
    .orderByRaw('coalesce(d.claimed_at, d.created_at), d.id')
    .limit(q.limit)
    .select(ROW_COLUMNS)) as Array<Record<string, unknown>>;
  return rows.map(toRow);
}

/** Delivery rows not yet sent (pending, sending or failed). */
export async function countUnsent(db: Knex): Promise<number> {
  const row = (await db(TABLE).whereNot('status', 'sent').count({ n: '*' }).first()) as
    { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** Rows not yet sent, per status (for the metrics). */
export async function countUnsentByStatus(db: Knex): Promise<Map<string, number>> {
  const rows = (await db(TABLE)
    .whereNot('status', 'sent')
    .select('status')
    .count({ n: '*' })
    .groupBy('status')) as Array<{ status: string; n: number | string }>;
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

/** A failed delivery as the admin page lists it. */
export interface FailedDeliveryRow {
  id: number;
  eventKey: string;
  channel: DeliveryChannel;
  /** as stored: the e-mail address, or `<host>#sha256:<hex>` of the robot URL */
  target: string;
  title: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  claimedAt: number | null;
}

/** The failed rows, newest first, at most `limit`. */
export async function listFailedDeliveries(db: Knex, limit: number): Promise<FailedDeliveryRow[]> {
  const rows = (await db(`${TABLE} as d`)
    .join('notifications as n', 'n.id', 'd.notification_id')
    .where('d.status', 'failed')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .select(
      'd.id',
      'd.event_key',
      'd.channel',
      'd.target',
      'd.status',
      'd.attempts',
      'd.last_error',
      'd.created_at',
      'd.claimed_at',
      'n.title',
    )) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: Number(r.id),
    eventKey: String(r.event_key),
    channel: r.channel as DeliveryChannel,
    target: String(r.target),
    title: String(r.title),
    status: String(r.status),
    attempts: Number(r.attempts),
    lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
    createdAt: Number(r.created_at),
    claimedAt: r.claimed_at === null || r.claimed_at === undefined ? null : Number(r.claimed_at),
  }));
}

export async function getDeliveryState(
  db: Knex,
  id: number,
): Promise<{ id: number; status: string; event_key: string } | undefined> {
  return (await db(TABLE).where({ id }).first('id', 'status', 'event_key')) as
    { id: number; status: string; event_key: string } | undefined;
}

/** Queues a failed row again (failed → pending, claim cleared); true when it was failed. */
export async function requeueFailedDelivery(db: Knex, id: number): Promise<boolean> {
  const updated = await db(TABLE).where({ id, status: 'failed' }).update({ status: 'pending', claimed_at: null });
  return updated === 1;
}
