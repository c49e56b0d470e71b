/**
 * The school administration's side of the class and dorm levels: the roster as stored, starting the
 * weekly reports of a semester (one unitReports workflow per college, idempotent), and the response
 * deadline of a concern (a school setting, 24 h by default).
 */
import type { Client } from '@temporalio/client';
import { listUnits, unitCounts } from '../../../../db/repositories/units';
import { getUnitSettings, saveUnitSettings } from '../../../../db/repositories/units-reports';
import { DEFAULT_CONCERN_RESPOND_MS, respondWithinProblem } from '../../../../domain/units';
import type { SessionUser } from '../../../platform/auth/context';
import { BadRequestError, ForbiddenError, NotFoundError, ServiceUnavailableError } from '../../../platform/errors';
import type { UnitsDeps } from './reports';
import { startUnitReportWorkflows } from '../../semesters/use-cases';
import { importRoster, type RosterResult } from './roster';

function assertSchoolAdmin(user: SessionUser): void {
  if (user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
}

export interface UnitListing {
  id: string;
  kind: 'class' | 'dorm';
  code: string;
  name: string;
  collegeId: string;
  students: number;
  reporters: number;
}

export async function listRoster(deps: UnitsDeps, user: SessionUser): Promise<UnitListing[]> {
  assertSchoolAdmin(user);
  const counts = await unitCounts(deps.knex, user.schoolId);
  return (await listUnits(deps.knex, user.schoolId)).map((u) => ({
    id: u.id,
    kind: u.kind,
    code: u.code,
    name: u.name,
    collegeId: u.college_id,
    students: counts.get(u.id)?.students ?? 0,
    reporters: counts.get(u.id)?.reporters ?? 0,
  }));
}

/** The school admin's button: starts the weekly reports of a semester, audited. */
export async function startUnitReports(
  deps: UnitsDeps & { client?: Client },
  user: SessionUser,
  semesterId: string,
): Promise<{ started: number; existing: number }> {
  assertSchoolAdmin(user);
  const semester = await deps.store.getSemester(semesterId);
  if (!semester || semester.schoolId !== user.schoolId) throw new NotFoundError(`unknown semester ${semesterId}`);
  if (!deps.client) throw new ServiceUnavailableError('the workflow service is not available: try again shortly');
  const { started, existing } = await startUnitReportWorkflows(deps.client, deps.store, deps.taskQueue, semester);
  await deps.store.appendAudit({
    eventKey: `unit-reports.started:${semesterId}:${deps.now?.() ?? Date.now()}`,
    subjectType: 'semester',
    subjectId: semesterId,
    action: 'unit-reports.started',
    actor: user.id,
    at: deps.now?.() ?? Date.now(),
    details: { started, existing },
  });
  return { started, existing };
}

export async function readUnitSettings(deps: UnitsDeps, schoolId: string): Promise<{ concernRespondMs: number }> {
  return {
    concernRespondMs: (await getUnitSettings(deps.knex, schoolId))?.concern_respond_ms ?? DEFAULT_CONCERN_RESPOND_MS,
  };
}

/** The school's response deadline of a concern, in hours (1 to 168). */
export async function changeUnitSettings(
  deps: UnitsDeps,
  user: SessionUser,
  b: Record<string, unknown>,
): Promise<{ concernRespondMs: number }> {
  assertSchoolAdmin(user);
  const hours = Number(b.concernRespondHours);
  if (!Number.isFinite(hours)) throw new BadRequestError('concernRespondHours: give the response deadline in hours');
  const ms = Math.round(hours * 3_600_000);
  const problem = respondWithinProblem(ms);
  if (problem) throw new BadRequestError(`concernRespondHours: ${problem}`);
  await saveUnitSettings(deps.knex, {
    school_id: user.schoolId,
    concern_respond_ms: ms,
    updated_by: user.id,
    updated_at: deps.now?.() ?? Date.now(),
  });
  return { concernRespondMs: ms };
}

/**
 * A roster import, then the weekly reports of every semester already running start for it (a roster
 * imported mid-semester begins reporting at the next week's opening). Without the workflow service the
 * import still stands; the admin's button starts the reports later.
 */
export async function importRosterAndStartReports(
  deps: UnitsDeps & { client?: Client },
  user: SessionUser,
  bytes: Buffer,
): Promise<RosterResult & { reportsStarted: number }> {
  const result = await importRoster(deps, user, bytes);
  let reportsStarted = 0;
  if (deps.client)
    for (const semester of await deps.store.listSemesters(user.schoolId))
      if (semester.status === 'running')
        reportsStarted += (await startUnitReportWorkflows(deps.client, deps.store, deps.taskQueue, semester)).started;
  return { ...result, reportsStarted };
}
