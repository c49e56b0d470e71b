/**
 * Schemas of the two data files the service plans from:
 *  - a checklist template (what must be done, by whom, with which due rule and evidence), and
 *  - a semester calendar (start, end, exam weeks, holidays, make-up working days, vacation).
 * Both are JSON files validated here; `loadTemplateFile` / `loadCalendarFile` in ./load.ts
 * turn a bad file into an error naming the file, the path inside it and the problem.
 *
 * A checklist (format 2) is not tied to a year: a task says when by a month of the year (9 or
 * "september"), a week of the semester, or a rule (before a holiday named by its kind, in the exam
 * weeks, after them, every week). The planner dates it against one semester's calendar. The
 * year-bound form that templates had before (months written YYYY-MM, no `format`) is still read:
 * `legacyTemplateSchema` parses it and ./load.ts upgrades it (a stored semester keeps its version).
 */
import { z } from 'zod';
import {
  COLLEGE_ROLES,
  ROLES,
  TASK_KINDS,
  type CollegeRole,
  type Evidence as EvidenceContract,
  type Role,
  type TaskKind,
} from '../contracts/checklist';

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'is not a real calendar date',
  );
const monthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month written YYYY-MM');
const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a month-day written MM-DD');
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time written HH:mm');
/** ISO-8601 duration such as P3D, PT2H, PT30M. Checked with luxon in the planner. */
const isoDuration = z
  .string()
  .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$/, 'must be an ISO-8601 duration such as P3D, PT2H or PT30M');
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');

export const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;
/** A month of the year without a year: 1–12, "9月" or its English name; parsed to 1–12. */
const monthOfYear = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n =
    typeof v === 'number'
      ? v
      : /^\d{1,2}月?$/.test(v.trim())
        ? parseInt(v.trim(), 10)
        : MONTH_NAMES.indexOf(v.trim().toLowerCase() as (typeof MONTH_NAMES)[number]) + 1;
  if (Number.isInteger(n) && n >= 1 && n <= 12) return n;
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: `must be a month of the year: 1–12, 9月 or its English name (september), got ${JSON.stringify(v)}`,
  });
  return z.NEVER;
});

/** Public holidays of the State Council's yearly notice, by kind (never by year). */
export const PUBLIC_HOLIDAY_KINDS = [
  'new-year',
  'spring-festival',
  'qingming',
  'labour-day',
  'dragon-boat',
  'mid-autumn',
  'national-day',
] as const;
/** Days a school observes without a day off (the checklist names them; they stay working days). */
export const OBSERVED_DAY_KINDS = ['christmas', 'teachers-day', 'mental-health-day'] as const;
/** Names of the holiday kinds (as calendars/2024-autumn.json writes them). */
export const HOLIDAY_KIND_NAMES: Record<string, { zh: string; en: string }> = {
  'new-year': { zh: '元旦', en: "New Year's Day" },
  'spring-festival': { zh: '春节', en: 'Spring Festival' },
  qingming: { zh: '清明节', en: 'Qingming Festival' },
  'labour-day': { zh: '劳动节', en: 'Labour Day' },
  'dragon-boat': { zh: '端午节', en: 'Dragon Boat Festival' },
  'mid-autumn': { zh: '中秋节', en: 'Mid-Autumn Festival' },
  'national-day': { zh: '国庆节', en: 'National Day' },
  christmas: { zh: '圣诞节', en: 'Christmas' },
  'teachers-day': { zh: '教师节', en: "Teachers' Day" },
  'mental-health-day': { zh: '5·25 大学生心理健康日', en: "Students' Mental Health Day (25 May)" },
  vacation: { zh: '假期', en: 'the vacation' },
};
export type PublicHolidayKind = (typeof PUBLIC_HOLIDAY_KINDS)[number];
export type ObservedDayKind = (typeof OBSERVED_DAY_KINDS)[number];
/**
 * What a holiday reminder does when the semester's calendar lacks the holiday, or has it merged into
 * another (Mid-Autumn inside National Day in 2025): `skip`, or `merge-into:<kind>` (reminded once,
 * before that other holiday).
 */
const missingHolidayRule = z
  .string()
  .regex(
    /^(skip|merge-into:[a-z0-9][a-z0-9-]*)$/,
    'must be "skip" or "merge-into:<holiday kind>" (e.g. merge-into:national-day)',
  );
export type MissingHolidayRule = 'skip' | `merge-into:${string}`;

export { COLLEGE_ROLES, ROLES, TASK_KINDS };
export type { CollegeRole, Role, TaskKind };

const bilingual = z.object({ zh: z.string().min(1), en: z.string().min(1) });

/** Escalation ladder (DESIGN.md): reminders before due, level 1 at due, level 2 after due. */
export const ladderSchema = z
  .object({
    remindBefore: z.array(isoDuration).describe('reminders to the assignee, this long before the due instant'),
    level2After: isoDuration.describe('escalation to the school level, this long after the due instant'),
  })
  .strict();
export type Ladder = z.infer<typeof ladderSchema>;

const inMonthRule = z
  .object({
    type: z.literal('in-month'),
    /** day of month it falls due; 'last' = last working day of the month (within the semester). */
    dueDay: z.union([z.number().int().min(1).max(31), z.literal('last')]),
    /** days after semester start it falls due, when that is earlier (e.g. "开学初"). */
    withinDaysOfSemesterStart: z.number().int().min(1).max(60).optional(),
  })
  .strict();
const weeklyRule = z
  .object({
    type: z.literal('weekly'),
    /** week through which it recurs; default: every week until the semester end. */
    until: z.enum(['semester-end', 'vacation-start']).default('semester-end'),
  })
  .strict();
const examWeekRule = z
  .object({
    type: z.literal('exam-week'),
    opensDaysBefore: z.number().int().min(0).max(60).default(7),
  })
  .strict();
const campaignPhaseRule = z
  .object({
    type: z.literal('campaign-phase'),
    phase: slug.optional(),
    /** opening day (MM-DD); default: the phase start. */
    opens: monthDay.optional(),
    /** due day (MM-DD); default: the phase end. */
    due: monthDay.optional(),
  })
  .strict();

/**
 * Due rules: how the planner dates a task. Every rule yields one or more occurrences,
 * each with an opening instant and a due instant in the calendar's time zone.
 *  - in-month: in the task's month of the year (the one inside the semester): opens on its first
 *    working day (or the semester start), due on a day of it.
 *  - in-week: in week N of the semester (the task's `week`; week 1 holds the first day).
 *  - weekly: every week from the first day, due on each week's last working day.
 *  - before-holiday: due on the working day before each named holiday (by kind) or the vacation.
 *  - exam-week: one per exam week, due on its last working day.
 *  - after-exam-weeks: due on the first working day after the last exam week.
 *  - campaign-phase: fixed month-days (MM-DD) resolved to the year that puts them in the semester.
 */
export const dueRuleSchema = z.discriminatedUnion('type', [
  inMonthRule,
  z
    .object({
      type: z.literal('in-week'),
      /** 'last' = the week's last working day; 1–7 = that weekday (Monday = 1), or the last working day before it in the week. */
      dueDay: z.union([z.number().int().min(1).max(7), z.literal('last')]).default('last'),
    })
    .strict(),
  weeklyRule,
  z
    .object({
      type: z.literal('before-holiday'),
      /** holidays by kind (national-day, mid-autumn, christmas, …; a calendar holiday's id also matches), or 'vacation'. */
      holidays: z.array(slug).min(1),
      /** the occurrence opens this many days before it is due. */
      opensDaysBefore: z.number().int().min(0).max(60).default(7),
      /** per holiday kind: what to do when the semester lacks it or has it merged into another. */
      ifMissing: z.record(slug, missingHolidayRule).default({}),
    })
    .strict(),
  examWeekRule,
  z
    .object({
      type: z.literal('after-exam-weeks'),
      /** the occurrence opens this many days before it is due. */
      opensDaysBefore: z.number().int().min(0).max(60).default(7),
    })
    .strict(),
  campaignPhaseRule,
]);
export type DueRule = z.infer<typeof dueRuleSchema>;

/** Due rules of the year-bound form (stored before format 2): holiday ids of the calendar, no missing-holiday rules. */
export const legacyDueRuleSchema = z.discriminatedUnion('type', [
  inMonthRule,
  weeklyRule,
  z
    .object({
      type: z.literal('before-holiday'),
      /** holiday ids from the calendar, or 'vacation' for the vacation start. */
      holidays: z.array(z.string().min(1)).min(1),
      opensDaysBefore: z.number().int().min(0).max(60).default(7),
    })
    .strict(),
  examWeekRule,
  campaignPhaseRule,
]);
export type LegacyDueRule = z.infer<typeof legacyDueRuleSchema>;

export const evidenceSchema = z
  .object({
    /** is a note (what was done) required on completion? */
    note: z.enum(['required', 'optional']).default('optional'),
    /** at least this many uploaded files in all. */
    minFiles: z.number().int().min(0).max(50).default(0),
    /** at least this many photos per reported activity (seed 000: 每项活动至少两张). */
    minPhotosPerActivity: z.number().int().min(0).max(20).optional(),
    /** named documents that must be among the files (e.g. plan, summary). */
    documents: z.array(z.object({ id: slug, zh: z.string().min(1), en: z.string().min(1) }).strict()).default([]),
    /** what kinds of file are accepted. */
    accept: z
      .array(z.enum(['image', 'pdf']))
      .min(1)
      .default(['image', 'pdf']),
    /**
     * the college's intervention ledger must have been brought up to date in the task's month
     * (seed 003 §8: 每月更新学院重点、高危学生心理干预台账): checked by the app before completion.
     */
    ledgerMonthlyReview: z.boolean().default(false),
  })
  .strict();
/** The parsed evidence rules are contracts/checklist.ts's Evidence (checked both ways below). */
export type Evidence = EvidenceContract;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const EVIDENCE_SCHEMA_MATCHES_CONTRACT: Same<z.infer<typeof evidenceSchema>, Evidence> = true;

const hotlinesSchema = z
  .array(
    z
      .object({
        name: bilingual,
        kind: z.enum(['phone', 'app']).default('phone'),
        number: z.string().min(3).optional(),
      })
      .strict()
      .refine((h) => h.kind !== 'phone' || h.number, { message: 'a phone hotline needs its number', path: ['number'] }),
  )
  .default([]);
const phasesSchema = z
  .array(z.object({ id: slug, name: bilingual, start: monthDay, end: monthDay }).strict())
  .default([]);
const templateHead = {
  id: slug,
  version: z.number().int().min(1),
  title: bilingual,
  /** the document it transcribes (seed file name or citation). */
  source: z.string().min(1),
  kind: z.enum(['semester-checklist', 'campaign']),
  /** help channels to publicise: phone hotlines (a number) and apps (no number) */
  hotlines: hotlinesSchema,
  phases: phasesSchema,
  ladder: ladderSchema.default({ remindBefore: ['P3D', 'P1D'], level2After: 'P2D' }),
};
const taskCommon = {
  /** stable id, never reused (also part of every task instance's id, so kept when a checklist is migrated). */
  id: slug,
  /** its number in the source document's list for its month. */
  number: z.number().int().min(1).optional(),
  kind: z.enum(TASK_KINDS),
  title: bilingual,
  /** the task's full text, Chinese original. */
  textZh: z.string().min(1),
  ownerRole: z.enum(COLLEGE_ROLES),
  /** reminders and escalation of this task, when not the template's. */
  ladder: ladderSchema.partial().strict().optional(),
  evidence: evidenceSchema.default({}),
};

/**
 * One task of a year-free checklist: one row of the school's spreadsheet.
 *   月份或周次 (month or week)  → `month` (9, 9月, september) or `week` (N)
 *   任务内容 (task text)        → `title.zh` (first sentence) and `textZh`; `number` its place in the month
 *   责任人 (owner role)         → `ownerRole`
 *   截止规则 (due rule)         → `due`: one of the rules above, holidays by kind, `ifMissing` rules
 *   提醒 (reminders)            → `ladder.remindBefore` / `ladder.level2After` (else the template's)
 *   佐证材料 (evidence)         → `evidence`
 *   重点关爱群体 (key-care groups) → the month's `months[].keyCareGroups` (shared by the rows of that month)
 */
export const templateTaskSchema = z
  .object({
    ...taskCommon,
    /** the month of the year it belongs to (9 or "september"); in-month tasks need it. */
    month: monthOfYear.optional(),
    /** the week of the semester it belongs to (week 1 holds the first day); in-week tasks need it. */
    week: z.number().int().min(1).max(30).optional(),
    due: dueRuleSchema,
  })
  .strict();
export type TemplateTask = z.infer<typeof templateTaskSchema>;

type Refinable = {
  tasks: Array<{
    id: string;
    due: { type: string; phase?: string; opens?: string; due?: string };
    month?: unknown;
    week?: unknown;
  }>;
  phases: Array<{ id: string }>;
  months: Array<{ month: string | number }>;
};
function templateProblems(t: Refinable, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  t.tasks.forEach((task, i) => {
    const prev = seen.get(task.id);
    if (prev !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['tasks', i, 'id'],
        message: `duplicate task id "${task.id}" (also tasks[${prev}])`,
      });
    }
    seen.set(task.id, i);
    if (task.due.type === 'in-month' && task.month === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['tasks', i, 'month'],
        message: 'an in-month task needs its month',
      });
    }
    if (task.month !== undefined && task.week !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['tasks', i, 'week'],
        message: 'a task belongs to a month or to a week of the semester, not both',
      });
    }
    if (task.due.type === 'in-week' && task.week === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['tasks', i, 'week'],
        message: 'an in-week task needs its week of the semester',
      });
    }
    if (task.due.type === 'campaign-phase') {
      const phase = task.due.phase;
      if (phase && !t.phases.some((p) => p.id === phase)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['tasks', i, 'due', 'phase'],
          message: `unknown phase "${phase}"`,
        });
      }
      if (!phase && (!task.due.opens || !task.due.due)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['tasks', i, 'due'],
          message: 'a campaign task needs a phase or both opens and due',
        });
      }
    }
  });
  const months = new Set<string | number>();
  t.months.forEach((m, i) => {
    if (months.has(m.month))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['months', i, 'month'],
        message: `month ${m.month} listed twice`,
      });
    months.add(m.month);
  });
}

/** A year-free checklist (format 2). */
export const templateSchema = z
  .object({
    /** 2: the year-free form; templates without `format` are the year-bound form (legacyTemplateSchema). */
    format: z.literal(2),
    ...templateHead,
    /** the key-care groups (重点关爱群体) of each month of the year the checklist covers */
    months: z.array(z.object({ month: monthOfYear, keyCareGroups: z.array(bilingual).min(1) }).strict()).default([]),
    tasks: z.array(templateTaskSchema).min(1),
  })
  .strict()
  .superRefine(templateProblems);
export type Template = z.infer<typeof templateSchema>;

/** The year-bound form (no `format`): months written YYYY-MM, holidays named by the calendar's ids. */
export const legacyTemplateSchema = z
  .object({
    ...templateHead,
    months: z.array(z.object({ month: monthKey, keyCareGroups: z.array(bilingual).min(1) }).strict()).default([]),
    tasks: z
      .array(
        z
          .object({
            ...taskCommon,
            /** month of the checklist it belongs to (YYYY-MM); campaigns may omit it. */
            month: monthKey.optional(),
            due: legacyDueRuleSchema,
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .superRefine(templateProblems);
export type LegacyTemplate = z.infer<typeof legacyTemplateSchema>;

const dateRange = z.object({ start: localDate, end: localDate }).strict();

export const calendarSchema = z
  .object({
    id: slug,
    name: bilingual,
    /** IANA zone of the school; every date below is a local date there. */
    timezone: z.string().min(1),
    semesterStart: localDate,
    semesterEnd: localDate,
    vacationStart: localDate,
    /** working hours: tasks open at workdayStart and fall due at workdayEnd, local time. */
    workdayStart: clockTime.default('08:00'),
    workdayEnd: clockTime.default('17:00'),
    examWeeks: z.array(dateRange).default([]),
    holidays: z
      .array(
        z
          .object({
            id: slug,
            /** what the checklist calls it (national-day, christmas, …); default: the id. */
            kind: slug.optional(),
            /** other holiday kinds that fall inside this one this year (mid-autumn inside national-day in 2025). */
            also: z.array(slug).optional(),
            name: bilingual,
            start: localDate,
            end: localDate,
            /** false for dates the checklist names but that are working days (e.g. Christmas). */
            dayOff: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
    /** make-up working days (调休): weekend days that are working days. */
    makeupWorkdays: z.array(localDate).default([]),
    /** school events (sports day, …) that are not days off; a checklist may name them like holidays. */
    events: z.array(z.object({ id: slug, name: bilingual, start: localDate, end: localDate }).strict()).optional(),
    /** where the public holidays come from, e.g. "chinese-days 1.5.7" or "entered by hand". */
    holidaySource: z.string().min(1).optional(),
  })
  .strict();
export type Calendar = z.infer<typeof calendarSchema>;
