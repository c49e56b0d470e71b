/**
 * Issue 15: idempotency keys of client writes. One row per user and key: the request's
 * fingerprint (method, path, body), and once it succeeded the first response (status and JSON
 * body), which a retry with the same key gets back. Rows older than 24 h are dropped
 * (server/idempotency.ts).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.text('user_id').notNullable();
    t.text('key').notNullable();
    t.text('fingerprint').notNullable();
    t.integer('status');
    t.text('body');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('claimed_at').notNullable();
    t.primary(['user_id', 'key']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}
