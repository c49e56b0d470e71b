/**
 * contracts/ (issue 13): the shapes workflows proxy or receive still fit what the activities and
 * the planner produce, and the Update/Signal/Query names in recorded histories are unchanged.
 * The type checks run in `tsc --noEmit` (test/ is in tsconfig); the names at run time.
 */
import { describe, expect, expectTypeOf, test } from 'vitest';
import type * as digest from '../activities/digest';
import * as contracts from '../contracts';
import type { PlannedTask as DomainPlannedTask } from '../domain/planner';
import type { DeliveryActivities as OutboxDeliveryActivities } from '../notifications/outbox';
import * as workflows from '../workflows';

describe('contracts', () => {
  test('When the activities are compared with the contracts the workflows proxy, then they fit', () => {
    expectTypeOf<digest.DigestActivities>().toMatchTypeOf<contracts.DigestActivities>();
    expectTypeOf<digest.NoticeResult>().toEqualTypeOf<contracts.NoticeResult>();
    expectTypeOf<digest.ScheduledSchoolInput>().toEqualTypeOf<contracts.ScheduledSchoolInput>();
    expectTypeOf<OutboxDeliveryActivities>().toMatchTypeOf<contracts.DeliveryActivities>();
    expectTypeOf<DomainPlannedTask>().toEqualTypeOf<contracts.PlannedTask>();
  });

  test('When the definitions are read from contracts/, then their names are the ones in the recorded histories, and contracts/ is their only home (workflows/ does not re-export them)', () => {
    const names = {
      completeTaskUpdate: 'completeTask',
      waiveTaskUpdate: 'waiveTask',
      moveDueUpdate: 'moveDue',
      taskStateQuery: 'taskState',
      ladderCompleteTaskUpdate: 'ladderCompleteTask',
      ladderWaiveTaskUpdate: 'ladderWaiveTask',
      ladderMoveDueUpdate: 'ladderMoveDue',
      ladderReturnTaskUpdate: 'ladderReturnTask',
      ladderReplanUpdate: 'ladderReplan',
      ladderTaskStateQuery: 'ladderTaskState',
      ladderSummaryQuery: 'ladderSummary',
      addCollegeSignal: 'addCollege',
      addCollegeUpdate: 'addCollege',
      semesterCollegesQuery: 'semesterColleges',
      setGuardianUpdate: 'setGuardian',
      checkInUpdate: 'checkIn',
      handOverUpdate: 'handOver',
      supervisionStateQuery: 'supervisionState',
      acknowledgeOnSceneUpdate: 'acknowledgeOnScene',
      confirmSchoolNotifiedUpdate: 'confirmSchoolNotified',
      recordActionUpdate: 'recordAction',
      fiveOnesUpdate: 'fiveOnes',
      crisisStateQuery: 'crisisState',
      recordTalkUpdate: 'recordTalk',
      endPairingUpdate: 'endPairing',
      changeTeacherUpdate: 'changeTeacher',
      recordInterviewUpdate: 'recordInterview',
      screeningStateQuery: 'screeningState',
    } as const;
    for (const [key, name] of Object.entries(names)) {
      const def = (contracts as unknown as Record<string, { name: string }>)[key];
      expect(def?.name, key).toBe(name);
      expect((workflows as unknown as Record<string, unknown>)[key], key).toBeUndefined();
    }
  });
});
