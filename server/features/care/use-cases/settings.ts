/** The school's care settings (the procedures' durations), kept by the school administration. */
import { getCareSettings, saveCareSettings } from '../../../../db/repositories/care';
import { careSettingsProblems, careSettingsSchema, type CareSettings } from '../../../../domain/care';
import { ForbiddenError, type SessionUser } from '../../../platform/auth/context';
import type { CareDeps } from './common';

function assertSettingsKeeper(user: SessionUser): void {
  if (user.role !== 'school_admin') throw new ForbiddenError('the care settings are kept by the school administration');
}

export async function readCareSettings(deps: CareDeps, user: SessionUser): Promise<CareSettings> {
  assertSettingsKeeper(user);
  return getCareSettings(deps.knex, user.schoolId);
}

/** Saves valid settings (and audits the change); otherwise returns every problem by path and saves nothing. */
export async function changeCareSettings(
  deps: CareDeps,
  user: SessionUser,
  submitted: unknown,
): Promise<{ settings: CareSettings; problems?: undefined } | { problems: string[] }> {
  assertSettingsKeeper(user);
  const problems = careSettingsProblems(submitted);
  if (problems.length) return { problems };
  const settings = careSettingsSchema.parse(submitted);
  await saveCareSettings(deps.knex, user.schoolId, settings, user.id, deps.now);
  await deps.store.appendAudit({
    eventKey: `care-settings:${user.schoolId}:${deps.now}`,
    subjectType: 'care-settings',
    subjectId: user.schoolId,
    action: 'changed',
    actor: user.id,
    at: deps.now,
    details: settings as unknown as Record<string, unknown>,
  });
  return { settings };
}
