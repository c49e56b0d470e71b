/** Rows of Outbox (20241101000200_deliveries) (db/tables.ts). */
import type { EpochMs } from './types';

export type DeliveryChannel = 'email' | 'webhook';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface NotificationDeliveryRow {
  id: number;
  notification_id: number;
  event_key: string;
  channel: DeliveryChannel;
  /** the e-mail address, or `<host>#sha256:<hex>` of the webhook URL */
  target: string;
  /** email:<notificationId> | webhook:<eventKey> */
  dedupe_key: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: EpochMs;
  claimed_at: EpochMs | null;
  sent_at: EpochMs | null;
}
