/**
 * The student archive 一生一档 (issue 16 part 1; seed 003 §3, §8 and appendix 3):
 *  - student_archives: the archive's own state, one row per student once anyone acts on it (the
 *    archive itself exists for every student who entered a care process: its process sections are
 *    read from the screening, interview, crisis, key-care, ledger and pairing tables, no double
 *    entry). Closed when the student leaves (left_at); purged once the school's retention is over.
 *  - archive_field_versions: every hand-edited field (the sections only people know), one row per
 *    change: who, when, the value. The current value is the latest version. Purged with the archive.
 *  - archive_reviews: the monthly review of the archive (seed 003 §8: 档案实行动态管理), who and when.
 *  - archive_settings: the school's retention period and data-request deadline.
 *  - archive_purges: the purge log, by the student's opaque id only (no name, no number).
 *  - data_requests: a student's request to see or correct their data (PIPL Art. 44–46), with its deadline.
 * Students are referred to by their opaque id.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('student_archives', (t) => {
    t.text('student_id').primary().references('id').inTable('students');
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('status').notNullable().defaultTo('open').checkIn(['open', 'closed']);
    t.bigInteger('left_at').nullable(); // the day the student left (transfer, graduation, …)
    t.text('left_reason').nullable(); // transferred | graduated | withdrew | other
    t.text('closed_by').nullable();
    t.bigInteger('purge_due_at').nullable(); // left_at + the retention period at closing
    t.bigInteger('created_at').notNullable();
    t.index(['school_id', 'status']);
  });
  await knex.schema.createTable('archive_field_versions', (t) => {
    t.increments('id').primary();
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('field').notNullable();
    t.text('value').nullable(); // text, or JSON for a list (life events)
    t.text('changed_by').notNullable();
    t.bigInteger('changed_at').notNullable();
    t.index(['student_id', 'field', 'id']);
  });
  await knex.schema.createTable('archive_reviews', (t) => {
    t.increments('id').primary();
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('reviewed_by').notNullable();
    t.bigInteger('reviewed_at').notNullable();
    t.index(['college_id', 'reviewed_at']);
    t.index(['student_id', 'reviewed_at']);
  });
  await knex.schema.createTable('archive_settings', (t) => {
    t.text('school_id').primary().references('id').inTable('schools');
    t.integer('retention_days').notNullable();
    t.integer('data_request_days').notNullable();
    t.text('updated_by').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('archive_purges', (t) => {
    t.increments('id').primary();
    t.text('student_id').notNullable().unique(); // the opaque id: no foreign key, the student is gone
    t.text('school_id').notNullable();
    t.text('college_id').notNullable();
    t.bigInteger('left_at').nullable();
    t.bigInteger('purged_at').notNullable();
    t.text('purged_by').notNullable(); // 'timer' or a user id
    t.text('counts').notNullable(); // JSON: rows deleted per table
  });
  await knex.schema.createTable('data_requests', (t) => {
    t.text('id').primary();
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('kind').notNullable().checkIn(['access', 'correction']);
    t.text('request').notNullable(); // what the student asked
    t.text('received_by').notNullable();
    t.bigInteger('received_at').notNullable();
    t.bigInteger('due_at').notNullable();
    t.text('status').notNullable().defaultTo('open').checkIn(['open', 'answered']);
    t.integer('escalation_level').notNullable().defaultTo(0);
    t.text('answer').nullable();
    t.text('answered_by').nullable();
    t.bigInteger('answered_at').nullable();
    t.index(['college_id', 'status']);
    t.index(['student_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'data_requests',
    'archive_purges',
    'archive_settings',
    'archive_reviews',
    'archive_field_versions',
    'student_archives',
  ])
    await knex.schema.dropTableIfExists(table);
}
