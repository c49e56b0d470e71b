/**
 * Student numbers stay within their college (issue 10, findings 1 and 2):
 *  - crisis_cases keeps what the reporter typed (student number, name, class) and, for a case
 *    routed to the college that owns the student number, the reporting college. The reporter of
 *    a routed case is shown only what they typed, never what was stored about the student.
 *  - students.registered_student_id: a college's own record of a student number that is
 *    registered with another college (made by the key-care, ledger and pairing forms, holding
 *    what that college typed), pointing at the registered student so that the school can
 *    reconcile them. Such a form therefore answers a foreign number exactly as a new one. The
 *    school-wide uniqueness of a student number holds for registered students only; within a
 *    college a number is unique all the same.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('crisis_cases', (t) => {
    t.text('reported_student_no').nullable();
    t.text('reported_student_name').nullable();
    t.text('reported_class_name').nullable();
    t.text('routed_from_college_id').nullable().references('id').inTable('colleges');
  });
  await knex.schema.alterTable('students', (t) => {
    t.text('registered_student_id').nullable().references('id').inTable('students');
  });
  await knex.schema.alterTable('students', (t) => {
    t.dropUnique(['school_id', 'student_no']);
  });
  await knex.raw(
    'CREATE UNIQUE INDEX students_registered_no_unique ON students (school_id, student_no) WHERE registered_student_id IS NULL',
  );
  await knex.raw('CREATE UNIQUE INDEX students_college_no_unique ON students (college_id, student_no)');
}

export async function down(knex: Knex): Promise<void> {
  await knex('students').whereNotNull('registered_student_id').delete();
  await knex.raw('DROP INDEX students_college_no_unique');
  await knex.raw('DROP INDEX students_registered_no_unique');
  await knex.schema.alterTable('students', (t) => {
    t.unique(['school_id', 'student_no']);
  });
  await knex.schema.alterTable('students', (t) => {
    t.dropColumn('registered_student_id');
  });
  await knex.schema.alterTable('crisis_cases', (t) => {
    t.dropColumn('routed_from_college_id');
    t.dropColumn('reported_class_name');
    t.dropColumn('reported_student_name');
    t.dropColumn('reported_student_no');
  });
}
