/** The crisis procedure's events and Update refusals, shared by crisis-case and its child, supervision. */
import { proxyActivities } from '@temporalio/workflow';
import type { CrisisActivities } from '../activities/crisis';
import type { StaffActor } from '../contracts/supervision';
import { crisisCollegeRefusal } from '../domain/permissions';
import { careRecorder } from './deliveries';
import { RECORD_EVENT_OPTIONS, rejecter } from './options';

const { recordCrisisEvent } = proxyActivities<CrisisActivities>(RECORD_EVENT_OPTIONS);

export const reject = rejecter('CrisisUpdateRejected');

/**
 * One case's `record` and `deliveries` (careRecorder over the crisis event activity), and
 * `ofCollege(actor)`, which refuses an Update by staff of another college.
 */
export function crisisEvents(input: { caseId: string; collegeId: string }) {
  const { record, deliveries } = careRecorder(recordCrisisEvent, () => ({
    caseId: input.caseId,
    collegeId: input.collegeId,
  }));
  const ofCollege = (a: StaffActor) => {
    const refusal = crisisCollegeRefusal(a, input.collegeId);
    if (refusal) reject(refusal);
  };
  return { record, deliveries, ofCollege };
}
