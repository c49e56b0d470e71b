/**
 * The calendar builder fills public holidays and make-up working days (调休) from chinese-days
 * (bundled data, pinned), and the school's exam weeks, vacation, events and days off from its input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CalendarError } from '../domain/calendar';
import {
  buildCalendar,
  calendarJson,
  CalendarBuildError,
  holidayData,
  type BuildCalendarInput,
} from '../domain/calendar-builder';
import { loadCalendarFile } from '../domain/load';

const ROOT = path.join(__dirname, '..');
const file = (name: string) => readFileSync(path.join(ROOT, 'calendars', name), 'utf8');

/** A semester from its first and last day and its two exam weeks (Monday to Friday). */
const semester = (
  year: number,
  term: 'autumn' | 'spring',
  [semesterStart, semesterEnd]: [string, string],
  exams: Array<[string, string]>,
  observe?: BuildCalendarInput['observe'],
): BuildCalendarInput => ({
  year,
  term,
  semesterStart,
  semesterEnd,
  examWeeks: exams.map(([start, end]) => ({ start, end })),
  ...(observe ? { observe } : {}),
});

/** The semester dates the committed calendars were built with (plausible dates chosen for the demo school). */
const SEMESTERS: Record<string, BuildCalendarInput> = {
  // prettier-ignore
  '2024-autumn': semester(2024, 'autumn', ['2024-09-02', '2025-01-24'], [['2025-01-06', '2025-01-10'], ['2025-01-13', '2025-01-17']]),
  // prettier-ignore
  '2025-spring': semester(2025, 'spring', ['2025-02-17', '2025-07-11'], [['2025-06-23', '2025-06-27'], ['2025-06-30', '2025-07-04']], ['mental-health-day']),
  // prettier-ignore
  '2025-autumn': semester(2025, 'autumn', ['2025-09-01', '2026-01-23'], [['2026-01-05', '2026-01-09'], ['2026-01-12', '2026-01-16']]),
  // prettier-ignore
  '2026-spring': semester(2026, 'spring', ['2026-03-02', '2026-07-10'], [['2026-06-22', '2026-06-26'], ['2026-06-29', '2026-07-03']], ['mental-health-day']),
};

describe('calendar builder: public holidays from chinese-days', () => {
  test('When the package is read, then it is the pinned 1.5.7 and its data is in the package (no network)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies['chinese-days']).toBe('1.5.7');
    const data = holidayData();
    expect(data.version).toBe('1.5.7');
    expect([...data.years].sort()).toContain(2026);
    expect(data.years.has(2027)).toBe(false);
  });

  test('When 2024 autumn is built, then it equals the hand-checked calendars/2024-autumn.json: Mid-Autumn, National Day, Christmas, New Year and the three make-up days', () => {
    const { calendar, warnings } = buildCalendar(SEMESTERS['2024-autumn']!);
    expect(warnings).toEqual([]);
    const { holidaySource, ...rest } = calendar;
    expect(holidaySource).toBe('chinese-days 1.5.7');
    expect(rest).toEqual(loadCalendarFile(path.join(ROOT, 'calendars', '2024-autumn.json')).data);
  });

  test('When the committed 2025 spring, 2025 autumn and 2026 spring calendars are built again, then the files are exactly what the builder makes', () => {
    for (const id of ['2025-spring', '2025-autumn', '2026-spring'])
      expect(file(`${id}.json`)).toBe(calendarJson(buildCalendar(SEMESTERS[id]!).calendar));
  });

  test('When 2025 autumn is built, then Mid-Autumn (6 Oct) is merged into the National Day break 1–8 Oct, and the make-up days are 28 Sept, 11 Oct and 4 Jan', () => {
    const { calendar } = buildCalendar(SEMESTERS['2025-autumn']!);
    expect(calendar.holidays.map((h) => [h.id, h.also ?? [], h.start, h.end, h.dayOff])).toEqual([
      ['national-day', ['mid-autumn'], '2025-10-01', '2025-10-08', true],
      ['christmas', [], '2025-12-25', '2025-12-25', false],
      ['new-year', [], '2026-01-01', '2026-01-03', true],
    ]);
    expect(calendar.holidays[0]!.name).toEqual({ zh: '国庆节、中秋节', en: 'National Day and Mid-Autumn Festival' });
    expect(calendar.makeupWorkdays).toEqual(['2025-09-28', '2025-10-11', '2026-01-04']);
    expect(calendar.vacationStart).toBe('2026-01-17'); // the day after the last exam week
  });

  test('When spring semesters are built, then Qingming, Labour Day and Dragon Boat are there with their make-up days, and Spring Festival before the start is not', () => {
    const s25 = buildCalendar(SEMESTERS['2025-spring']!).calendar;
    expect(s25.holidays.filter((h) => h.dayOff).map((h) => [h.id, h.start, h.end])).toEqual([
      ['qingming', '2025-04-04', '2025-04-06'],
      ['labour-day', '2025-05-01', '2025-05-05'],
      ['dragon-boat', '2025-05-31', '2025-06-02'],
    ]);
    expect(s25.makeupWorkdays).toEqual(['2025-04-27']); // 8 Feb (Spring Festival) is before the start
    const s26 = buildCalendar(SEMESTERS['2026-spring']!).calendar;
    expect(s26.holidays.filter((h) => h.dayOff).map((h) => [h.id, h.start, h.end])).toEqual([
      ['qingming', '2026-04-04', '2026-04-06'],
      ['labour-day', '2026-05-01', '2026-05-05'],
      ['dragon-boat', '2026-06-19', '2026-06-21'],
    ]);
    expect(s26.makeupWorkdays).toEqual(['2026-05-09']);
    expect(s26.holidays.find((h) => h.id === 'mental-health-day')).toMatchObject({
      start: '2026-05-25',
      dayOff: false,
    });
  });

  test('When a semester starts inside a holiday, then the holiday is cut at the semester start with a warning', () => {
    const { calendar, warnings } = buildCalendar({
      year: 2026,
      term: 'spring',
      semesterStart: '2026-02-21',
      semesterEnd: '2026-07-10',
    });
    expect(calendar.holidays[0]).toMatchObject({ id: 'spring-festival', start: '2026-02-21', end: '2026-02-23' });
    expect(calendar.makeupWorkdays).toEqual(['2026-02-28', '2026-05-09']);
    expect(warnings).toEqual([
      'Spring Festival 2026-02-15–2026-02-23 reaches beyond the semester 2026-02-21–2026-07-10: only 2026-02-21–2026-02-23 is in the calendar',
    ]);
  });

  test('When the school adds days off and events, then they are in the calendar and a day off is no working day', () => {
    const { calendar } = buildCalendar({
      ...SEMESTERS['2025-autumn']!,
      daysOff: [
        { id: 'sports-meeting', name: { zh: '运动会', en: 'Sports meeting' }, start: '2025-10-23', end: '2025-10-24' },
      ],
      events: [{ id: 'freshman-screening', start: '2025-09-15', end: '2025-09-19' }],
    });
    expect(calendar.holidays.find((h) => h.id === 'sports-meeting')).toMatchObject({
      start: '2025-10-23',
      end: '2025-10-24',
      dayOff: true,
    });
    expect(calendar.events).toEqual([
      {
        id: 'freshman-screening',
        name: { zh: 'freshman-screening', en: 'freshman-screening' },
        start: '2025-09-15',
        end: '2025-09-19',
      },
    ]);
  });
});

describe('calendar builder: a year chinese-days does not cover', () => {
  const autumn2026 = {
    year: 2026,
    term: 'autumn' as const,
    semesterStart: '2026-08-31',
    semesterEnd: '2027-01-22',
    examWeeks: [{ start: '2027-01-11', end: '2027-01-15' }],
  };
  test("When 2026 autumn reaches into 2027, then the calendar has 2026's holidays and a clear warning that 2027 has none", () => {
    const { calendar, warnings } = buildCalendar(autumn2026);
    expect(calendar.holidays.map((h) => h.id)).toEqual(['mid-autumn', 'national-day', 'christmas']);
    expect(calendar.makeupWorkdays).toEqual(['2026-09-20', '2026-10-10']);
    expect(warnings).toEqual([
      "chinese-days 1.5.7 has no State Council holiday data for 2027 (it covers 2004–2026): this calendar has NO public holidays or make-up working days in 2027; enter them by hand from the State Council's notice (--holiday KIND=START..END, --makeup DATE), or update chinese-days once it has them",
    ]);
    expect(calendar.holidaySource).toBe('chinese-days 1.5.7 (2026); 2027: none entered');
  });
  test('When the holidays of 2027 are entered by hand, then they are in the calendar and the warning says they were entered by hand', () => {
    const { calendar, warnings } = buildCalendar({
      ...autumn2026,
      manualHolidays: [{ kind: 'new-year', start: '2027-01-01', end: '2027-01-03' }],
      manualMakeupDays: ['2027-01-09'],
    });
    expect(calendar.holidays.find((h) => h.id === 'new-year')).toMatchObject({
      start: '2027-01-01',
      end: '2027-01-03',
      dayOff: true,
      name: { zh: '元旦' },
    });
    expect(calendar.makeupWorkdays).toContain('2027-01-09');
    expect(warnings[0]).toMatch(
      /no State Council holiday data for 2027 .*: the holidays of 2027 in this calendar were entered by hand; check them against the notice$/,
    );
  });
  test('When a covered year is entered by hand, or a kind is unknown, then it is refused', () => {
    expect(() =>
      buildCalendar({
        ...autumn2026,
        manualHolidays: [{ kind: 'national-day', start: '2026-10-01', end: '2026-10-07' }],
      }),
    ).toThrow(
      "hand-entered holiday national-day 2026-10-01–2026-10-07: chinese-days 1.5.7 has the State Council's holidays of 2026; they are not entered by hand",
    );
    expect(() =>
      buildCalendar({
        ...autumn2026,
        manualHolidays: [{ kind: 'bank-holiday', start: '2027-01-01', end: '2027-01-01' }],
      }),
    ).toThrow(/"bank-holiday" is not a public holiday kind/);
  });
});

describe('calendar builder: bad input is refused naming the problem', () => {
  const base = SEMESTERS['2025-autumn']!;
  test.each([
    [
      { ...base, semesterStart: '2025-03-01' },
      CalendarBuildError,
      'an autumn 2025 semester starts in August–October 2025, not on 2025-03-01',
    ],
    [
      { ...base, term: 'spring' as const, semesterStart: '2025-09-01' },
      CalendarBuildError,
      'a spring 2025 semester starts in January–April 2025, not on 2025-09-01',
    ],
    [
      { ...base, semesterEnd: '2025-08-01' },
      CalendarBuildError,
      'the semester ends (2025-08-01) before or on its start (2025-09-01)',
    ],
    [
      { ...base, semesterEnd: '2026-13-01' },
      CalendarBuildError,
      'semester end must be a date written YYYY-MM-DD, got "2026-13-01"',
    ],
    [
      { ...base, observe: ['halloween' as never] },
      CalendarBuildError,
      '"halloween" is not a day observed without a day off (christmas, teachers-day, mental-health-day)',
    ],
    [
      { ...base, examWeeks: [{ start: '2026-02-02', end: '2026-02-06' }] },
      CalendarError,
      'examWeeks[0]: exam week 2026-02-02–2026-02-06 lies outside the semester',
    ],
  ])('%#: %s', (input, type, message) => {
    expect(() => buildCalendar(input)).toThrow(type);
    expect(() => buildCalendar(input)).toThrow(message);
  });
});

describe('npm run semester -- calendar build', () => {
  const cli = (args: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts', 'semester.ts'), 'calendar', 'build', ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 110_000,
      },
    );
  test('When a year is not covered, then the file is written, the warning goes to stderr, and bad input exits 1 naming the flag', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'cal-')), '2026-autumn.json');
    const autumn2026 = ['--year', '2026', '--term', 'autumn', '--start', '2026-08-31', '--end', '2027-01-22'];
    const r = cli([...autumn2026, '--exam-weeks', '2027-01-11..2027-01-15', '--out', out]);
    expect(r.status, `${r.error ?? ''} ${r.stderr}`).toBe(0);
    expect(r.stderr).toContain('semester: warning: chinese-days 1.5.7 has no State Council holiday data for 2027');
    expect(r.stdout).toContain(
      `calendar 2026-autumn: 2026-08-31–2027-01-22, vacation from 2027-01-16, 1 exam week(s); holidays mid-autumn 2026-09-25–2026-09-27, national-day 2026-10-01–2026-10-07, christmas (working day) 2026-12-25; make-up working days 2026-09-20, 2026-10-10`,
    );
    expect(loadCalendarFile(out).data.id).toBe('2026-autumn');
    const bad = cli([...autumn2026, '--exam-weeks', '2027-01-11-2027-01-15']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('semester: --exam-weeks: "2027-01-11-2027-01-15" is not a date or a range START..END');
  }, 120_000);
});
