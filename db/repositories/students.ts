/**
 * The students aggregate (students table): a school's students by opaque id and by number (学号).
 * A record a college made of a number registered with another college points at the registered
 * student (registered_student_id), for the school to reconcile.
 */
import type { Knex } from 'knex';

/** A row of the students table. */
export interface StudentRow {
  id: string;
  school_id: string;
  college_id: string;
  student_no: string;
  name: string;
  class_name: string | null;
  created_at: number;
  registered_student_id: string | null;
}

/** The student's id and college, when the id is one of the school's students. */
export async function findStudentOfSchool(
  db: Knex,
  schoolId: string,
  id: string,
): Promise<{ id: string; college_id: string } | undefined> {
  return (await db('students').where({ id, school_id: schoolId }).first('id', 'college_id')) as
    { id: string; college_id: string } | undefined;
}

/** The college's own record of a student number. */
export async function findCollegeStudentByNo(
  db: Knex,
  schoolId: string,
  collegeId: string,
  studentNo: string,
): Promise<{ id: string; name: string } | undefined> {
  return (await db('students')
    .where({ school_id: schoolId, college_id: collegeId, student_no: studentNo })
    .first('id', 'name')) as { id: string; name: string } | undefined;
}

/** The registered student (not itself a college's copy) with this number in the school. */
export async function findRegisteredStudentByNo(
  db: Knex,
  schoolId: string,
  studentNo: string,
): Promise<{ id: string } | undefined> {
  return (await db('students')
    .where({ school_id: schoolId, student_no: studentNo })
    .whereNull('registered_student_id')
    .first('id')) as { id: string } | undefined;
}

export async function insertStudent(db: Knex, row: StudentRow): Promise<void> {
  await db('students').insert(row);
}
