/**
 * Sign-in (server/auth): server-side sessions and the login attempts the rate limit counts.
 *
 * - sessions.id is the sha256 hex of the random token the `sid` cookie carries: a copy of this
 *   table does not let anyone sign in. The CSRF token belongs to the session.
 * - login_attempts is shared by every web replica; key is 'user:<username>' or 'ip:<address>'.
 *   Only failures count; rows older than the window are pruned when new ones are written.
 * Portable between SQLite and PostgreSQL.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.text('id').primary(); // sha256 hex of the cookie token
    t.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('csrf_token').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.bigInteger('expires_at').notNullable(); // absolute end, whatever the activity
    t.text('ip').nullable();
    t.text('user_agent').nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('login_attempts', (t) => {
    t.increments('id').primary();
    t.text('key').notNullable(); // user:<username> | ip:<address>
    t.bigInteger('at').notNullable();
    t.boolean('success').notNullable();
    t.index(['key', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['login_attempts', 'sessions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
