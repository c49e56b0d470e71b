/**
 * The in-app inbox (table notifications): a user's notifications and their read mark.
 */
import type { Knex } from 'knex';
import { fromDb, type Codec } from './codec';
import type { NotificationRow } from '../tables';

export interface Notification {
  id: number;
  eventKey: string;
  recipientUserId: string;
  channel: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  title: string;
  body: string;
  createdAt: number;
  readAt: number | null;
}

export const notificationCodec: Codec<Notification, NotificationRow> = {
  id: ['id', 'int'],
  eventKey: ['event_key', 'text'],
  recipientUserId: ['recipient_user_id', 'text'],
  channel: ['channel', 'text'],
  kind: ['kind', 'text'],
  subjectType: ['subject_type', 'text'],
  subjectId: ['subject_id', 'text'],
  title: ['title', 'text'],
  body: ['body', 'text'],
  createdAt: ['created_at', 'int'],
  readAt: ['read_at', 'int'],
};

/** A user's inbox, newest first. */
export async function listNotifications(
  db: Knex,
  userId: string,
  opts: { unreadOnly?: boolean } = {},
): Promise<Notification[]> {
  const q = db('notifications')
    .where({ recipient_user_id: userId })
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  if (opts.unreadOnly) q.whereNull('read_at');
  return ((await q) as NotificationRow[]).map((r) => fromDb(notificationCodec, r));
}

/** Marks one of the user's notifications read; false if it is not theirs or already read. */
export async function markNotificationRead(db: Knex, id: number, userId: string, at = Date.now()): Promise<boolean> {
  const updated = await db('notifications')
    .where({ id, recipient_user_id: userId })
    .whereNull('read_at')
    .update({ read_at: at });
  return updated > 0;
}

/** The college of each pairing (an inbox entry about a pairing links to its college's care page). */
export async function pairingColleges(knex: Knex, pairingIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < pairingIds.length; i += 500) {
    const rows = (await knex('pairings')
      .whereIn('id', pairingIds.slice(i, i + 500))
      .select('id', 'college_id')) as Array<{ id: string; college_id: string }>;
    for (const row of rows) out.set(row.id, row.college_id);
  }
  return out;
}

/** Every unread entry of a user read at once. */
export async function markAllNotificationsRead(knex: Knex, userId: string, at: number): Promise<void> {
  await knex('notifications').where({ recipient_user_id: userId }).whereNull('read_at').update({ read_at: at });
}

/** A user's unread entries: one COUNT over the index on recipient and read_at (the navigation's badge). */
export async function countUnread(knex: Knex, userId: string): Promise<number> {
  const rows = await knex('notifications')
    .where({ recipient_user_id: userId })
    .whereNull('read_at')
    .count<Array<{ n: number | string }>>({ n: '*' });
  return Number(rows[0]?.n ?? 0);
}
