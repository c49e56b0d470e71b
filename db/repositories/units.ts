/**
 * The units aggregate (classes and dormitories): the roster (units, their students, reporters and
 * teachers), read by the units feature and the unitReports activities. The weekly rows and the
 * reports are in ./units-reports.ts.
 */
import type { Knex } from 'knex';
import type { UnitKind, UnitRow } from '../tables/units';

export type { UnitRow, UnitKind };

export interface RosterUnit {
  id: string;
  schoolId: string;
  collegeId: string;
  kind: UnitKind;
  code: string;
  name: string;
  studentIds: string[];
  reporterUserIds: string[];
  teacherUserIds: string[];
}

export async function listUnits(
  db: Knex,
  schoolId: string,
  filter: { collegeId?: string; kind?: UnitKind } = {},
): Promise<UnitRow[]> {
  const q = db('units').where({ school_id: schoolId });
  if (filter.collegeId) q.andWhere({ college_id: filter.collegeId });
  if (filter.kind) q.andWhere({ kind: filter.kind });
  return (await q.orderBy(['college_id', 'kind', 'code'])) as UnitRow[];
}

export async function getUnit(db: Knex, id: string): Promise<UnitRow | undefined> {
  return (await db('units').where({ id }).first()) as UnitRow | undefined;
}

/** The school's units by (kind, code). */
export async function unitsByCode(db: Knex, schoolId: string): Promise<Map<string, UnitRow>> {
  const rows = (await db('units').where({ school_id: schoolId })) as UnitRow[];
  return new Map(rows.map((u) => [`${u.kind}:${u.code}`, u]));
}

/** The unit each of these users reports for (unit_reporters), by user id. */
export async function reporterUnits(db: Knex, userIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = (await db('unit_reporters').whereIn('user_id', userIds.slice(i, i + 500))) as Array<{
      user_id: string;
      unit_id: string;
    }>;
    for (const r of rows) out.set(r.user_id, r.unit_id);
  }
  return out;
}

/** The unit a reporter is attached to. */
export async function unitOfReporter(db: Knex, userId: string): Promise<UnitRow | undefined> {
  return (await db('units')
    .join('unit_reporters', 'unit_reporters.unit_id', 'units.id')
    .where('unit_reporters.user_id', userId)
    .first('units.*')) as UnitRow | undefined;
}

/** The students of a unit, by name. */
export async function unitStudents(
  db: Knex,
  unitId: string,
): Promise<Array<{ id: string; name: string; student_no: string }>> {
  return (await db('students')
    .join('unit_students', 'unit_students.student_id', 'students.id')
    .where('unit_students.unit_id', unitId)
    .orderBy('students.student_no')
    .select('students.id', 'students.name', 'students.student_no')) as Array<{
    id: string;
    name: string;
    student_no: string;
  }>;
}

export async function isStudentOfUnit(db: Knex, unitId: string, studentId: string): Promise<boolean> {
  return Boolean(await db('unit_students').where({ unit_id: unitId, student_id: studentId }).first('student_id'));
}

/** The user ids of a unit's reporters and teachers. */
export async function unitPeople(db: Knex, unitId: string): Promise<{ reporters: string[]; teachers: string[] }> {
  const reporters = (await db('unit_reporters').where({ unit_id: unitId }).pluck('user_id')) as string[];
  const teachers = (await db('unit_teachers').where({ unit_id: unitId }).pluck('user_id')) as string[];
  return { reporters, teachers };
}

/** The reporters and teachers of many units, by unit id. */
export async function peopleOfUnits(
  db: Knex,
  unitIds: string[],
): Promise<Map<string, { reporters: string[]; teachers: string[] }>> {
  const out = new Map<string, { reporters: string[]; teachers: string[] }>();
  for (const id of unitIds) out.set(id, { reporters: [], teachers: [] });
  for (let i = 0; i < unitIds.length; i += 500) {
    const part = unitIds.slice(i, i + 500);
    for (const r of (await db('unit_reporters').whereIn('unit_id', part)) as Array<{
      unit_id: string;
      user_id: string;
    }>)
      out.get(r.unit_id)?.reporters.push(r.user_id);
    for (const r of (await db('unit_teachers').whereIn('unit_id', part)) as Array<{ unit_id: string; user_id: string }>)
      out.get(r.unit_id)?.teachers.push(r.user_id);
  }
  return out;
}

/**
 * Writes the roster's units (inside the caller's transaction): each unit is upserted by id, and its
 * students, reporters and teachers become exactly the roster's (those of units the roster does not
 * name are left alone).
 */
export async function saveRoster(trx: Knex, units: RosterUnit[], now: number): Promise<void> {
  for (const u of units) {
    await trx('units')
      .insert({
        id: u.id,
        school_id: u.schoolId,
        college_id: u.collegeId,
        kind: u.kind,
        code: u.code,
        name: u.name,
        created_at: now,
        updated_at: now,
      })
      .onConflict('id')
      .merge(['college_id', 'name', 'updated_at']);
    await trx('unit_students').where({ unit_id: u.id }).del();
    await trx('unit_reporters').where({ unit_id: u.id }).del();
    await trx('unit_teachers').where({ unit_id: u.id }).del();
  }
  const students = units.flatMap((u) => u.studentIds.map((student_id) => ({ unit_id: u.id, student_id })));
  const reporters = units.flatMap((u) => u.reporterUserIds.map((user_id) => ({ unit_id: u.id, user_id })));
  const teachers = units.flatMap((u) => u.teacherUserIds.map((user_id) => ({ unit_id: u.id, user_id })));
  for (let i = 0; i < students.length; i += 200) await trx('unit_students').insert(students.slice(i, i + 200));
  for (let i = 0; i < reporters.length; i += 200) await trx('unit_reporters').insert(reporters.slice(i, i + 200));
  for (let i = 0; i < teachers.length; i += 200) await trx('unit_teachers').insert(teachers.slice(i, i + 200));
}

/** How many students and reporters each unit of a school has. */
export async function unitCounts(
  db: Knex,
  schoolId: string,
): Promise<Map<string, { students: number; reporters: number }>> {
  const out = new Map<string, { students: number; reporters: number }>();
  const s = (await db('unit_students')
    .join('units', 'units.id', 'unit_students.unit_id')
    .where('units.school_id', schoolId)
    .groupBy('unit_students.unit_id')
    .select('unit_students.unit_id as id')
    .count({ n: '*' })) as Array<{ id: string; n: number | string }>;
  const r = (await db('unit_reporters')
    .join('units', 'units.id', 'unit_reporters.unit_id')
    .where('units.school_id', schoolId)
    .groupBy('unit_reporters.unit_id')
    .select('unit_reporters.unit_id as id')
    .count({ n: '*' })) as Array<{ id: string; n: number | string }>;
  for (const x of s) out.set(x.id, { students: Number(x.n), reporters: 0 });
  for (const x of r) out.set(x.id, { students: out.get(x.id)?.students ?? 0, reporters: Number(x.n) });
  return out;
}

/** Whether the school has any class or dormitory (a roster was imported). */
export async function hasUnits(db: Knex, schoolId: string): Promise<boolean> {
  return (await db('units').where({ school_id: schoolId }).first('id')) !== undefined;
}
