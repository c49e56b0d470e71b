/**
 * The purge of one student (PIPL Art. 47: deletion once the purpose is served): the archive, its
 * field versions and reviews, the data requests, every process record (screening warnings with
 * their interview records, crisis cases, key-care entries, ledger entries and follow-ups,
 * pairings), the free text typed about the student (archive_notes), the class and dorm memberships,
 * the student's payload key (crypto-shredding: codec/student-keys.ts) and the student's rows (the
 * registered one and any college's own record pointing at it), in one transaction, and a line in
 * the purge log with counts only. A class or dorm concern about the student keeps its filing (the
 * weekly count) but loses the student and the note. The audit log is not
 * touched: it is append-only and refers to the student by the opaque id alone.
 * Stored idempotent responses (kept 24 h) that still hold the student's number or name go too.
 */
import type { Knex } from 'knex';

export type PurgeCounts = Record<string, number>;

export async function purgeStudent(
  trx: Knex,
  p: { studentId: string; by: string; at: number; extra?: PurgeCounts },
): Promise<PurgeCounts | null> {
  const student = (await trx('students').where({ id: p.studentId }).first()) as
    { id: string; school_id: string; college_id: string; student_no: string; name: string } | undefined;
  if (!student) return null;
  const copies = (await trx('students').where({ registered_student_id: student.id }).pluck('id')) as string[];
  const ids = [student.id, ...copies];
  const archive = (await trx('student_archives').where({ student_id: student.id }).first('left_at')) as
    { left_at: number | null } | undefined;
  const counts: PurgeCounts = {};
  const del = async (table: string, q: Knex.QueryBuilder) => {
    counts[table] = (counts[table] ?? 0) + Number(await q.delete());
  };
  const ledger = (await trx('ledger_entries').whereIn('student_id', ids).pluck('id')) as string[];
  await del('ledger_follow_ups', trx('ledger_follow_ups').whereIn('entry_id', ledger.length ? ledger : ['']));
  await del('ledger_entries', trx('ledger_entries').whereIn('student_id', ids));
  await del('key_care_entries', trx('key_care_entries').whereIn('student_id', ids));
  await del('pairings', trx('pairings').whereIn('student_id', ids));
  await del('screening_warnings', trx('screening_warnings').whereIn('student_id', ids));
  await del('crisis_cases', trx('crisis_cases').whereIn('student_id', ids));
  await del('archive_notes', trx('archive_notes').whereIn('student_id', ids));
  await del('archive_field_versions', trx('archive_field_versions').whereIn('student_id', ids));
  await del('archive_reviews', trx('archive_reviews').whereIn('student_id', ids));
  await del('data_requests', trx('data_requests').whereIn('student_id', ids));
  await del('student_archives', trx('student_archives').whereIn('student_id', ids));
  // a class or dorm concern about the student keeps its filing (the class's weekly count) without the student
  counts.unit_reports = Number(
    await trx('unit_reports').whereIn('student_id', ids).update({ student_id: null, note: null }),
  );
  // crypto-shredding (codec/student-keys.ts): without the salt, the student's payload key is gone,
  // and every copy of their care workflows' histories with it
  await del('student_payload_keys', trx('student_payload_keys').whereIn('student_id', ids));
  // the student's class and dormitory memberships (the roster): without this a rostered student could not be purged
  await del('unit_students', trx('unit_students').whereIn('student_id', ids));
  // a college's own record first (it points at the registered student), then the student
  await del('students', trx('students').whereIn('id', copies.length ? copies : ['']));
  await del('students', trx('students').where({ id: student.id }));
  for (const needle of [student.student_no, student.name].filter((s) => s.length >= 2))
    await del('idempotency_keys', trx('idempotency_keys').where('body', 'like', `%${needle}%`));
  Object.assign(counts, p.extra ?? {});
  await trx('archive_purges')
    .insert({
      student_id: student.id,
      school_id: student.school_id,
      college_id: student.college_id,
      left_at: archive?.left_at ?? null,
      purged_at: p.at,
      purged_by: p.by,
      counts: JSON.stringify(counts),
    })
    .onConflict('student_id')
    .ignore();
  return counts;
}

/**
 * The Temporal workflows of a student's care processes (their ids, by convention: the screening
 * follow-ups, crisis cases and their supervision, pairings, data requests, class or dorm concerns), for the purge to delete
 * their histories too. The purge timer's own (archive-purge.<id>) is not among them.
 */
export async function studentWorkflowIds(db: Knex, studentId: string): Promise<string[]> {
  const ids = await studentIdsOf(db, studentId);
  const of = async (table: string) => (await db(table).whereIn('student_id', ids).pluck('id')) as string[];
  return [
    ...(await of('screening_warnings')).map((id) => `screening.${id}`),
    ...(await of('crisis_cases')).flatMap((id) => [`crisis.${id}`, `supervision.${id}`]),
    ...(await of('pairings')).map((id) => `pairing.${id}`),
    ...(await of('data_requests')).map((id) => `data-request.${id}`),
    ...(await of('unit_reports')).map((id) => `unit-concern.${id}`),
  ];
}

/** The student's id and those of every college's own record pointing at it. */
export async function studentIdsOf(db: Knex, studentId: string): Promise<string[]> {
  const copies = (await db('students').where({ registered_student_id: studentId }).pluck('id')) as string[];
  return [studentId, ...copies];
}

/** The purge log (newest first): opaque ids and counts only. */
export async function listPurges(
  db: Knex,
  schoolId: string,
): Promise<Array<{ studentId: string; collegeId: string; purgedAt: number; purgedBy: string; counts: PurgeCounts }>> {
  const rows = (await db('archive_purges').where({ school_id: schoolId }).orderBy('purged_at', 'desc')) as Array<
    Record<string, unknown>
  >;
  return rows.map((r) => ({
    studentId: String(r.student_id),
    collegeId: String(r.college_id),
    purgedAt: Number(r.purged_at),
    purgedBy: String(r.purged_by),
    counts: JSON.parse(String(r.counts)) as PurgeCounts,
  }));
}
