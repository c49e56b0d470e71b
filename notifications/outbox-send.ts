/**
 * What the outbox (notifications/outbox.ts) sends: the delivery rows an event's inbox
 * notifications make on the configured channels, and one message on its channel.
 */
import type { DeliveryRow, EventRecipient, NewDelivery } from '../db/repositories/outbox';
import { t } from '../server/platform/i18n';
import { deliveryKey, type Channels } from './outbox-types';

const MAX_ERROR_CHARS = 1000;

/** the notifications are written in Chinese only today */
const EMAIL_FOOTER = t('zh-CN').notifications.emailFooter;

export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

/**
 * The delivery rows of an event (its inbox notifications `notes`, in id order): one e-mail per
 * notification whose recipient is active and has an address, and one webhook message per event
 * (carrying the first notification) when the event has a kind the webhook takes.
 */
export function deliveryRowsFor(
  eventKey: string,
  notes: EventRecipient[],
  channels: Channels,
  webhookKinds: ReadonlySet<string> | null,
  at: number,
): NewDelivery[] {
  const first = notes[0];
  if (!first) return [];
  const rows: NewDelivery[] = [];
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
  return rows;
}

/** Sends one delivery row's message on its channel; throws when the receiver refuses or does not answer. */
export async function sendDelivery(channels: Channels, row: DeliveryRow): Promise<void> {
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
