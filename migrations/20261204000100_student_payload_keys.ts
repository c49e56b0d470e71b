/**
 * Crypto-shredding of Temporal history (issue 16 part 1, PIPL Art. 47): one payload key per
 * student. The payloads of a student's care workflows (screening follow-up, crisis case and its
 * supervision, pairing, data request, a class or dorm concern) are encrypted with a key derived
 * from the configured payload key and this row's random salt (codec/student-keys.ts). The purge
 * deletes the row: without the salt the key cannot be derived again, so whatever copy of those
 * histories survives (a backup of the Temporal database, an export) can no longer be read.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('student_payload_keys', (t) => {
    t.text('student_id').primary(); // opaque id; no foreign key: the row must be deletable on its own
    t.text('master_key_id').notNullable(); // the payload key (PAYLOAD_KEYS id) the key is derived from
    t.text('salt').notNullable(); // 32 random bytes, base64
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('student_payload_keys');
}
