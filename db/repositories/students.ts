/**
 * The students aggregate (students table): a school's students by opaque id and by number (学号).
 * A record a college made of a number registered with another college points at the registered
 * student (registered_student_id), for the school to reconcile.
 */
import type { Knex } from 'knex';
import type { StudentRow } from '../tables';
export type { StudentRow };

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

/** A registered student as a screening file names it. */
export type RegisteredStudent = Pick<StudentRow, 'id' | 'student_no' | 'name' | 'college_id' | 'class_name'>;

/** The school's registered students (not a college's own record of another college's number) with these numbers, by number. */
export async function registeredStudentsByNo(
  db: Knex,
  schoolId: string,
  studentNos: string[],
): Promise<Map<string, RegisteredStudent>> {
  const known = new Map<string, RegisteredStudent>();
  for (let i = 0; i < studentNos.length; i += 500) {
    const found = (await db('students')
      .where({ school_id: schoolId })
      .whereNull('registered_student_id')
      .whereIn('student_no', studentNos.slice(i, i + 500))
      .select('id', 'student_no', 'name', 'college_id', 'class_name')) as RegisteredStudent[];
    for (const s of found) known.set(s.student_no, s);
  }
  return known;
}

export async function updateStudentNameAndClass(
  db: Knex,
  id: string,
  name: string,
  className: string | null,
): Promise<void> {
  await db('students').where({ id }).update({ name, class_name: className });
}

/** New students, written 100 rows at a time. */
export async function insertStudents(db: Knex, rows: Array<Omit<StudentRow, 'registered_student_id'>>): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) await db('students').insert(rows.slice(i, i + 100));
}

/** The registered student with this number in the school, with name and college. */
export async function findRegisteredStudentWithCollege(
  db: Knex,
  schoolId: string,
  studentNo: string,
): Promise<{ id: string; name: string; college_id: string } | undefined> {
  return (await db('students')
    .where({ school_id: schoolId, student_no: studentNo })
    .whereNull('registered_student_id')
    .first('id', 'name', 'college_id')) as { id: string; name: string; college_id: string } | undefined;
}

/** A student's number, name and class. */
export async function getStudentIdentity(
  db: Knex,
  id: string,
): Promise<{ student_no: string; name: string; class_name: string | null } | undefined> {
  return (await db('students').where({ id }).first('student_no', 'name', 'class_name')) as
    { student_no: string; name: string; class_name: string | null } | undefined;
}
