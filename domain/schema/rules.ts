/** A task's escalation ladder, due rules (format 2 and the year-bound form) and evidence rules (../schema.ts). */
import { z } from '../zod';
import type { Evidence as EvidenceContract } from '../../contracts/checklist';
import { isoDuration, missingHolidayRule, monthDay, slug } from './primitives';

/** Escalation ladder (docs/architecture.md): reminders before due, level 1 at due, level 2 after due. */
export const ladderSchema = z
  .object({
    remindBefore: z.array(isoDuration).describe('reminders to the assignee, this long before the due instant'),
    level2After: isoDuration.describe('escalation to the school level, this long after the due instant'),
  })
  .strict();
export type Ladder = z.infer<typeof ladderSchema>;

export const inMonthRule = z
  .object({
    type: z.literal('in-month'),
    /** day of month it falls due; 'last' = last working day of the month (within the semester). */
    dueDay: z.union([z.number().int().min(1).max(31), z.literal('last')]),
    /** days after semester start it falls due, when that is earlier (e.g. "开学初"). */
    withinDaysOfSemesterStart: z.number().int().min(1).max(60).optional(),
  })
  .strict();
export const weeklyRule = z
  .object({
    type: z.literal('weekly'),
    /** week through which it recurs; default: every week until the semester end. */
    until: z.enum(['semester-end', 'vacation-start']).default('semester-end'),
  })
  .strict();
export const examWeekRule = z
  .object({
    type: z.literal('exam-week'),
    opensDaysBefore: z.number().int().min(0).max(60).default(7),
  })
  .strict();
export const campaignPhaseRule = z
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
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const EVIDENCE_SCHEMA_MATCHES_CONTRACT: Same<z.infer<typeof evidenceSchema>, Evidence> = true;
