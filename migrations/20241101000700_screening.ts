/**
 * Screening follow-up (docs/domain.md §3): an imported file of screening warnings (a batch) and one
 * warning per warned student, with its interview deadline, escalation level and, once the
 * interview is held, the interview record (约谈情况记录表) as JSON. Students are referred to by
 * their opaque id (`students`); the same file imported twice is the same batch (sha256 per school).
 */
import type { Knex } from 'knex';

const LEVELS = ['red', 'orange']; // 红色/一级预警, 橙色/二级预警
const STATUSES = ['open', 'interviewed'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('screening_batches', (t) => {
    t.text('id').primary(); // opaque id
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('name').notNullable(); // the uploaded file's name
    t.text('imported_by').notNullable().references('id').inTable('users');
    t.bigInteger('imported_at').notNullable();
    t.integer('rows').notNullable();
    t.text('sha256').notNullable(); // of the file's bytes: the same file again is the same batch
    t.unique(['school_id', 'sha256']);
  });
  await knex.schema.createTable('screening_warnings', (t) => {
    t.text('id').primary(); // opaque id, also the workflow id suffix (screening.<id>)
    t.text('batch_id').notNullable().references('id').inTable('screening_batches');
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('level').notNullable().checkIn(LEVELS);
    t.bigInteger('interview_due_at').notNullable();
    t.text('status').notNullable().defaultTo('open').checkIn(STATUSES);
    t.integer('escalation_level').notNullable().defaultTo(0);
    t.bigInteger('interviewed_at').nullable();
    t.text('record').nullable(); // JSON of the interview record (appendix 2)
    t.unique(['batch_id', 'student_id']);
    t.index(['college_id', 'status']);
    t.index(['student_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('screening_warnings');
  await knex.schema.dropTableIfExists('screening_batches');
}
