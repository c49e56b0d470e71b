/**
 * Issue 16 part 3, the school's indicators: the figures the database cannot know (headcounts and
 * screened counts per college, full-time counselling staff, the course's hours and credits), entered by
 * the school administration per semester. Every save is a new version: who entered it and when; the
 * latest version is the one shown (domain/indicators-inputs.ts validates the body).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('indicator_inputs', (t) => {
    t.increments('id').primary();
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('semester_id').notNullable().references('id').inTable('semesters');
    t.integer('version').notNullable();
    t.text('body').notNullable(); // JSON: { school, colleges }
    t.text('entered_by').notNullable();
    t.bigInteger('entered_at').notNullable();
    t.unique(['school_id', 'semester_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('indicator_inputs');
}
