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
import { z } from './zod';
import { COLLEGE_ROLES, ROLES, TASK_KINDS, type CollegeRole, type Role, type TaskKind } from '../contracts/checklist';
import { bilingual, monthDay, monthKey, monthOfYear, slug } from './schema/primitives';
import { dueRuleSchema, evidenceSchema, ladderSchema, legacyDueRuleSchema } from './schema/rules';

// the schema's parts (issue 13: files under 300 lines); this module stays the entry
export {
  HOLIDAY_KIND_NAMES,
  MONTH_NAMES,
  OBSERVED_DAY_KINDS,
  PUBLIC_HOLIDAY_KINDS,
  type MissingHolidayRule,
  type ObservedDayKind,
  type PublicHolidayKind,
} from './schema/primitives';
export {
  dueRuleSchema,
  EVIDENCE_SCHEMA_MATCHES_CONTRACT,
  evidenceSchema,
  ladderSchema,
  legacyDueRuleSchema,
  type DueRule,
  type Evidence,
  type Ladder,
  type LegacyDueRule,
} from './schema/rules';
export { calendarSchema, type Calendar } from './schema/calendar';
export { COLLEGE_ROLES, ROLES, TASK_KINDS };
export type { CollegeRole, Role, TaskKind };

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
  /** absent: every evidence rule at its default (prefault: the empty object is parsed, as zod 3's default was) */
  evidence: evidenceSchema.prefault({}),
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
