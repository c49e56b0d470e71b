/**
 * 开展新生心理委员培训, tracked per class (issue 16 part 2): the checklist task of the committee
 * members' training completes only when every class of the college has its members' training
 * recorded (the units feature records it; the rule is domain/units.ts trainingProblem).
 */
import type { Store, TaskInstanceRow } from '../../../../db/store';
import { isTrainingTask, trainingProblem } from '../../../../domain/units';

export async function trainingDutyProblem(store: Store, row: TaskInstanceRow): Promise<string | null> {
  if (row.status === 'completed' || row.status === 'waived') return null;
  if (!isTrainingTask(row.templateTaskId, row.titleZh)) return null;
  const problem = trainingProblem(await store.classTrainingOf(row.semesterId, row.collegeId));
  return problem && `record the training of every class first: ${problem} (尚有班级未完成心理委员培训)`;
}
