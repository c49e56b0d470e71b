/**
 * The school's figures of the indicators (domain/indicators-inputs.ts), entered by the school
 * administration per semester: read them with their versions, and save a valid submission as the next
 * version (audited, who and when), or answer every problem by field and store nothing.
 */
import {
  indicatorInputVersions,
  insertIndicatorInputs,
  latestIndicatorInputs,
  type InputVersion,
  type StoredInputs,
} from '../../../../db/repositories/indicators';
import { writeTransaction } from '../../../../db/knex';
import { createStore, type College, type Semester } from '../../../../db/store';
import { parseIndicatorInputs, type InputProblem } from '../../../../domain/indicators-inputs';
import { indicatorInputsRefusal } from '../../../../domain/permissions';
import { ConflictError, ForbiddenError } from '../../../platform/errors';
import type { SessionUser } from '../../../platform/auth/context';
import { indicatorSemester, type IndicatorsDeps } from './read';

function assertInputsKeeper(user: SessionUser): void {
  const refusal = indicatorInputsRefusal({ userId: user.id, role: user.role, collegeId: user.collegeId });
  if (refusal) throw new ForbiddenError(refusal);
}

export interface InputsView {
  semester: Semester;
  colleges: College[];
  latest: StoredInputs | undefined;
  versions: InputVersion[];
}

export async function readIndicatorInputs(
  deps: IndicatorsDeps,
  user: SessionUser,
  semesterId?: unknown,
): Promise<InputsView> {
  assertInputsKeeper(user);
  const semester = await indicatorSemester(deps.store, user, semesterId);
  return {
    semester,
    colleges: await deps.store.listColleges(user.schoolId),
    latest: await latestIndicatorInputs(deps.knex, user.schoolId, semester.id),
    versions: await indicatorInputVersions(deps.knex, user.schoolId, semester.id),
  };
}

const isUniqueViolation = (e: unknown) => {
  const code = (e as { code?: unknown }).code;
  return (
    code === '23505' || code === 'SQLITE_CONSTRAINT' || (e instanceof Error && /UNIQUE constraint/.test(e.message))
  );
};

/**
 * Saves a submission as the semester's next version, with its audit event, in one transaction; or
 * returns every problem by field (nothing stored). Two saves at the same instant: the second is a 409.
 */
export async function saveIndicatorInputs(
  deps: IndicatorsDeps,
  user: SessionUser,
  semesterId: unknown,
  submitted: unknown,
): Promise<{ version: number; semesterId: string; problems?: undefined } | { problems: InputProblem[] }> {
  assertInputsKeeper(user);
  const semester = await indicatorSemester(deps.store, user, semesterId);
  const colleges = await deps.store.listColleges(user.schoolId);
  const parsed = parseIndicatorInputs(
    submitted,
    colleges.map((c) => c.id),
  );
  if (parsed.problems) return { problems: parsed.problems };
  try {
    const version = await writeTransaction(deps.knex, async (trx) => {
      const v = await insertIndicatorInputs(trx, {
        schoolId: user.schoolId,
        semesterId: semester.id,
        inputs: parsed.inputs,
        by: user.id,
        at: deps.now,
      });
      await createStore(trx).appendAudit({
        eventKey: `indicator-inputs:${user.schoolId}:${semester.id}:v${v}`,
        subjectType: 'indicator-inputs',
        subjectId: `${user.schoolId}:${semester.id}`,
        action: 'entered',
        actor: user.id,
        at: deps.now,
        details: { version: v },
      });
      return v;
    });
    return { version, semesterId: semester.id };
  } catch (e) {
    if (isUniqueViolation(e))
      throw new ConflictError('the figures were saved by someone else at the same time: reload and try again');
    throw e;
  }
}
