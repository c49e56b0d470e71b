/**
 * Students (care and crisis parts only) and crisis cases. Student rows are referred to everywhere
 * else by their opaque id: workflow ids, search attributes, payload metadata and logs never carry
 * a name or a student number.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('students', (t) => {
    t.text('id').primary(); // opaque (random) id
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('student_no').notNullable(); // 学号
    t.text('name').notNullable();
    t.text('class_name').nullable();
    t.bigInteger('created_at').notNullable();
    t.unique(['school_id', 'student_no']);
    t.index(['college_id']);
  });
  await knex.schema.createTable('crisis_cases', (t) => {
    t.text('id').primary(); // opaque id, also the workflow id suffix
    t.text('student_id').notNullable().references('id').inTable('students');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('situation').notNullable(); // injury | danger_to_others | self_harm_risk
    t.text('place').nullable();
    t.text('reported_by').notNullable().references('id').inTable('users');
    t.bigInteger('occurred_at').notNullable();
    t.bigInteger('reported_at').notNullable();
    t.text('status').notNullable().defaultTo('open'); // open | supervising | handed_over | closed
    t.integer('escalation_level').notNullable().defaultTo(0);
    t.bigInteger('updated_at').notNullable();
    t.index(['college_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('crisis_cases');
  await knex.schema.dropTableIfExists('students');
}
