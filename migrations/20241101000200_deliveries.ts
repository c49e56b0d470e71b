/**
 * The notification outbox (notifications/outbox.ts): one row per message on an external channel.
 * The in-app inbox row in `notifications` is the always-on channel; a delivery row says whether
 * its e-mail, or the event's group-robot (webhook) message, has gone out.
 *
 * - e-mail: one row per inbox notification (dedupe_key `email:<notificationId>`);
 * - webhook: one row per event, a group robot being one recipient (dedupe_key `webhook:<eventKey>`);
 *   notification_id then names the notification whose title and body the message carries.
 *
 * dedupe_key (unique) keeps row creation idempotent on SQLite and PostgreSQL alike without a
 * partial index. `target` is the e-mail address, or `<host>#sha256:<hex>` of the webhook URL:
 * robot URLs carry their access token, so the URL itself is never stored.
 * Status: pending → sending (claimed by one deliverer; claimed_at) → sent | failed.
 */
import type { Knex } from 'knex';

const CHANNELS = ['email', 'webhook'];
const STATUSES = ['pending', 'sending', 'sent', 'failed'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notification_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('notification_id').notNullable().references('id').inTable('notifications').onDelete('CASCADE');
    t.text('event_key').notNullable();
    t.text('channel').notNullable().checkIn(CHANNELS);
    t.text('target').notNullable();
    t.text('dedupe_key').notNullable().unique(); // email:<notificationId> | webhook:<eventKey>
    t.text('status').notNullable().defaultTo('pending').checkIn(STATUSES);
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('claimed_at').nullable();
    t.bigInteger('sent_at').nullable();
    t.index(['event_key']);
    t.index(['notification_id']);
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('notification_deliveries');
}
