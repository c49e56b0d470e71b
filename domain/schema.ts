/**
 * Schemas of the two data files the service plans from:
 *  - a checklist template (what must be done, by whom, with which due rule and evidence), and
 *  - a semester calendar (start, end, exam weeks, holidays, make-up working days, vacation).
 * Both are JSON files validated here; `loadTemplateFile` / `loadCalendarFile` in ./load.ts
 * turn a bad file into an error naming the file, the path inside it and the problem.
 */
import { z } from 'zod';

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real calendar date');
const monthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month written YYYY-MM');
const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a month-day written MM-DD');
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time written HH:mm');
/** ISO-8601 duration such as P3D, PT2H, PT30M. Checked with luxon in the planner. */
const isoDuration = z.string().regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$/, 'must be an ISO-8601 duration such as P3D, PT2H or PT30M');
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');

export const COLLEGE_ROLES = ['college_leader', 'psych_counsellor', 'counsellor', 'class_teacher'] as const;
export const ROLES = ['school_admin', ...COLLEGE_ROLES] as const;
export type Role = (typeof ROLES)[number];
export type CollegeRole = (typeof COLLEGE_ROLES)[number];

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

const bilingual = z.object({ zh: z.string().min(1), en: z.string().min(1) });

/** Escalation ladder (DESIGN.md): reminders before due, level 1 at due, level 2 after due. */
export const ladderSchema = z
  .object({
    remindBefore: z.array(isoDuration).describe('reminders to the assignee, this long before the due instant'),
    level2After: isoDuration.describe('escalation to the school level, this long after the due instant'),
  })
  .strict();
export type Ladder = z.infer<typeof ladderSchema>;

/**
 * Due rules: how the planner dates a task. Every rule yields one or more occurrences,
 * each with an opening instant and a due instant in the calendar's time zone.
 */
export const dueRuleSchema = z.discriminatedUnion('type', [
  // Opens on the first working day of the task's month (or the semester start), due on a day of it.
  z
    .object({
      type: z.literal('in-month'),
      /** day of month it falls due; 'last' = last working day of the month (within the semester). */
      dueDay: z.union([z.number().int().min(1).max(31), z.literal('last')]),
      /** days after semester start it falls due, when that is earlier (e.g. "开学初"). */
      withinDaysOfSemesterStart: z.number().int().min(1).max(60).optional(),
    })
    .strict(),
  // One occurrence per week of the semester, due on the week's last working day.
  z
    .object({
      type: z.literal('weekly'),
      /** week through which it recurs; default: every week until the semester end. */
      until: z.enum(['semester-end', 'vacation-start']).default('semester-end'),
    })
    .strict(),
  // One occurrence per named holiday (or the vacation), due on the last working day before it.
  z
    .object({
      type: z.literal('before-holiday'),
      /** holiday ids from the calendar, or 'vacation' for the vacation start. */
      holidays: z.array(z.string().min(1)).min(1),
      /** the occurrence opens this many days before it is due. */
      opensDaysBefore: z.number().int().min(0).max(60).default(7),
    })
    .strict(),
  // One occurrence per exam week: opens leadDays before the week, due on its last working day.
  z
    .object({
      type: z.literal('exam-week'),
      opensDaysBefore: z.number().int().min(0).max(60).default(7),
    })
    .strict(),
  // A campaign phase or deadline: fixed month-days, resolved to the year that puts them in the semester.
  z
    .object({
      type: z.literal('campaign-phase'),
      phase: slug.optional(),
      /** opening day (MM-DD); default: the phase start. */
      opens: monthDay.optional(),
      /** due day (MM-DD); default: the phase end. */
      due: monthDay.optional(),
    })
    .strict(),
]);
export type DueRule = z.infer<typeof dueRuleSchema>;

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
    accept: z.array(z.enum(['image', 'pdf'])).min(1).default(['image', 'pdf']),
    /**
     * the college's intervention ledger must have been brought up to date in the task's month
     * (seed 003 §8: 每月更新学院重点、高危学生心理干预台账): checked by the app before completion.
     */
    ledgerMonthlyReview: z.boolean().default(false),
  })
  .strict();
export type Evidence = z.infer<typeof evidenceSchema>;

export const templateTaskSchema = z
  .object({
    /** stable id, never reused: e.g. "2024-09-06-weekly-review". */
    id: slug,
    /** month of the checklist it belongs to (YYYY-MM); campaigns may omit it. */
    month: monthKey.optional(),
    /** its number in the source document's list for that month. */
    number: z.number().int().min(1).optional(),
    kind: z.enum(TASK_KINDS),
    title: bilingual,
    /** the task's full text, Chinese original. */
    textZh: z.string().min(1),
    ownerRole: z.enum(COLLEGE_ROLES),
    due: dueRuleSchema,
    ladder: ladderSchema.partial().strict().optional(),
    evidence: evidenceSchema.default({}),
  })
  .strict();
export type TemplateTask = z.infer<typeof templateTaskSchema>;

export const templateSchema = z
  .object({
    id: slug,
    version: z.number().int().min(1),
    title: bilingual,
    /** the document it transcribes (seed file name or citation). */
    source: z.string().min(1),
    kind: z.enum(['semester-checklist', 'campaign']),
    /** help channels to publicise: phone hotlines (a number) and apps (no number) */
    hotlines: z
      .array(
        z
          .object({ name: bilingual, kind: z.enum(['phone', 'app']).default('phone'), number: z.string().min(3).optional() })
          .strict()
          .refine((h) => h.kind !== 'phone' || h.number, { message: 'a phone hotline needs its number', path: ['number'] }),
      )
      .default([]),
    months: z
      .array(
        z
          .object({
            month: monthKey,
            keyCareGroups: z.array(bilingual).min(1), // 重点关爱群体
          })
          .strict(),
      )
      .default([]),
    phases: z
      .array(
        z
          .object({ id: slug, name: bilingual, start: monthDay, end: monthDay })
          .strict(),
      )
      .default([]),
    ladder: ladderSchema.default({ remindBefore: ['P3D', 'P1D'], level2After: 'P2D' }),
    tasks: z.array(templateTaskSchema).min(1),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Map<string, number>();
    t.tasks.forEach((task, i) => {
      const prev = seen.get(task.id);
      if (prev !== undefined) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tasks', i, 'id'], message: `duplicate task id "${task.id}" (also tasks[${prev}])` });
      }
      seen.set(task.id, i);
      if (task.due.type === 'in-month' && !task.month) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tasks', i, 'month'], message: 'an in-month task needs its month' });
      }
      if (task.due.type === 'campaign-phase') {
        const phase = task.due.phase;
        if (phase && !t.phases.some((p) => p.id === phase)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tasks', i, 'due', 'phase'], message: `unknown phase "${phase}"` });
        }
        if (!phase && (!task.due.opens || !task.due.due)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tasks', i, 'due'], message: 'a campaign task needs a phase or both opens and due' });
        }
      }
    });
    const months = new Set<string>();
    t.months.forEach((m, i) => {
      if (months.has(m.month)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['months', i, 'month'], message: `month ${m.month} listed twice` });
      months.add(m.month);
    });
  });
export type Template = z.infer<typeof templateSchema>;

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
  })
  .strict();
export type Calendar = z.infer<typeof calendarSchema>;
