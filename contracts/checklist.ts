/**
 * The checklist shapes workflows, activities and server share: roles, task kinds, the evidence
 * rules of a task and a completion's evidence, and one planned task as the planner dates it.
 * Values and types only; domain/schema.ts validates them (zod) and domain/planner.ts computes them.
 */

export const COLLEGE_ROLES = ['college_leader', 'psych_counsellor', 'counsellor', 'class_teacher'] as const;
/**
 * Students who report on their class or dormitory (issue 16 part 2): the class psychology committee
 * member (心理委员) and the dorm information officer (宿舍信息员). Each is attached to one class or one
 * dormitory (server/features/units); they reach nothing but their own reports (domain/permissions.ts).
 */
export const STUDENT_REPORTER_ROLES = ['class_psych_member', 'dorm_info_officer'] as const;
export const ROLES = ['school_admin', ...COLLEGE_ROLES, ...STUDENT_REPORTER_ROLES] as const;
export type Role = (typeof ROLES)[number];
export type CollegeRole = (typeof COLLEGE_ROLES)[number];
export type StudentReporterRole = (typeof STUDENT_REPORTER_ROLES)[number];

export const TASK_KINDS = [
  'once', // once in a month (一次性任务)
  'weekly', // weekly review (周周研判)
  'monthly', // monthly update of the key-care list (每月更新重点关爱名单)
  'before-holiday', // safety reminder before a holiday (假期安全提醒)
  'exam-week', // exam-week duties (考试周)
  'full-coverage', // full-coverage campaign, e.g. screening (普测全覆盖)
  'campaign-phase', // a phase or submission of a one-off campaign (seed 000)
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** The evidence rules of a task, as domain/schema.ts's evidenceSchema parses them (defaults applied). */
export interface Evidence {
  /** is a note (what was done) required on completion? */
  note: 'required' | 'optional';
  /** at least this many uploaded files in all. */
  minFiles: number;
  /** at least this many photos per reported activity (seed 000: 每项活动至少两张). */
  minPhotosPerActivity?: number | undefined;
  /** named documents that must be among the files (e.g. plan, summary). */
  documents: Array<{ id: string; zh: string; en: string }>;
  /** what kinds of file are accepted. */
  accept: Array<'image' | 'pdf'>;
  /** the college's intervention ledger must have been brought up to date in the task's month */
  ledgerMonthlyReview: boolean;
}

export interface EvidenceFile {
  /** opaque id of the stored file */
  id: string;
  kind: 'image' | 'pdf';
  /** which required document this file is (e.g. "plan", "summary"), if any */
  documentId?: string;
  /** which reported activity a photo belongs to (1-based), if any */
  activity?: number;
}

export interface EvidenceSubmission {
  note: string;
  files: EvidenceFile[];
  /** number of activities reported (campaigns: at least N photos per activity) */
  activities?: number;
}

/** One dated occurrence of a template task for one college (domain/planner.ts computes it). */
export interface PlannedTask {
  /** stable id, also the task workflow's id */
  id: string;
  semesterId: string;
  collegeId: string;
  templateTaskId: string;
  /** which occurrence of a recurring task (week-03, national-day, exam-1), null for one-offs */
  occurrence: string | null;
  /** local month (YYYY-MM) of the due day: the month it is reported under */
  month: string;
  kind: TaskKind;
  ownerRole: CollegeRole;
  titleZh: string;
  titleEn: string;
  openAt: number;
  dueAt: number;
  /** reminder instants to the assignee, ascending, all after openAt and before dueAt */
  remindAts: number[];
  /** level-2 (school) escalation instant */
  level2At: number;
}
