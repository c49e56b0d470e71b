/**
 * The semester calendar as luxon dates in the school's zone: which days are working days,
 * and the checks that reject a calendar contradicting itself.
 */
import { DateTime, IANAZone } from 'luxon';
import type { Calendar } from './schema';

export class CalendarError extends Error {
  override name = 'CalendarError';
  constructor(
    readonly problems: Array<{ path: string; message: string }>,
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}invalid calendar: ` + problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  }
}

/** Local calendar day helpers bound to one calendar. */
export class SchoolCalendar {
  readonly zone: string;
  private readonly offDays = new Set<string>();
  private readonly makeup: Set<string>;

  constructor(readonly cal: Calendar) {
    this.zone = cal.timezone;
    this.makeup = new Set(cal.makeupWorkdays);
    for (const h of cal.holidays) {
      if (!h.dayOff) continue;
      for (let d = this.day(h.start); d <= this.day(h.end); d = d.plus({ days: 1 })) this.offDays.add(iso(d));
    }
  }

  /** the days already read (luxon's DateTime is immutable, so one per date serves every caller) */
  private readonly days = new Map<string, DateTime>();
  /** answers already computed from this calendar (see memo) */
  private readonly answers = new Map<string, unknown>();

  /**
   * The answer of `compute` under `key`, computed once per calendar. For pure computations on
   * immutable dates: a semester's plan asks the same days, weeks and months again for every task,
   * and each luxon step in the school's zone asks Intl for the zone's offset (most of a plan's time).
   */
  memo<T>(key: string, compute: () => T): T {
    if (this.answers.has(key)) return this.answers.get(key) as T;
    const answer = compute();
    this.answers.set(key, answer);
    return answer;
  }

  /** Midnight of a local date (YYYY-MM-DD) in the school's zone. */
  day(date: string): DateTime {
    let d = this.days.get(date);
    if (!d) {
      d = DateTime.fromISO(date, { zone: this.zone }).startOf('day');
      this.days.set(date, d);
    }
    return d;
  }

  get start(): DateTime {
    return this.day(this.cal.semesterStart);
  }
  get end(): DateTime {
    return this.day(this.cal.semesterEnd);
  }

  /** Mon–Fri unless a day-off holiday, plus make-up working days (调休). */
  isWorkingDay(d: DateTime): boolean {
    const key = iso(d);
    if (this.makeup.has(key)) return true;
    if (this.offDays.has(key)) return false;
    return d.weekday <= 5;
  }

  /** The last working day in [from, to], or null. */
  lastWorkingDay(from: DateTime, to: DateTime): DateTime | null {
    return this.memo(`last-working|${from.toMillis()}|${to.toMillis()}`, () => {
      for (let d = to.startOf('day'); d >= from.startOf('day'); d = d.minus({ days: 1 }))
        if (this.isWorkingDay(d)) return d;
      return null;
    });
  }

  /** The first working day in [from, to], or null. */
  firstWorkingDay(from: DateTime, to: DateTime): DateTime | null {
    return this.memo(`first-working|${from.toMillis()}|${to.toMillis()}`, () => {
      for (let d = from.startOf('day'); d <= to.startOf('day'); d = d.plus({ days: 1 }))
        if (this.isWorkingDay(d)) return d;
      return null;
    });
  }

  /** An instant on a local day at a HH:mm clock time. */
  at(d: DateTime, clock: string): DateTime {
    return this.memo(`at|${d.toMillis()}|${clock}`, () => {
      const [h, m] = clock.split(':').map(Number) as [number, number];
      return d.set({ hour: h, minute: m, second: 0, millisecond: 0 });
    });
  }
  opening(d: DateTime): DateTime {
    return this.at(d, this.cal.workdayStart);
  }
  closing(d: DateTime): DateTime {
    return this.at(d, this.cal.workdayEnd);
  }
  inSemester(d: DateTime): boolean {
    return d >= this.start && d <= this.end;
  }
}

export function iso(d: DateTime): string {
  return d.toISODate() ?? '';
}

/** Every contradiction in a calendar; an empty list means it is consistent. */
export function calendarProblems(cal: Calendar): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!IANAZone.isValidZone(cal.timezone)) {
    add('timezone', `"${cal.timezone}" is not an IANA time zone (e.g. Asia/Shanghai)`);
    return problems;
  }
  const sc = new SchoolCalendar(cal);
  const { start, end } = sc;
  if (end <= start)
    add('semesterEnd', `semester ends (${cal.semesterEnd}) before or on its start (${cal.semesterStart})`);
  const vac = sc.day(cal.vacationStart);
  if (vac <= start || vac > end.plus({ days: 1 })) {
    add(
      'vacationStart',
      `vacation start ${cal.vacationStart} is not after the semester start and at most a day after its end`,
    );
  }
  if (cal.workdayEnd <= cal.workdayStart)
    add('workdayEnd', `working day ends (${cal.workdayEnd}) before it starts (${cal.workdayStart})`);

  cal.holidays.forEach((h, i) => {
    if (h.end < h.start) add(`holidays[${i}].end`, `holiday "${h.id}" ends (${h.end}) before it starts (${h.start})`);
    else if (!sc.inSemester(sc.day(h.start)) || !sc.inSemester(sc.day(h.end))) {
      add(
        `holidays[${i}]`,
        `holiday "${h.id}" (${h.start}–${h.end}) lies outside the semester ${cal.semesterStart}–${cal.semesterEnd}`,
      );
    }
    const dup = cal.holidays.findIndex((o) => o.id === h.id);
    if (dup !== i) add(`holidays[${i}].id`, `holiday id "${h.id}" is also holidays[${dup}]`);
  });

  const weeks = cal.examWeeks.map((w, i) => ({ ...w, i }));
  weeks.forEach((w) => {
    if (w.end < w.start) add(`examWeeks[${w.i}].end`, `exam week ends (${w.end}) before it starts (${w.start})`);
    else if (!sc.inSemester(sc.day(w.start)) || !sc.inSemester(sc.day(w.end))) {
      add(`examWeeks[${w.i}]`, `exam week ${w.start}–${w.end} lies outside the semester`);
    } else if (!sc.firstWorkingDay(sc.day(w.start), sc.day(w.end))) {
      add(`examWeeks[${w.i}]`, `exam week ${w.start}–${w.end} has no working day`);
    }
  });
  const sorted = [...weeks].sort((a, b) => a.start.localeCompare(b.start));
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!;
    const cur = sorted[k]!;
    if (cur.start <= prev.end)
      add(`examWeeks[${cur.i}]`, `exam week ${cur.start}–${cur.end} overlaps exam week ${prev.start}–${prev.end}`);
  }

  cal.makeupWorkdays.forEach((d, i) => {
    const day = sc.day(d);
    if (!sc.inSemester(day)) add(`makeupWorkdays[${i}]`, `make-up working day ${d} lies outside the semester`);
    if (day.weekday <= 5) add(`makeupWorkdays[${i}]`, `make-up working day ${d} is a weekday, not a weekend day`);
    const h = cal.holidays.find((x) => x.dayOff && x.start <= d && d <= x.end);
    if (h) add(`makeupWorkdays[${i}]`, `make-up working day ${d} falls inside holiday "${h.id}"`);
  });
  return problems;
}
