/**
 * The State Council's holiday notices as the npm package `chinese-days` bundles them (pinned; read
 * from the package's files, nothing is fetched), and how its names map to the checklist's holiday
 * kinds. Used by ./calendar-builder.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ObservedDayKind } from './schema';

/** Days observed without a day off: fixed days of the year (not holiday notices). */
export const OBSERVED_MONTH_DAY: Record<ObservedDayKind, string> = {
  christmas: '12-25',
  'teachers-day': '09-10',
  'mental-health-day': '05-25',
};

/** chinese-days' English names → the checklist's holiday kinds. */
export const KIND_OF_NAME: Record<string, string> = {
  "New Year's Day": 'new-year',
  'Spring Festival': 'spring-festival',
  'Tomb-sweeping Day': 'qingming',
  'Labour Day': 'labour-day',
  'Dragon Boat Festival': 'dragon-boat',
  'Mid-autumn Festival': 'mid-autumn',
  'National Day': 'national-day',
};

export interface HolidayData {
  version: string;
  /** date → "English,中文,statutory days" */
  holidays: Record<string, string>;
  /** make-up working days: date → the holiday it makes up for */
  workdays: Record<string, string>;
  /** calendar years with any holiday in the data */
  years: Set<number>;
}

let cached: HolidayData | undefined;
/** The State Council data bundled in chinese-days (read from the package's files, offline). */
export function holidayData(): HolidayData {
  if (cached) return cached;
  const dir = path.dirname(require.resolve('chinese-days/package.json'));
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  const data = JSON.parse(readFileSync(path.join(dir, 'dist', 'chinese-days.json'), 'utf8')) as {
    holidays: Record<string, string>;
    workdays: Record<string, string>;
  };
  cached = {
    version: pkg.version,
    holidays: data.holidays,
    workdays: data.workdays,
    years: new Set(Object.keys(data.holidays).map((d) => Number(d.slice(0, 4)))),
  };
  return cached;
}
