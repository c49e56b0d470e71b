/**
 * The calendar builder: a semester calendar from the school's dates and the State Council's
 * holiday notices. Public holidays and make-up working days (调休) come from the npm package
 * `chinese-days` (pinned; its data is bundled, nothing is fetched), never from a table written here.
 * The school adds its exam weeks, vacation start, events, days off and the days it observes
 * without a day off (Christmas). A year the package does not cover yet is reported as a warning,
 * and its holidays can be entered by hand.
 */
import { DateTime } from 'luxon';
import { CalendarError, calendarProblems } from './calendar';
import {
  calendarSchema,
  HOLIDAY_KIND_NAMES,
  OBSERVED_DAY_KINDS,
  PUBLIC_HOLIDAY_KINDS,
  type Calendar,
  type ObservedDayKind,
} from './schema';

export class CalendarBuildError extends Error {
  override name = 'CalendarBuildError';
}

type Holiday = Calendar['holidays'][number];
type Bilingual = { zh: string; en: string };

/** Names of the kinds, as the 2024 calendar wrote them. */
export const HOLIDAY_NAMES = HOLIDAY_KIND_NAMES;

import { holidayData, KIND_OF_NAME, OBSERVED_MONTH_DAY } from './holiday-data';

export { holidayData } from './holiday-data';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RANGE_OF_SCHOOL = { autumn: [8, 10], spring: [1, 4] } as const;

export interface BuildCalendarInput {
  /** the calendar year the semester starts in: autumn 2025 = Sept 2025 – Jan 2026, spring 2025 = Feb – July 2025 */
  year: number;
  term: 'autumn' | 'spring';
  semesterStart: string;
  semesterEnd: string;
  /** default: the day after the last exam week, else the day after the semester end */
  vacationStart?: string;
  examWeeks?: Array<{ start: string; end: string }>;
  /** school events that are not days off */
  events?: Array<{ id: string; name?: Bilingual; start: string; end: string }>;
  /** the school's own days off (sports day, anniversary) */
  daysOff?: Array<{ id: string; name?: Bilingual; start: string; end: string }>;
  /** days observed without a day off; default: Christmas */
  observe?: ObservedDayKind[];
  /** public holidays of a year chinese-days does not cover yet, from the State Council's notice */
  manualHolidays?: Array<{ kind: string; start: string; end: string; also?: string[] }>;
  manualMakeupDays?: string[];
  id?: string;
  name?: Bilingual;
  timezone?: string;
  workdayStart?: string;
  workdayEnd?: string;
}

export interface BuiltCalendar {
  calendar: Calendar;
  /** things a person must know (an uncovered year, a holiday cut at the semester's edge) */
  warnings: string[];
}

const day = (s: string) => DateTime.fromISO(s, { zone: 'UTC' });
const isoOf = (d: DateTime) => d.toISODate()!;

export function buildCalendar(input: BuildCalendarInput): BuiltCalendar {
  const fail = (msg: string): never => {
    throw new CalendarBuildError(msg);
  };
  const { year, term } = input;
  if (!Number.isInteger(year) || year < 2000 || year > 2100)
    fail(`year must be a year such as 2025, got ${JSON.stringify(year)}`);
  if (term !== 'autumn' && term !== 'spring') fail(`term must be autumn or spring, got ${JSON.stringify(term)}`);
  for (const [k, v] of [
    ['semester start', input.semesterStart],
    ['semester end', input.semesterEnd],
    ['vacation start', input.vacationStart],
  ] as const) {
    if (v !== undefined && (!DATE.test(v) || !day(v).isValid))
      fail(`${k} must be a date written YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
  const start = day(input.semesterStart);
  const end = day(input.semesterEnd);
  const [fromMonth, toMonth] = RANGE_OF_SCHOOL[term];
  if (start.year !== year || start.month < fromMonth || start.month > toMonth) {
    fail(
      `${term === 'autumn' ? 'an' : 'a'} ${term} ${year} semester starts in ${DateTime.fromObject({ month: fromMonth }).toFormat('LLLL')}–${DateTime.fromObject({ month: toMonth }).toFormat('LLLL')} ${year}, not on ${input.semesterStart}`,
    );
  }
  if (end <= start) fail(`the semester ends (${input.semesterEnd}) before or on its start (${input.semesterStart})`);
  if (end.diff(start, 'months').months > 8)
    fail(`the semester ${input.semesterStart}–${input.semesterEnd} is longer than eight months`);

  const data = holidayData();
  const source = `chinese-days ${data.version}`;
  const warnings: string[] = [];
  const inSemester = (d: string) => d >= input.semesterStart && d <= input.semesterEnd;
  const years: number[] = [];
  for (let y = start.year; y <= end.year; y++) years.push(y);
  const covered = years.filter((y) => data.years.has(y));
  const uncovered = years.filter((y) => !data.years.has(y));
  const known = [...data.years].sort((a, b) => a - b);

  // public holidays: runs of consecutive holiday dates; a run with two festivals is one break
  const holidays: Holiday[] = [];
  const dates = Object.keys(data.holidays)
    .filter((d) => covered.includes(Number(d.slice(0, 4))))
    .sort();
  const runs: string[][] = [];
  for (const d of dates) {
    const run = runs.at(-1);
    if (run && isoOf(day(run.at(-1)!).plus({ days: 1 })) === d) run.push(d);
    else runs.push([d]);
  }
  for (const run of runs) {
    const inside = run.filter(inSemester);
    if (!inside.length) continue;
    const days = new Map<string, number>();
    const statutory = new Map<string, number>();
    for (const d of run) {
      const [en = '', , n = '0'] = data.holidays[d]!.split(',');
      const kind =
        KIND_OF_NAME[en] ??
        en
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '');
      if (!KIND_OF_NAME[en] && !days.has(kind))
        warnings.push(`chinese-days names a holiday "${en}" on ${d} that has no kind here; it is kept as "${kind}"`);
      days.set(kind, (days.get(kind) ?? 0) + 1);
      statutory.set(kind, Number(n));
    }
    const kinds = [...days.keys()].sort((a, b) => days.get(b)! - days.get(a)! || statutory.get(b)! - statutory.get(a)!);
    const [kind, ...also] = kinds as [string, ...string[]];
    const names = kinds.map((k) => HOLIDAY_NAMES[k] ?? { zh: k, en: k });
    if (inside.length < run.length) {
      warnings.push(
        `${names[0]!.en} ${run[0]}–${run.at(-1)} reaches beyond the semester ${input.semesterStart}–${input.semesterEnd}: only ${inside[0]}–${inside.at(-1)} is in the calendar`,
      );
    }
    holidays.push({
      id: kind,
      ...(also.length ? { also } : {}),
      name: { zh: names.map((x) => x.zh).join('、'), en: names.map((x) => x.en).join(' and ') },
      start: inside[0]!,
      end: inside.at(-1)!,
      dayOff: true,
    });
  }
  const makeupWorkdays = Object.keys(data.workdays)
    .filter((d) => covered.includes(Number(d.slice(0, 4))) && inSemester(d))
    .sort();

  // a year the package does not cover: a warning, and the holidays entered by hand
  const manual = input.manualHolidays ?? [];
  const manualMakeup = input.manualMakeupDays ?? [];
  for (const h of manual) {
    if (!DATE.test(h.start) || !DATE.test(h.end) || !day(h.start).isValid || !day(h.end).isValid)
      fail(`hand-entered holiday ${h.kind}: dates must be written YYYY-MM-DD, got ${h.start}..${h.end}`);
    if (!(PUBLIC_HOLIDAY_KINDS as readonly string[]).includes(h.kind))
      fail(`hand-entered holiday "${h.kind}" is not a public holiday kind (${PUBLIC_HOLIDAY_KINDS.join(', ')})`);
    const y = Number(h.start.slice(0, 4));
    if (data.years.has(y))
      fail(
        `hand-entered holiday ${h.kind} ${h.start}–${h.end}: ${source} has the State Council's holidays of ${y}; they are not entered by hand`,
      );
    holidays.push({
      id: h.kind,
      ...(h.also?.length ? { also: h.also } : {}),
      name: HOLIDAY_NAMES[h.kind]!,
      start: h.start,
      end: h.end,
      dayOff: true,
    });
  }
  for (const d of manualMakeup) {
    if (!DATE.test(d) || !day(d).isValid)
      fail(`hand-entered make-up working day must be written YYYY-MM-DD, got ${JSON.stringify(d)}`);
    if (data.years.has(Number(d.slice(0, 4))))
      fail(
        `hand-entered make-up working day ${d}: ${source} has the State Council's make-up days of ${d.slice(0, 4)}; they are not entered by hand`,
      );
    makeupWorkdays.push(d);
  }
  for (const y of uncovered) {
    const byHand = manual.some((h) => h.start.startsWith(`${y}-`)) || manualMakeup.some((d) => d.startsWith(`${y}-`));
    warnings.push(
      byHand
        ? `${source} has no State Council holiday data for ${y} (it covers ${known[0]}–${known.at(-1)}): the holidays of ${y} in this calendar were entered by hand; check them against the notice`
        : `${source} has no State Council holiday data for ${y} (it covers ${known[0]}–${known.at(-1)}): this calendar has NO public holidays or make-up working days in ${y}; enter them by hand from the State Council's notice (--holiday KIND=START..END, --makeup DATE), or update chinese-days once it has them`,
    );
  }

  // what the school observes without a day off, its own days off and events
  for (const kind of input.observe ?? ['christmas']) {
    if (!(OBSERVED_DAY_KINDS as readonly string[]).includes(kind))
      fail(`"${kind}" is not a day observed without a day off (${OBSERVED_DAY_KINDS.join(', ')})`);
    for (const y of years) {
      const d = `${y}-${OBSERVED_MONTH_DAY[kind]}`;
      if (inSemester(d)) holidays.push({ id: kind, name: HOLIDAY_NAMES[kind]!, start: d, end: d, dayOff: false });
    }
  }
  for (const x of input.daysOff ?? [])
    holidays.push({ id: x.id, name: x.name ?? { zh: x.id, en: x.id }, start: x.start, end: x.end, dayOff: true });
  holidays.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));

  const examWeeks = [...(input.examWeeks ?? [])].sort((a, b) => a.start.localeCompare(b.start));
  const lastExam = examWeeks.at(-1);
  const vacationStart =
    input.vacationStart ?? isoOf(day(lastExam ? lastExam.end : input.semesterEnd).plus({ days: 1 }));
  const termZh = term === 'autumn' ? '秋季' : '春季';
  const termEn = term === 'autumn' ? 'Autumn' : 'Spring';
  const raw = {
    id: input.id ?? `${year}-${term}`,
    name: input.name ?? { zh: `${year} 年${termZh}学期`, en: `${termEn} semester ${year}` },
    timezone: input.timezone ?? 'Asia/Shanghai',
    semesterStart: input.semesterStart,
    semesterEnd: input.semesterEnd,
    vacationStart,
    workdayStart: input.workdayStart ?? '08:00',
    workdayEnd: input.workdayEnd ?? '17:00',
    examWeeks,
    holidays,
    makeupWorkdays: [...new Set(makeupWorkdays)].sort(),
    ...(input.events?.length
      ? {
          events: input.events.map((e) => ({
            id: e.id,
            name: e.name ?? { zh: e.id, en: e.id },
            start: e.start,
            end: e.end,
          })),
        }
      : {}),
    holidaySource: uncovered.length
      ? `${source}${covered.length ? ` (${covered.join(', ')})` : ''}; ${uncovered.join(', ')}: ${manual.length || manualMakeup.length ? 'entered by hand' : 'none entered'}`
      : source,
  };
  const parsed = calendarSchema.safeParse(raw);
  if (!parsed.success)
    fail(
      `the calendar would be invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const calendar = parsed.data!;
  const ids = new Map<string, number>();
  for (const h of calendar.holidays) ids.set(h.id, (ids.get(h.id) ?? 0) + 1);
  // the same kind twice in one semester (a long semester): ids carry the year, the kind stays
  for (const h of calendar.holidays)
    if (ids.get(h.id)! > 1) Object.assign(h, { kind: h.kind ?? h.id, id: `${h.id}-${h.start.slice(0, 4)}` });
  const problems = calendarProblems(calendar);
  if (problems.length) throw new CalendarError(problems);
  return { calendar, warnings };
}

/** The calendar as the JSON file the service loads (fields in the order of calendars/2024-autumn.json). */
export function calendarJson(calendar: Calendar): string {
  return `${JSON.stringify(calendar, null, 2)}\n`;
}
