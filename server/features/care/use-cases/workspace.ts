/**
 * The care workspace of a college (GET /care): the key-care list, the ledger, pairings, the open
 * screening warnings and crisis cases, the college's active members and every user's name; the
 * students shown are audited once, whichever lists they are on.
 */
import { listOpenCasesOfCollege, type OpenCaseRow } from '../../../../db/repositories/crisis';
import { listOpenWarningsOfCollege, type WarningWithStudent } from '../../../../db/repositories/screening';
import type { College, User } from '../../../../db/store';
import { assertCareOf, type SessionUser } from '../../../platform/auth/context';
import { NotFoundError } from '../../../platform/errors';
import { auditStudentReads, type CareDeps } from './common';
import { listKeyCare, type KeyCareView } from './key-care';
import { listLedger, type LedgerView } from './ledger';
import { listPairings, type PairingView } from './pairings';

export interface CareWorkspace {
  colleges: College[];
  college: College;
  keyCare: KeyCareView[];
  ledger: LedgerView[];
  pairings: PairingView[];
  /** the college's active members (liaison teachers, pairing teachers) */
  members: User[];
  /** every user of the school by id: the authors of follow-ups */
  names: Map<string, string>;
  warnings: WarningWithStudent[];
  crises: OpenCaseRow[];
}

/** The college's active users. */
export async function activeMembersOf(deps: Pick<CareDeps, 'store'>, schoolId: string, collegeId: string) {
  return (await deps.store.listUsers({ schoolId, collegeId })).filter((u) => u.active);
}

/** The workspace of the college asked for, else the user's own, else the school's first (care staff of it only). */
export async function careWorkspace(
  deps: CareDeps,
  user: SessionUser,
  requestedCollegeId: string | undefined,
): Promise<CareWorkspace> {
  const colleges = await deps.store.listColleges(user.schoolId);
  const collegeId = requestedCollegeId ?? user.collegeId ?? colleges[0]?.id;
  const college = colleges.find((c) => c.id === collegeId);
  if (!collegeId || !college) throw new NotFoundError(`unknown college ${collegeId ?? ''}`);
  assertCareOf(user, collegeId);
  // the page audits its students once (below), not once per list
  const keyCare = await listKeyCare(deps, user, collegeId, { audit: false });
  const ledger = await listLedger(deps, user, collegeId, 'ledger', { audit: false });
  const pairings = await listPairings(deps, user, collegeId, { audit: false });
  const members = await activeMembersOf(deps, user.schoolId, collegeId);
  const names = new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
  const warnings = await listOpenWarningsOfCollege(deps.knex, collegeId);
  const crises = await listOpenCasesOfCollege(deps.knex, collegeId);
  // one audited view per student shown, whichever lists they are on
  await auditStudentReads(
    deps,
    user,
    [
      ...keyCare.map((k) => k.student.id),
      ...ledger.map((l) => l.student.id),
      ...pairings.map((p) => p.student.id),
      ...warnings.map((w) => String(w.student_id)),
      ...crises.map((c) => String(c.student_id)),
    ],
    'care-page',
  );
  return { colleges, college, keyCare, ledger, pairings, members, names, warnings, crises };
}
