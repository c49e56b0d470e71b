/**
 * The training of the new committee members (开展新生心理委员培训), tracked per class: which classes'
 * members were trained, by whom, when. The checklist task completes only when every class of the
 * college is marked trained (the tasks feature's trainingDutyProblem applies domain/units.ts).
 */
import { getUnit } from '../../../../db/repositories/units';
import { removeTraining, saveTraining, type ClassTraining } from '../../../../db/repositories/units-reports';
import { markTrainingRefusal } from '../../../../domain/permissions';
import { assertCareOf, type SessionUser } from '../../../platform/auth/context';
import { ForbiddenError, NotFoundError } from '../../../platform/errors';
import { actingOf } from './concerns';
import type { UnitsDeps } from './reports';

export type { ClassTraining };

/** The classes of a college and their training in a semester (the college's care staff and the school). */
export async function classTraining(
  deps: UnitsDeps,
  user: SessionUser,
  semesterId: string,
  collegeId: string,
): Promise<ClassTraining[]> {
  assertCareOf(user, collegeId, 'this college');
  return deps.store.classTrainingOf(semesterId, collegeId);
}

/** Marks (or, with trained=false, unmarks) a class's committee members as trained in the semester. */
export async function markClassTrained(
  deps: UnitsDeps,
  user: SessionUser,
  semesterId: string,
  unitId: string,
  b: { trained?: boolean; note?: unknown } = {},
): Promise<ClassTraining[]> {
  const unit = await getUnit(deps.knex, unitId);
  if (!unit || unit.school_id !== user.schoolId || unit.kind !== 'class')
    throw new NotFoundError(`unknown class ${unitId}`);
  const semester = await deps.store.getSemester(semesterId);
  if (!semester || semester.schoolId !== user.schoolId) throw new NotFoundError(`unknown semester ${semesterId}`);
  const refusal = markTrainingRefusal(actingOf(user), unit.college_id);
  if (refusal) throw new ForbiddenError(refusal);
  const at = deps.now?.() ?? Date.now();
  if (b.trained === false) await removeTraining(deps.knex, semesterId, unitId);
  else
    await saveTraining(deps.knex, {
      semester_id: semesterId,
      unit_id: unitId,
      college_id: unit.college_id,
      trained_by: user.id,
      trained_at: at,
      note: typeof b.note === 'string' && b.note.trim() ? b.note.trim().slice(0, 500) : null,
    });
  await deps.store.appendAudit({
    eventKey: `unit-training:${semesterId}:${unitId}:${at}`,
    subjectType: 'unit',
    subjectId: unitId,
    action: b.trained === false ? 'training.unmarked' : 'training.marked',
    actor: user.id,
    at,
    details: { semesterId },
  });
  return deps.store.classTrainingOf(semesterId, unit.college_id);
}
