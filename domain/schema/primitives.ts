/** The small schemas the checklist and calendar schemas are built of (../schema.ts). */
import { z } from '../zod';

export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'is not a real calendar date',
  );
export const monthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month written YYYY-MM');
export const monthDay = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a month-day written MM-DD');
export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time written HH:mm');
/** ISO-8601 duration such as P3D, PT2H, PT30M. Checked with luxon in the planner. */
export const isoDuration = z
  .string()
  .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$/, 'must be an ISO-8601 duration such as P3D, PT2H or PT30M');
export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');

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
export const monthOfYear = z.union([z.number(), z.string()]).transform((v, ctx) => {
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
export const missingHolidayRule = z
  .string()
  .regex(
    /^(skip|merge-into:[a-z0-9][a-z0-9-]*)$/,
    'must be "skip" or "merge-into:<holiday kind>" (e.g. merge-into:national-day)',
  );
export type MissingHolidayRule = 'skip' | `merge-into:${string}`;

export const bilingual = z.object({ zh: z.string().min(1), en: z.string().min(1) });
