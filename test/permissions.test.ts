/**
 * domain/permissions.ts (issue 13): who may do what to which college's data, as the workflows'
 * Update validators check it, with the refusals worded as the users have always read them.
 */
import { describe, expect, test } from 'vitest';
import {
  changeTeacherRefusal,
  completeTaskRefusal,
  crisisCollegeRefusal,
  crisisLeaderRefusal,
  endPairingRefusal,
  interviewRefusal,
  mayCompleteTask,
  mayMoveDue,
  mayReplan,
  mayReturnTask,
  mayWaiveTask,
  moveDueRefusal,
  recordTalkRefusal,
  replanRefusal,
  returnTaskRefusal,
  taskCollegeRefusal,
  waiveTaskRefusal,
  type Acting,
} from '../domain/permissions';

const user = (role: string, collegeId: string | null, userId = `${role}-${collegeId ?? 'school'}`): Acting => ({
  userId,
  role,
  collegeId,
});
const admin = user('school_admin', null);
const leaderA = user('college_leader', 'a');
const leaderB = user('college_leader', 'b');
const counsellorA = user('counsellor', 'a');
const teacherA = user('class_teacher', 'a', 'teacher-1');

describe('task permissions', () => {
  test("When someone of another college acts on a task, then it is refused naming the task's college; of the same college, it is not", () => {
    expect(taskCollegeRefusal(leaderB, 'a')).toBe('this task belongs to another college (a)');
    expect(taskCollegeRefusal(admin, 'a')).toBe('this task belongs to another college (a)');
    expect(taskCollegeRefusal(counsellorA, 'a')).toBeNull();
  });

  test('When a task is completed, then its owner role or the college leader may; another role may not', () => {
    expect(mayCompleteTask(counsellorA, 'counsellor')).toBe(true);
    expect(mayCompleteTask(leaderA, 'counsellor')).toBe(true);
    expect(mayCompleteTask(teacherA, 'counsellor')).toBe(false);
    expect(completeTaskRefusal(teacherA, 'counsellor')).toBe(
      'only the counsellor of the college or the college leader may complete this task',
    );
    expect(completeTaskRefusal(counsellorA, 'counsellor')).toBeNull();
  });

  test('When a task is waived, moved, returned or replanned, then only the roles of the rules may', () => {
    expect(mayWaiveTask(leaderA)).toBe(true);
    expect(waiveTaskRefusal(counsellorA)).toBe('only the college leader may waive a task');
    expect(waiveTaskRefusal(admin)).toBe('only the college leader may waive a task');
    expect(mayMoveDue(admin)).toBe(true);
    expect(moveDueRefusal(leaderA)).toBe('only the school administration may move a due date');
    expect(mayReturnTask(admin, 'a')).toBe(true);
    expect(mayReturnTask(leaderA, 'a')).toBe(true);
    expect(returnTaskRefusal(leaderB, 'a')).toBe(
      "only the college's leader or the school administration may return a completion",
    );
    expect(returnTaskRefusal(counsellorA, 'a')).not.toBeNull();
    expect(mayReplan(admin)).toBe(true);
    expect(replanRefusal(leaderA)).toBe('only the school administration may apply a new checklist version');
    expect(replanRefusal(undefined)).toBe('only the school administration may apply a new checklist version');
  });
});

describe('care permissions', () => {
  test("When a crisis step is taken, then staff of the case's college may, and the leader's steps only by its leader", () => {
    expect(crisisCollegeRefusal(counsellorA, 'a')).toBeNull();
    expect(crisisCollegeRefusal(leaderB, 'a')).toBe('this case belongs to another college');
    expect(crisisLeaderRefusal(leaderA, 'a')).toBeNull();
    expect(crisisLeaderRefusal(counsellorA, 'a')).toBe('only a college leader may do this');
    expect(crisisLeaderRefusal(leaderB, 'a')).toBe('this case belongs to another college');
  });

  test("When a pairing is acted on, then the paired teacher records talks, the college's leader ends it, and the school admin or the leader changes the teacher", () => {
    expect(recordTalkRefusal(teacherA, 'teacher-1', 'a')).toBeNull();
    expect(recordTalkRefusal(leaderA, 'teacher-1', 'a')).toBeNull();
    expect(recordTalkRefusal(counsellorA, 'teacher-1', 'a')).toBe(
      'only the paired teacher or the college leader may record a talk',
    );
    expect(recordTalkRefusal(leaderB, 'teacher-1', 'a')).not.toBeNull();
    expect(endPairingRefusal(leaderA, 'a')).toBeNull();
    expect(endPairingRefusal(admin, 'a')).toBe('only the college leader may end a pairing');
    expect(changeTeacherRefusal(admin, 'a')).toBeNull();
    expect(changeTeacherRefusal(leaderA, 'a')).toBeNull();
    expect(changeTeacherRefusal(leaderB, 'a')).toBe(
      'only the school administration or the college leader may change the teacher',
    );
  });

  test("When a screening interview is recorded, then the warning college's care roles may; another college or the school admin may not", () => {
    expect(interviewRefusal(teacherA, 'a')).toBeNull();
    expect(interviewRefusal(counsellorA, 'b')).toBe('this warning belongs to another college');
    expect(interviewRefusal(undefined, 'a')).toBe('this warning belongs to another college');
    expect(interviewRefusal(user('school_admin', 'a'), 'a')).toBe(
      "only the college's class_teacher, counsellor, psych_counsellor, college_leader may record the interview",
    );
  });
});
