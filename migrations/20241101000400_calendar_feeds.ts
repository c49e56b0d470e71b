/**
 * Private iCalendar feeds (server/exports.ts): one per user. The URL carries a random 32-byte
 * token; only its sha256 (hex) is stored, so the table alone cannot be used to read a feed.
 * Rotating replaces the hash; revoking sets revoked_at.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_feeds', (t) => {
    t.text('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('revoked_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('calendar_feeds');
}
