/** What the case page shows besides the case: the college's members (for the forms), the reporting college of a routed case, every user's name. */
import type { Knex } from 'knex';
import type { College, Store, User } from '../../../../db/store';
import type { SessionUser } from '../../../platform/auth/context';
import { activeMembersOf } from '../../care/use-cases';
import { readCase } from './read';

export interface CasePageData {
  c: Awaited<ReturnType<typeof readCase>>;
  /** the case college's active members; none for the reporter of a routed case (who cannot act on it) */
  members: User[];
  /** the reporting college, on the owner college's view of a routed case */
  from: College | undefined;
  names: Map<string, string>;
}

export async function readCasePage(
  deps: { store: Store; knex: Knex; now: number },
  user: SessionUser,
  caseId: string,
): Promise<CasePageData> {
  const c = await readCase(deps, user, caseId);
  const members = c.case.collegeId ? await activeMembersOf(deps, user.schoolId, c.case.collegeId) : [];
  const from =
    c.case.collegeId && c.case.routedFromCollegeId
      ? await deps.store.getCollege(c.case.routedFromCollegeId)
      : undefined;
  return { c, members, from, names: await userNames(deps, user) };
}

/** Every user of the school by id (the timeline's actors). */
export async function userNames(deps: { store: Store }, user: SessionUser): Promise<Map<string, string>> {
  return new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
}
