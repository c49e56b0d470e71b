/**
 * The weekly reports of classes and dormitories: one unit_report_weeks row per (unit, week), moved by
 * the unitReports workflow's activity (open → overdue → escalated) and by a filing (→ filed); the
 * reports and their concerns' follow-up; the training records; the school's response deadline.
 */
import type { Knex } from 'knex';
import type {
  ConcernResponse,
  UnitReportRow,
  UnitReportWeekRow,
  UnitSettingsRow,
  UnitTrainingRow,
  UnitWeekStatus,
} from '../tables/units';

export type { UnitReportRow, UnitReportWeekRow, UnitTrainingRow, UnitWeekStatus, ConcernResponse };

/** Inserts week rows once each (a retried activity inserts nothing twice). */
export async function insertWeekRows(trx: Knex, rows: UnitReportWeekRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200)
    await trx('unit_report_weeks')
      .insert(rows.slice(i, i + 200))
      .onConflict('id')
      .ignore();
}

/** The college's rows of one week in these statuses. */
export async function weekRows(
  db: Knex,
  q: { semesterId: string; collegeId: string; weekNo: number; status: UnitWeekStatus[] },
): Promise<UnitReportWeekRow[]> {
  return (await db('unit_report_weeks')
    .where({ semester_id: q.semesterId, college_id: q.collegeId, week_no: q.weekNo })
    .whereIn('status', q.status)
    .orderBy('unit_id')) as UnitReportWeekRow[];
}

/** Moves these rows from a status to another (a filed row is never moved back); answers the ids moved. */
export async function moveWeekRows(
  trx: Knex,
  ids: string[],
  from: UnitWeekStatus,
  patch: Partial<Pick<UnitReportWeekRow, 'status' | 'reminded_at' | 'escalated_at'>>,
): Promise<string[]> {
  const moved: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const still = (await trx('unit_report_weeks')
      .whereIn('id', part)
      .andWhere({ status: from })
      .pluck('id')) as string[];
    if (still.length) await trx('unit_report_weeks').whereIn('id', still).update(patch);
    moved.push(...still);
  }
  return moved;
}

/** The unit's week row in force at `at` (the latest opened by then) in a semester. */
export async function currentWeekRow(db: Knex, unitId: string, at: number): Promise<UnitReportWeekRow | undefined> {
  return (await db('unit_report_weeks')
    .where({ unit_id: unitId })
    .andWhere('open_at', '<=', at)
    .orderBy([
      { column: 'open_at', order: 'desc' },
      { column: 'week_no', order: 'desc' },
    ])
    .first()) as UnitReportWeekRow | undefined;
}

export async function getWeekRow(db: Knex, id: string): Promise<UnitReportWeekRow | undefined> {
  return (await db('unit_report_weeks').where({ id }).first()) as UnitReportWeekRow | undefined;
}

/** The week is filed (from open, overdue or escalated: a late filing still counts), once. */
export async function markWeekFiled(trx: Knex, id: string, at: number): Promise<boolean> {
  const n = await trx('unit_report_weeks')
    .where({ id })
    .whereNull('filed_at')
    .update({ status: 'filed', filed_at: at });
  return n > 0;
}

export async function insertReport(trx: Knex, row: UnitReportRow): Promise<void> {
  await trx('unit_reports').insert(row);
}

export async function getReport(db: Knex, id: string): Promise<UnitReportRow | undefined> {
  return (await db('unit_reports').where({ id }).first()) as UnitReportRow | undefined;
}

/** A reporter's own reports, newest first. */
export async function reportsOfReporter(db: Knex, userId: string, limit = 50): Promise<UnitReportRow[]> {
  return (await db('unit_reports')
    .where({ reporter_user_id: userId })
    .orderBy('filed_at', 'desc')
    .limit(limit)) as UnitReportRow[];
}

/** The "nothing unusual" report of this reporter for this week, if filed. */
export async function nothingUnusualOf(db: Knex, weekId: string, userId: string): Promise<UnitReportRow | undefined> {
  return (await db('unit_reports')
    .where({ week_id: weekId, reporter_user_id: userId, kind: 'nothing_unusual' })
    .first()) as UnitReportRow | undefined;
}

/** The concerns of a college (newest first), with the student's name for its care staff. */
export async function concernsOfCollege(
  db: Knex,
  collegeId: string,
  limit = 200,
): Promise<Array<UnitReportRow & { student_name: string | null; unit_name: string }>> {
  return (await db('unit_reports')
    .leftJoin('students', 'students.id', 'unit_reports.student_id')
    .join('units', 'units.id', 'unit_reports.unit_id')
    .where('unit_reports.college_id', collegeId)
    .andWhere('unit_reports.kind', 'concern')
    .orderBy('unit_reports.filed_at', 'desc')
    .limit(limit)
    .select('unit_reports.*', 'students.name as student_name', 'units.name as unit_name')) as Array<
    UnitReportRow & { student_name: string | null; unit_name: string }
  >;
}

/** Records the counsellor's response (once: a concern already answered is not answered again). */
export async function respondToConcernRow(
  trx: Knex,
  id: string,
  r: { at: number; by: string; response: ConcernResponse; note: string; ref: string | null },
): Promise<boolean> {
  const n = await trx('unit_reports').where({ id, kind: 'concern' }).whereIn('follow_up', ['open', 'overdue']).update({
    follow_up: 'responded',
    responded_at: r.at,
    responded_by: r.by,
    response: r.response,
    response_note: r.note,
    response_ref: r.ref,
  });
  return n > 0;
}

/** The response deadline passed without a response. */
export async function markConcernOverdue(trx: Knex, id: string): Promise<boolean> {
  return (await trx('unit_reports').where({ id, follow_up: 'open' }).update({ follow_up: 'overdue' })) > 0;
}

export async function listTrainings(db: Knex, semesterId: string, collegeId: string): Promise<UnitTrainingRow[]> {
  return (await db('unit_trainings').where({ semester_id: semesterId, college_id: collegeId })) as UnitTrainingRow[];
}

export async function saveTraining(db: Knex, row: UnitTrainingRow): Promise<void> {
  await db('unit_trainings')
    .insert(row)
    .onConflict(['semester_id', 'unit_id'])
    .merge(['trained_by', 'trained_at', 'note']);
}

export async function removeTraining(db: Knex, semesterId: string, unitId: string): Promise<void> {
  await db('unit_trainings').where({ semester_id: semesterId, unit_id: unitId }).del();
}

export async function getUnitSettings(db: Knex, schoolId: string): Promise<UnitSettingsRow | undefined> {
  const row = (await db('unit_settings').where({ school_id: schoolId }).first()) as UnitSettingsRow | undefined;
  return row ? { ...row, concern_respond_ms: Number(row.concern_respond_ms) } : undefined;
}

export async function saveUnitSettings(db: Knex, row: UnitSettingsRow): Promise<void> {
  await db('unit_settings')
    .insert(row)
    .onConflict('school_id')
    .merge(['concern_respond_ms', 'updated_by', 'updated_at']);
}

/** A class and whether its committee members' training is recorded in a semester (by whom, when). */
export interface ClassTraining {
  unitId: string;
  code: string;
  name: string;
  trained: boolean;
  trainedBy: string | null;
  trainedAt: number | null;
}

/** The classes of a college, each with whether its committee members' training is recorded in the semester. */
export async function classTrainingOf(db: Knex, semesterId: string, collegeId: string): Promise<ClassTraining[]> {
  const rows = (await db('units')
    .leftJoin('unit_trainings', function () {
      this.on('unit_trainings.unit_id', '=', 'units.id').andOn(
        'unit_trainings.semester_id',
        '=',
        db.raw('?', [semesterId]),
      );
    })
    .where({ 'units.college_id': collegeId, 'units.kind': 'class' })
    .orderBy('units.code')
    .select(
      'units.id',
      'units.code',
      'units.name',
      'unit_trainings.trained_by',
      'unit_trainings.trained_at',
    )) as Array<{
    id: string;
    code: string;
    name: string;
    trained_by: string | null;
    trained_at: number | string | null;
  }>;
  return rows.map((r) => ({
    unitId: r.id,
    code: r.code,
    name: r.name,
    trained: r.trained_by !== null,
    trainedBy: r.trained_by,
    trainedAt: r.trained_at === null ? null : Number(r.trained_at),
  }));
}
