/**
 * Issue 16 part 2: the class and dormitory levels of the four-level network (docs/domain.md §1).
 *
 * - units: a class (班级) or a dormitory (宿舍) of one college of one school, from the school's roster;
 * - unit_students: the students (opaque ids of `students`) of a unit;
 * - unit_reporters: the one unit of each class psychology committee member / dorm information officer
 *   (the primary key on user_id says "exactly one");
 * - unit_teachers: the staff a unit's missed reports escalate to beside the college's counsellors
 *   (the class teacher, 班主任);
 * - unit_report_weeks: one row per (unit, week of the semester), moved by the unitReports workflow
 *   (open → filed, or open → overdue → escalated); the indicators read the filing rate from it;
 * - unit_reports: what a reporter filed: "nothing unusual", or a concern about a student of the unit
 *   with its follow-up by the counsellor (respond_by is the response deadline);
 * - unit_trainings: which units' members were trained (开展新生心理委员培训), by whom, when;
 * - unit_settings: the school's response deadline of a concern (24 h unless the school sets it).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('units', (t) => {
    t.text('id').primary();
    t.text('school_id').notNullable().references('id').inTable('schools');
    t.text('college_id').notNullable().references('id').inTable('colleges');
    t.text('kind').notNullable().checkIn(['class', 'dorm']);
    t.text('code').notNullable(); // the roster's 编号 (class code, dorm building-room)
    t.text('name').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['school_id', 'kind', 'code']);
    t.index(['college_id', 'kind']);
  });
  await knex.schema.createTable('unit_students', (t) => {
    t.text('unit_id').notNullable().references('id').inTable('units');
    t.text('student_id').notNullable().references('id').inTable('students');
    t.primary(['unit_id', 'student_id']);
    t.index(['student_id']);
  });
  await knex.schema.createTable('unit_reporters', (t) => {
    t.text('user_id').primary().references('id').inTable('users');
    t.text('unit_id').notNullable().references('id').inTable('units');
    t.index(['unit_id']);
  });
  await knex.schema.createTable('unit_teachers', (t) => {
    t.text('unit_id').notNullable().references('id').inTable('units');
    t.text('user_id').notNullable().references('id').inTable('users');
    t.primary(['unit_id', 'user_id']);
  });
  await knex.schema.createTable('unit_report_weeks', (t) => {
    t.text('id').primary(); // <semesterId>/<unitId>/w<weekNo>
    t.text('school_id').notNullable();
    t.text('college_id').notNullable();
    t.text('semester_id').notNullable();
    t.text('unit_kind').notNullable().checkIn(['class', 'dorm']);
    t.text('unit_id').notNullable();
    t.integer('week_no').notNullable();
    t.bigInteger('open_at').notNullable();
    t.bigInteger('due_at').notNullable();
    t.text('status').notNullable().defaultTo('open').checkIn(['open', 'filed', 'overdue', 'escalated']);
    t.bigInteger('filed_at').nullable();
    t.bigInteger('reminded_at').nullable();
    t.bigInteger('escalated_at').nullable();
    t.unique(['semester_id', 'unit_id', 'week_no']);
    t.index(['semester_id', 'college_id', 'week_no']);
  });
  await knex.schema.createTable('unit_reports', (t) => {
    t.text('id').primary();
    t.text('week_id').notNullable().references('id').inTable('unit_report_weeks');
    t.text('unit_id').notNullable();
    t.text('college_id').notNullable();
    t.text('reporter_user_id').notNullable();
    t.text('kind').notNullable().checkIn(['nothing_unusual', 'concern']);
    t.text('student_id').nullable(); // the concern's student (opaque id)
    t.text('category').nullable();
    t.text('note').nullable();
    t.bigInteger('filed_at').notNullable();
    // the concern's follow-up (unitConcern workflow): open → responded, or open → overdue
    t.text('follow_up').nullable(); // open | responded | overdue
    t.bigInteger('respond_by').nullable();
    t.bigInteger('responded_at').nullable();
    t.text('responded_by').nullable();
    t.text('response').nullable(); // noted | interview | key_care | crisis
    t.text('response_note').nullable();
    t.text('response_ref').nullable(); // the id of the warning, key-care entry or crisis case opened
    t.index(['reporter_user_id', 'filed_at']);
    t.index(['college_id', 'follow_up']);
  });
  await knex.schema.createTable('unit_trainings', (t) => {
    t.text('semester_id').notNullable();
    t.text('unit_id').notNullable().references('id').inTable('units');
    t.text('college_id').notNullable();
    t.text('trained_by').notNullable();
    t.bigInteger('trained_at').notNullable();
    t.text('note').nullable();
    t.primary(['semester_id', 'unit_id']);
  });
  await knex.schema.createTable('unit_settings', (t) => {
    t.text('school_id').primary().references('id').inTable('schools');
    t.bigInteger('concern_respond_ms').notNullable();
    t.text('updated_by').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'unit_settings',
    'unit_trainings',
    'unit_reports',
    'unit_report_weeks',
    'unit_teachers',
    'unit_reporters',
    'unit_students',
    'units',
  ])
    await knex.schema.dropTableIfExists(table);
}
