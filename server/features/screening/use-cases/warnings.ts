/** The warnings list of the JSON API: no student names (opaque ids); the names are shown where care staff act on them. */
import type { Knex } from 'knex';
import { listWarningSummaries, type WarningSummary } from '../../../../db/repositories/screening';
import { requireCareRole, type SessionUser } from '../../../platform/auth/context';

/**
 * Care staff only. College staff see their own college's warnings; the school admin every warning,
 * or one college's when asked. Optionally of one status.
 */
export async function listWarnings(
  deps: { knex: Knex },
  user: SessionUser,
  query: { college?: unknown; status?: unknown },
): Promise<WarningSummary[]> {
  requireCareRole(user);
  const collegeId =
    user.role !== 'school_admin' ? user.collegeId : typeof query.college === 'string' ? query.college : undefined;
  const status = typeof query.status === 'string' ? query.status : undefined;
  return listWarningSummaries(deps.knex, { collegeId, status });
}
