/**
 * The free text that staff type about a student in the care processes (issue 16 part 1, PIPL
 * Art. 47): supervision check-in notes, the hand-over's receivedBy/witnessedBy, the "five ones"
 * (team, plan, follow-up), pairing talk notes and reasons, key-care removal reasons. They used to
 * be written into the append-only audit log's details, where a name typed there would survive the
 * purge; now they are kept here, keyed to the student and purged with the archive, and the audit
 * entry holds an opaque reference (its own event key). Older audit entries keep their text inline.
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
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('archive_notes');
}
