/** Evidence files uploaded with a completion: metadata here, bytes under data/evidence/. */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('evidence_files', (t) => {
    t.text('id').primary();
    t.text('task_id').notNullable().references('id').inTable('task_instances').onDelete('CASCADE');
    t.text('uploaded_by').notNullable().references('id').inTable('users');
    t.text('original_name').notNullable();
    t.text('kind').notNullable(); // image | pdf
    t.text('mime').notNullable();
    t.integer('size').notNullable();
    t.text('sha256').notNullable();
    t.text('document_id').nullable();
    t.integer('activity').nullable();
    t.text('status').notNullable().defaultTo('pending'); // pending until the Update accepts the completion
    t.bigInteger('created_at').notNullable();
    t.index(['task_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('evidence_files');
}
