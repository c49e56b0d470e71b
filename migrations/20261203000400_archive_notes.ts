/**
 * The free text that staff type about a student in the care processes (issue 16 part 1, PIPL
 * Art. 47): supervision check-in notes, the hand-over's receivedBy/witnessedBy, the "five ones"
 * (team, plan, follow-up), pairing talk notes and reasons, key-care removal reasons. They used to
 * be written into the append-only audit log's details, where a name typed there would survive the
 * purge; now they are kept here, keyed to the student and purged with the archive, and the audit
 * entry holds an opaque reference (its own event key). Older audit entries keep their text inline.
 *
 * And data_requests (made by 20261203000100, unused until now) is made again: a request may also
 * ask for deletion (PIPL Art. 47), so the kinds are access, correction and deletion.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('archive_notes', (t) => {
    t.text('event_key').primary(); // the audit entry's event key: one note row per audited step
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('subject_type').notNullable();
    t.text('subject_id').notNullable();
    t.text('fields').notNullable(); // JSON: the free-text fields moved out of the audit details
    t.bigInteger('created_at').notNullable();
    t.index(['student_id']);
    t.index(['subject_type', 'subject_id']);
  });
  const rows = (await knex('data_requests').select()) as unknown[]; // none expected: the table was unused
  await knex.schema.dropTable('data_requests');
  await createDataRequests(knex, ['access', 'correction', 'deletion']);
  if (rows.length) await knex('data_requests').insert(rows);
}

/** A student's request (PIPL Art. 44–47) with its deadline, its escalation and its answer. */
async function createDataRequests(knex: Knex, kinds: string[]): Promise<void> {
  await knex.schema.createTable('data_requests', (t) => {
    t.text('id').primary();
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('kind').notNullable().checkIn(kinds);
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

/** Back to two kinds: deletion requests cannot be kept in the older table. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('archive_notes');
  await knex('data_requests').where({ kind: 'deletion' }).delete();
  const rows = (await knex('data_requests').select()) as unknown[];
  await knex.schema.dropTable('data_requests');
  await createDataRequests(knex, ['access', 'correction']);
  if (rows.length) await knex('data_requests').insert(rows);
}
