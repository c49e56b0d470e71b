/**
 * Who may do what to which college's data: the rules the workflows' Update validators check (a task's
 * completion, waiver, moved due date, return and a new checklist version; the crisis case's steps;
 * the pairing; the screening interview). Pure. Each function answers the refusal, worded for the user
 * exactly as the validators have always worded it, or null when the actor may act; `may*` answer a
 * boolean for pages that only need to know whether to offer an action.
 */
import { STUDENT_REPORTER_ROLES, type CollegeRole, type Role } from '../contracts/checklist';

/** A user acting on a workflow (contracts/task.ts Actor, contracts/supervision.ts StaffActor). */
export interface Acting {
  userId: string;
  role: Role | string;
  collegeId: string | null;
}

type Refusal = string | null;

/** A student reporter (心理委员, 宿舍信息员) is of no college's staff: see "student reporters" below. */
export const isOfCollege = (actor: Acting, collegeId: string): boolean =>
  actor.collegeId === collegeId && !isStudentReporter(actor);
export const isCollegeLeaderOf = (actor: Acting, collegeId: string): boolean =>
  actor.role === 'college_leader' && actor.collegeId === collegeId;

// -- checklist tasks (workflows/task.ts, workflows/college-ladder.ts) --

/** A task is its college's: an actor of another college (or of none) may not act on it. */
export const taskCollegeRefusal = (actor: Acting, collegeId: string): Refusal =>
  isOfCollege(actor, collegeId) ? null : `this task belongs to another college (${collegeId})`;

/** The owner role of the task or the college leader completes it (of the task's college: taskCollegeRefusal). */
export const mayCompleteTask = (actor: Acting, ownerRole: CollegeRole): boolean =>
  actor.role === ownerRole || actor.role === 'college_leader';
export const completeTaskRefusal = (actor: Acting, ownerRole: CollegeRole): Refusal =>
  mayCompleteTask(actor, ownerRole)
    ? null
    : `only the ${ownerRole} of the college or the college leader may complete this task`;

/** Only the college leader waives a task (of the task's college: taskCollegeRefusal). */
export const mayWaiveTask = (actor: Acting): boolean => actor.role === 'college_leader';
export const waiveTaskRefusal = (actor: Acting): Refusal =>
  mayWaiveTask(actor) ? null : 'only the college leader may waive a task';

/** Only the school administration moves a due date (any college). */
export const mayMoveDue = (actor: Acting): boolean => actor.role === 'school_admin';
export const moveDueRefusal = (actor: Acting): Refusal =>
  mayMoveDue(actor) ? null : 'only the school administration may move a due date';

/** 退回: the school administration, or the leader of the task's college, returns a completion. */
export const mayReturnTask = (actor: Acting, collegeId: string): boolean =>
  actor.role === 'school_admin' || isCollegeLeaderOf(actor, collegeId);
export const returnTaskRefusal = (actor: Acting, collegeId: string): Refusal =>
  mayReturnTask(actor, collegeId)
    ? null
    : "only the college's leader or the school administration may return a completion";

/** Only the school administration applies a new checklist version to a running semester. */
export const mayReplan = (actor: Acting | null | undefined): boolean => actor?.role === 'school_admin';
export const replanRefusal = (actor: Acting | null | undefined): Refusal =>
  mayReplan(actor) ? null : 'only the school administration may apply a new checklist version';

// -- the crisis case and its supervision (workflows/crisis-case.ts, workflows/supervision.ts) --

/** Every step of a case is taken by staff of the case's college. */
export const crisisCollegeRefusal = (actor: Acting, collegeId: string): Refusal =>
  isOfCollege(actor, collegeId) ? null : 'this case belongs to another college';

/** The school-departments confirmation and the "five ones" are the college leader's (of the case's college). */
export const crisisLeaderRefusal = (actor: Acting, collegeId: string): Refusal =>
  crisisCollegeRefusal(actor, collegeId) ??
  (actor.role === 'college_leader' ? null : 'only a college leader may do this');

// -- the pairing (workflows/pairing.ts) --

/** The paired teacher, or the leader of the pairing's college, records a talk. */
export const recordTalkRefusal = (actor: Acting, teacherUserId: string, collegeId: string): Refusal =>
  actor.userId === teacherUserId || isCollegeLeaderOf(actor, collegeId)
    ? null
    : 'only the paired teacher or the college leader may record a talk';

/** Only the leader of the pairing's college ends it. */
export const endPairingRefusal = (actor: Acting, collegeId: string): Refusal =>
  isCollegeLeaderOf(actor, collegeId) ? null : 'only the college leader may end a pairing';

/** The school administration, or the leader of the pairing's college, changes its teacher. */
export const changeTeacherRefusal = (actor: Acting, collegeId: string): Refusal =>
  actor.role === 'school_admin' || isCollegeLeaderOf(actor, collegeId)
    ? null
    : 'only the school administration or the college leader may change the teacher';

// -- the screening interview (workflows/screening-follow-up.ts) --

/** The care roles that hold and record the interview (of the warning's college). */
export const INTERVIEW_ROLES: string[] = ['class_teacher', 'counsellor', 'psych_counsellor', 'college_leader'];

export const interviewRefusal = (actor: Acting | null | undefined, collegeId: string): Refusal => {
  if (!actor || actor.collegeId !== collegeId) return 'this warning belongs to another college';
  if (!INTERVIEW_ROLES.includes(actor.role))
    return `only the college's ${INTERVIEW_ROLES.join(', ')} may record the interview`;
  return null;
};

// -- the school's indicators (server/features/indicators) --

/**
 * Who sees the indicators: the school administration (the counselling centre) every college's; a
 * college leader their own college's row only; anyone else none.
 */
export const indicatorsScope = (actor: Acting): { all: true } | { collegeId: string } | null =>
  actor.role === 'school_admin'
    ? { all: true }
    : actor.role === 'college_leader' && actor.collegeId
      ? { collegeId: actor.collegeId }
      : null;
export const indicatorsRefusal = (actor: Acting): Refusal =>
  indicatorsScope(actor) ? null : "the indicators are for the school administration and the colleges' leaders";

/** Only the school administration enters the figures the database cannot know. */
export const indicatorInputsRefusal = (actor: Acting): Refusal =>
  actor.role === 'school_admin' ? null : "only the school administration enters the indicators' figures";
// -- the student archive 一生一档 (server/features/archive; seed 003 §3, §5, §6, §8, appendix 3) --

/**
 * Who sees a student's archive: the care staff of the student's college (the college keeps it:
 * "二级学院存档"; the class teacher and counsellor hold the interview and learn the family situation,
 * seed 003 §3 and §6) and the counselling centre (the school admin, "及时反馈给心理咨询中心"). The
 * same people edit its hand-written sections and export it for a hand-over.
 */
export const ARCHIVE_ROLES: readonly string[] = [
  'school_admin',
  'college_leader',
  'psych_counsellor',
  'counsellor',
  'class_teacher',
];
export const archiveViewRefusal = (actor: Acting, collegeId: string): Refusal => {
  if (!ARCHIVE_ROLES.includes(actor.role))
    return "only the college's care staff and the counselling centre may see an archive";
  if (actor.role !== 'school_admin' && actor.collegeId !== collegeId) return 'this archive belongs to another college';
  return null;
};
export const archiveEditRefusal = archiveViewRefusal;

/** The monthly review (seed 003 §8 每月更新) is the ledger keepers' (not the class teacher's, who adds follow-ups). */
export const ARCHIVE_REVIEW_ROLES: readonly string[] = [
  'school_admin',
  'college_leader',
  'psych_counsellor',
  'counsellor',
];
export const archiveReviewRefusal = (actor: Acting, collegeId: string): Refusal =>
  archiveViewRefusal(actor, collegeId) ??
  (ARCHIVE_REVIEW_ROLES.includes(actor.role)
    ? null
    : 'only the counsellors, the psychological counsellor, the college leader or the counselling centre review an archive');

/** Closing an archive (the student left) starts its retention clock: the college leader, a counsellor or the school. */
export const archiveCloseRefusal = (actor: Acting, collegeId: string): Refusal =>
  archiveViewRefusal(actor, collegeId) ??
  (['school_admin', 'college_leader', 'counsellor'].includes(actor.role)
    ? null
    : 'only a counsellor, the college leader or the school administration may record that a student left');

/** The audit log of the archives, the retention settings and the data requests' register: the counselling centre. */
export const archiveOversightRefusal = (actor: Acting): Refusal =>
  actor.role === 'school_admin' ? null : 'only the counselling centre (school administration) may do this';
// -- student reporters (issue 16 part 2: server/features/units) --

/** The class psychology committee member and the dorm information officer: students, not staff. */
export const isStudentReporter = (actor: Pick<Acting, 'role'>): boolean =>
  (STUDENT_REPORTER_ROLES as readonly string[]).includes(actor.role);

/**
 * A student reporter reaches nothing but their own reports: every other page, API and action of the
 * app (the archive, another student's data, tasks, care, crisis, screening, the inbox) refuses them.
 * `own` says whether the request is for the reporter's own reports.
 */
export const reporterReachRefusal = (actor: Pick<Acting, 'role'>, own: boolean): Refusal =>
  !isStudentReporter(actor) || own ? null : 'a class or dorm reporter may use only their own weekly reports';

/** A report is seen by the reporter who filed it, or by care staff of its college (and the school). */
export const reportReadRefusal = (actor: Acting, report: { reporterUserId: string; collegeId: string }): Refusal => {
  if (isStudentReporter(actor))
    return actor.userId === report.reporterUserId ? null : 'a reporter sees only the reports they filed';
  if (actor.role === 'school_admin' || isOfCollege(actor, report.collegeId)) return null;
  return 'this report belongs to another college';
};

/** Who answers a concern: the counsellors, the psychology counsellor and the leader of its college. */
export const CONCERN_RESPONDER_ROLES: string[] = ['counsellor', 'psych_counsellor', 'college_leader'];
export const respondConcernRefusal = (actor: Acting, collegeId: string): Refusal => {
  if (!isOfCollege(actor, collegeId)) return 'this concern belongs to another college';
  if (!CONCERN_RESPONDER_ROLES.includes(actor.role))
    return `only the college's ${CONCERN_RESPONDER_ROLES.join(', ')} may respond to a concern`;
  return null;
};

/** The psychology counsellor or the leader of the college (or the school) marks a class's members trained. */
export const markTrainingRefusal = (actor: Acting, collegeId: string): Refusal =>
  actor.role === 'school_admin' ||
  (isOfCollege(actor, collegeId) && (actor.role === 'psych_counsellor' || actor.role === 'college_leader'))
    ? null
    : "only the college's psychology counsellor or leader may record the training";
