/**
 * The class and dormitory levels (issue 16 part 2; docs/domain.md §1, seed 004 "班级要设心理委员，寝室要设
 * 信息员"): the units, their reporters, the weeks of the weekly report (心理委员周报) dated in the school
 * calendar, the categories of a concern, its response deadline, and the training rule of the
 * September checklist. Pure.
 */
import type { StudentReporterRole } from '../contracts/checklist';
import { SchoolCalendar } from './calendar';
import { workingWeeks } from './planner/occurrences';
import type { Calendar } from './schema';

export const UNIT_KINDS = ['class', 'dorm'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** The reporter role of each kind of unit. */
export const REPORTER_ROLE: Record<UnitKind, StudentReporterRole> = {
  class: 'class_psych_member',
  dorm: 'dorm_info_officer',
};

/** What a concern is about (the reporter picks one; the free text says the rest). */
export const CONCERN_CATEGORIES = [
  'mood',
  'relationships',
  'study',
  'family',
  'routine',
  'self_harm',
  'other',
] as const;
export type ConcernCategory = (typeof CONCERN_CATEGORIES)[number];

/** Longest free text of a concern. */
export const MAX_CONCERN_NOTE = 1000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A concern is answered by the college's counsellor within this (a school setting). */
export const DEFAULT_CONCERN_RESPOND_MS = 24 * HOUR_MS;
export const MIN_CONCERN_RESPOND_MS = HOUR_MS;
export const MAX_CONCERN_RESPOND_MS = 7 * DAY_MS;

/** The reporter is reminded this long before the week's due time; a missed week escalates this long after it. */
export const REPORT_REMIND_BEFORE_MS = DAY_MS;
export const REPORT_ESCALATE_AFTER_MS = DAY_MS;

/** One week of the semester's weekly report: when it opens, is reminded, falls due and escalates. */
export interface ReportWeek {
  weekNo: number;
  openAt: number;
  /** null when the week opens less than REPORT_REMIND_BEFORE_MS before its due time */
  remindAt: number | null;
  dueAt: number;
  escalateAt: number;
}

/**
 * The report weeks of a semester: week 1 is the semester's first week; each runs from its first working
 * day's opening to its last working day's closing, up to the vacation. A week without a working day
 * (a holiday week) has no report, as the weekly review (周周研判) has none.
 */
export function reportWeeks(calendar: Calendar): ReportWeek[] {
  const sc = new SchoolCalendar(calendar);
  return workingWeeks(sc, sc.day(calendar.vacationStart).minus({ days: 1 })).map(({ weekNo, open, due }) => {
    const openAt = open.toMillis();
    const dueAt = due.toMillis();
    const remindAt = dueAt - REPORT_REMIND_BEFORE_MS;
    return {
      weekNo,
      openAt,
      remindAt: remindAt > openAt ? remindAt : null,
      dueAt,
      escalateAt: dueAt + REPORT_ESCALATE_AFTER_MS,
    };
  });
}

/** The id of a unit's week (also the idempotency key of its transitions). */
export const unitWeekId = (semesterId: string, unitId: string, weekNo: number): string =>
  `${semesterId}/${unitId}/w${String(weekNo).padStart(2, '0')}`;

/** The week of `at` (the latest week opened by then), or null before the first. */
export function weekAt(weeks: readonly ReportWeek[], at: number): ReportWeek | null {
  let found: ReportWeek | null = null;
  for (const w of weeks) if (w.openAt <= at) found = w;
  return found;
}

/** The problem with a concern as the reporter wrote it, or null. */
export function concernProblem(c: { studentId: string; category: string; note: string }): string | null {
  if (!c.studentId) return 'choose the classmate the concern is about';
  if (!(CONCERN_CATEGORIES as readonly string[]).includes(c.category))
    return `unknown category "${c.category}" (one of ${CONCERN_CATEGORIES.join(', ')})`;
  if (!c.note.trim()) return 'describe what you noticed';
  if (c.note.length > MAX_CONCERN_NOTE) return `the description is longer than ${MAX_CONCERN_NOTE} characters`;
  return null;
}

/** The problem with a response deadline the school sets, or null. */
export function respondWithinProblem(ms: number): string | null {
  if (!Number.isInteger(ms)) return 'the response deadline must be a whole number of milliseconds';
  if (ms < MIN_CONCERN_RESPOND_MS) return 'the response deadline must be at least 1 hour';
  if (ms > MAX_CONCERN_RESPOND_MS) return 'the response deadline must be at most 7 days';
  return null;
}

/**
 * 开展新生心理委员培训, tracked per class: the task completes only when every class of the college has
 * its members' training recorded. The problem names the classes still untrained, or null.
 */
export function trainingProblem(classes: ReadonlyArray<{ name: string; trained: boolean }>): string | null {
  // a college whose classes are not on the roster yet keeps the checklist's own rule (its evidence)
  if (classes.length === 0) return null;
  const untrained = classes.filter((c) => !c.trained).map((c) => c.name);
  if (untrained.length === 0) return null;
  const shown = untrained.slice(0, 10).join(', ');
  const more = untrained.length > 10 ? ` and ${untrained.length - 10} more` : '';
  return `the committee members of ${untrained.length} class(es) are not yet marked trained: ${shown}${more}`;
}

/** The checklist task the training rule applies to (checklists/runxin-2024-autumn.json: 2024-10-05-committee-member-training). */
export const isTrainingTask = (templateTaskId: string, titleZh: string): boolean =>
  templateTaskId.endsWith('committee-member-training') || titleZh.includes('心理委员培训');
