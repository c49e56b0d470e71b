/**
 * Helpers of the semester CLI (scripts/semester.ts): its usage error, required flags, and the
 * `calendar build` command (no database needed).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildCalendar, calendarJson, type BuildCalendarInput } from '../domain/calendar-builder';

/** A wrong command line: its message is printed without a stack. */
export class UsageError extends Error {}

export function need(values: Record<string, string | string[] | boolean | undefined>, key: string): string {
  const v = values[key];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${key} is required`);
  return v;
}

/** `calendar build`: prints or writes the calendar; warnings (a year chinese-days lacks) go to stderr. */
export function calendarCommand(args: string[]): void {
  const [sub, ...rest] = args;
  if (sub !== 'build')
    throw new UsageError(`unknown calendar command ${JSON.stringify(sub ?? '')}: use calendar build`);
  const { values } = parseArgs({
    args: rest,
    options: {
      year: { type: 'string' },
      term: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      'exam-weeks': { type: 'string' },
      'vacation-start': { type: 'string' },
      observe: { type: 'string' },
      'day-off': { type: 'string', multiple: true },
      event: { type: 'string', multiple: true },
      holiday: { type: 'string', multiple: true },
      makeup: { type: 'string' },
      id: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const year = Number(need(values, 'year'));
  if (!Number.isInteger(year))
    throw new UsageError(`--year must be a year such as 2025, got ${JSON.stringify(values.year)}`);
  const term = need(values, 'term');
  if (term !== 'autumn' && term !== 'spring')
    throw new UsageError(`--term must be autumn or spring, got ${JSON.stringify(term)}`);
  const list = (v: string | undefined) =>
    v
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [];
  const range = (flag: string, text: string) => {
    const m = /^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?$/.exec(text.trim());
    if (!m) throw new UsageError(`--${flag}: "${text}" is not a date or a range START..END (YYYY-MM-DD..YYYY-MM-DD)`);
    return { start: m[1]!, end: m[2] ?? m[1]! };
  };
  const named = (flag: string) => (v: string) => {
    const m = /^([a-z0-9][a-z0-9-]*)=([^:]+)(?::(.+))?$/.exec(v);
    if (!m) throw new UsageError(`--${flag}: "${v}" is not ID=START[..END][:名称]`);
    return { id: m[1]!, ...range(flag, m[2]!), ...(m[3] ? { name: { zh: m[3], en: m[3] } } : {}) };
  };
  const observe =
    values.observe === 'none'
      ? []
      : values.observe
        ? (list(values.observe) as BuildCalendarInput['observe'])
        : undefined;
  const { calendar, warnings } = buildCalendar({
    year,
    term,
    semesterStart: need(values, 'start'),
    semesterEnd: need(values, 'end'),
    vacationStart: values['vacation-start'],
    examWeeks: list(values['exam-weeks']).map((x) => range('exam-weeks', x)),
    observe,
    daysOff: (values['day-off'] ?? []).map(named('day-off')),
    events: (values.event ?? []).map(named('event')),
    manualHolidays: (values.holiday ?? []).map((v) => {
      const m = /^([a-z0-9-]+(?:\+[a-z0-9-]+)*)=(.+)$/.exec(v);
      if (!m)
        throw new UsageError(
          `--holiday: "${v}" is not KIND[+KIND]=START..END (e.g. national-day+mid-autumn=2027-10-01..2027-10-07)`,
        );
      const [kind, ...also] = m[1]!.split('+') as [string, ...string[]];
      return { kind, ...(also.length ? { also } : {}), ...range('holiday', m[2]!) };
    }),
    manualMakeupDays: list(values.makeup),
    ...(values.id ? { id: values.id } : {}),
  });
  for (const w of warnings) console.error(`semester: warning: ${w}`);
  const text = calendarJson(calendar);
  if (!values.out) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(values.out, text);
  const holidays = calendar.holidays.map(
    (h) =>
      `${[h.id, ...(h.also ?? [])].join('+')}${h.dayOff ? '' : ' (working day)'} ${h.start}${h.end !== h.start ? `–${h.end}` : ''}`,
  );
  console.log(
    `calendar ${calendar.id}: ${calendar.semesterStart}–${calendar.semesterEnd}, vacation from ${calendar.vacationStart}, ${calendar.examWeeks.length} exam week(s); holidays ${holidays.join(', ') || 'none'}; make-up working days ${calendar.makeupWorkdays.join(', ') || 'none'}; from ${calendar.holidaySource} → ${values.out}`,
  );
}
