/** A semester calendar (../schema.ts): start, end, exam weeks, holidays, make-up working days, vacation. */
import { z } from '../zod';
import { bilingual, clockTime, localDate, slug } from './primitives';

export const dateRange = z.object({ start: localDate, end: localDate }).strict();

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
