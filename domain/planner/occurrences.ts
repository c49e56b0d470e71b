/**
 * When a template task occurs in one semester (../planner.ts): its months, weeks, holidays and exam
 * weeks dated against the school calendar, with the adjustments a missing or merged holiday makes.
 */
import { DateTime, Duration } from 'luxon';
import { iso, SchoolCalendar } from '../calendar';
import {
  HOLIDAY_KIND_NAMES,
  MONTH_NAMES,
  type Calendar,
  type DueRule,
  type Template,
  type TemplateTask,
} from '../schema';
import { PlanError, type Occurrence, type PlanAdjustment } from './model';

export function duration(isoText: string): Duration {
  const d = Duration.fromISO(isoText);
  if (!d.isValid) throw new PlanError(`"${isoText}" is not an ISO-8601 duration`);
  return d;
}

export const monthName = (m: number) => `${m} (${MONTH_NAMES[m - 1]!.replace(/^./, (c) => c.toUpperCase())})`;

/**
 * The days of month `m` (1–12) that lie in the semester: the September of an autumn semester is the
 * one inside it. Null when the month does not meet the semester; an error when it meets it twice.
 */
export function monthInSemester(
  sc: SchoolCalendar,
  m: number,
): { first: DateTime; last: DateTime; key: string } | null {
  return sc.memo(`month-in-semester|${m}`, () => monthOf(sc, m));
}

function monthOf(sc: SchoolCalendar, m: number): { first: DateTime; last: DateTime; key: string } | null {
  const found: Array<{ first: DateTime; last: DateTime; key: string }> = [];
  for (let y = sc.start.year; y <= sc.end.year; y++) {
    const month = DateTime.fromObject({ year: y, month: m, day: 1 }, { zone: sc.zone }).startOf('day');
    const first = DateTime.max(month, sc.start);
    const last = DateTime.min(month.endOf('month').startOf('day'), sc.end);
    if (first <= last) found.push({ first, last, key: month.toFormat('yyyy-MM') });
  }
  if (found.length > 1)
    throw new PlanError(
      `month ${monthName(m)} occurs more than once in the semester ${sc.cal.semesterStart}–${sc.cal.semesterEnd} (${found.map((f) => f.key).join(', ')})`,
    );
  return found[0] ?? null;
}

/** The key-care groups of a checklist's months, each under the month (YYYY-MM) it has in this calendar. */
export function keyCareMonths(
  template: Template,
  calendar: Calendar,
): Array<{ month: string; keyCareGroups: Template['months'][number]['keyCareGroups'] }> {
  const sc = new SchoolCalendar(calendar);
  return template.months.flatMap((m) => {
    const r = monthInSemester(sc, m.month);
    return r ? [{ month: r.key, keyCareGroups: m.keyCareGroups }] : [];
  });
}

export interface Anchor {
  /** the first day of the holiday (or the vacation) */
  start: DateTime;
  label: string;
  labelZh: string;
}

export const zhName = (kind: string) => HOLIDAY_KIND_NAMES[kind]?.zh ?? kind;

/** A holiday named by kind (or by a calendar id, or a school event's id), as the calendar has it this year. */
export function findHoliday(
  sc: SchoolCalendar,
  ref: string,
): { found: Anchor } | { mergedInto: { kind: string; anchor: Anchor } } | null {
  if (ref === 'vacation')
    return {
      found: {
        start: sc.day(sc.cal.vacationStart),
        label: `the vacation (${sc.cal.vacationStart})`,
        labelZh: `假期（${sc.cal.vacationStart} 起）`,
      },
    };
  const anchor = (h: { id: string; name: { zh: string }; start: string; end: string }): Anchor => ({
    start: sc.day(h.start),
    label: `"${h.id}" (${h.start}–${h.end})`,
    labelZh: `${h.name.zh}（${h.start}–${h.end}）`,
  });
  const h = sc.cal.holidays.find((x) => (x.kind ?? x.id) === ref) ?? sc.cal.holidays.find((x) => x.id === ref);
  if (h) return { found: anchor(h) };
  const ev = (sc.cal.events ?? []).find((x) => x.id === ref);
  if (ev) return { found: anchor(ev) };
  const host = sc.cal.holidays.find((x) => x.also?.includes(ref));
  if (host) return { mergedInto: { kind: host.kind ?? host.id, anchor: anchor(host) } };
  return null;
}

/**
 * The weeks of the semester through `last`, numbered from the semester's first week: each opens at
 * its first working day's opening and falls due at its last working day's closing. A week with no
 * working day (a whole week of holiday) has none, and keeps its number. The weekly review (周周研判)
 * and the class and dorm reports (domain/units.ts) are dated by it.
 */
export function workingWeeks(
  sc: SchoolCalendar,
  last: DateTime,
): Array<{ weekNo: number; open: DateTime; due: DateTime }> {
  // a copy: the caller may change its array, never the calendar's answer
  return [...sc.memo(`working-weeks|${last.toMillis()}`, () => weeksUntil(sc, last))];
}

function weeksUntil(sc: SchoolCalendar, last: DateTime): Array<{ weekNo: number; open: DateTime; due: DateTime }> {
  const out: Array<{ weekNo: number; open: DateTime; due: DateTime }> = [];
  let weekNo = 0;
  for (let week = sc.start.startOf('week'); week <= last; week = week.plus({ weeks: 1 })) {
    weekNo += 1;
    const from = DateTime.max(week, sc.start);
    const to = DateTime.min(week.plus({ days: 6 }), last);
    const open = sc.firstWorkingDay(from, to);
    const due = sc.lastWorkingDay(from, to);
    if (open && due) out.push({ weekNo, open: sc.opening(open), due: sc.closing(due) });
  }
  return out;
}

export function occurrences(
  sc: SchoolCalendar,
  template: Template,
  task: TemplateTask,
  adjustments: PlanAdjustment[],
): Occurrence[] {
  const rule: DueRule = task.due;
  const fail = (msg: string): never => {
    throw new PlanError(`task "${task.id}": ${msg}`);
  };
  const inRange = (from: DateTime, to: DateTime): Occurrence => {
    const open = sc.firstWorkingDay(from, to);
    const due = sc.lastWorkingDay(from, to);
    if (!open || !due) return fail(`no working day between ${iso(from)} and ${iso(to)}`);
    return { occurrence: null, open: sc.opening(open), due: sc.closing(due) };
  };
  switch (rule.type) {
    case 'in-month': {
      if (task.month === undefined) return fail('is an in-month task without its month');
      let found: ReturnType<typeof monthInSemester>;
      try {
        found = monthInSemester(sc, task.month);
      } catch (e) {
        return fail((e as Error).message);
      }
      if (!found)
        return fail(
          `month ${monthName(task.month)} lies outside the semester ${sc.cal.semesterStart}–${sc.cal.semesterEnd}`,
        );
      const from = found.first;
      let to = found.last;
      if (rule.dueDay !== 'last') {
        const month = from.startOf('month');
        to = DateTime.min(to, month.set({ day: Math.min(rule.dueDay, month.daysInMonth ?? 28) }));
      }
      if (rule.withinDaysOfSemesterStart)
        to = DateTime.min(to, sc.start.plus({ days: rule.withinDaysOfSemesterStart - 1 }));
      return [inRange(from, to)];
    }
    case 'in-week': {
      if (task.week === undefined) return fail('is an in-week task without its week');
      const monday = sc.start.startOf('week').plus({ weeks: task.week - 1 });
      const from = DateTime.max(monday, sc.start);
      if (from > sc.end) return fail(`week ${task.week} lies after the semester's end ${sc.cal.semesterEnd}`);
      let to = DateTime.min(monday.plus({ days: 6 }), sc.end);
      if (rule.dueDay !== 'last') to = DateTime.min(to, monday.plus({ days: rule.dueDay - 1 }));
      return [inRange(from, to)];
    }
    case 'weekly': {
      const last = rule.until === 'vacation-start' ? sc.day(sc.cal.vacationStart).minus({ days: 1 }) : sc.end;
      return workingWeeks(sc, last).map(({ weekNo, open, due }) => ({
        occurrence: `week-${String(weekNo).padStart(2, '0')}`,
        open,
        due,
      }));
    }
    case 'before-holiday': {
      const dated = (key: string, anchor: Anchor): Occurrence => {
        const due = sc.lastWorkingDay(sc.start, anchor.start.minus({ days: 1 }));
        if (!due) return fail(`no working day in the semester before "${key}" (${iso(anchor.start)})`);
        const open = DateTime.max(sc.start, due.minus({ days: rule.opensDaysBefore }));
        return { occurrence: key, open: sc.opening(open), due: sc.closing(due) };
      };
      const out = new Map<string, Occurrence>();
      const has = sc.cal.holidays.map((x) => x.kind ?? x.id);
      for (const ref of rule.holidays) {
        const hit = findHoliday(sc, ref);
        if (hit && 'found' in hit) {
          if (!out.has(ref)) out.set(ref, dated(ref, hit.found));
          continue;
        }
        const choice = rule.ifMissing[ref] as PlanAdjustment['rule'] | undefined;
        const situation = hit ? 'merged' : 'missing';
        const why = hit
          ? `holiday "${ref}" falls inside ${hit.mergedInto.anchor.label} in this calendar`
          : `names holiday "${ref}", which the calendar does not have (it has: ${has.join(', ') || 'none'})`;
        const whyZh = hit
          ? `本学期${zhName(ref)}在${hit.mergedInto.anchor.labelZh}假期之内`
          : `本学期校历没有${zhName(ref)}`;
        if (!choice) {
          const suggestion = hit ? `"skip" or "merge-into:${hit.mergedInto.kind}"` : '"skip" or "merge-into:<kind>"';
          return fail(`${why}: choose a rule in the template, ifMissing { "${ref}": ${suggestion} }`);
        }
        if (choice === 'skip') {
          adjustments.push({
            templateTaskId: task.id,
            holiday: ref,
            situation,
            rule: choice,
            reason: `${why}: skipped, as the template says`,
            reasonZh: `${whyZh}：按清单规则不提醒`,
          });
          continue;
        }
        const target = choice.slice('merge-into:'.length);
        const into = findHoliday(sc, target);
        if (!into || !('found' in into))
          return fail(`${why}, and its rule merge-into:${target} names a holiday this calendar does not have either`);
        const already = out.has(target) || rule.holidays.includes(target);
        if (!out.has(target)) out.set(target, dated(target, into.found));
        adjustments.push({
          templateTaskId: task.id,
          holiday: ref,
          situation,
          rule: choice,
          reason: `${why}: reminded once before "${target}" (${iso(into.found.start)})${already ? ', together with it' : ''}, as the template says`,
          reasonZh: `${whyZh}：按清单规则并入${zhName(target)}前的提醒（${iso(into.found.start)} 前）`,
        });
      }
      return [...out.values()];
    }
    case 'exam-week': {
      if (!sc.cal.examWeeks.length) fail('is an exam-week task but the calendar has no exam weeks');
      return sc.cal.examWeeks.map((w, i) => {
        const start = sc.day(w.start);
        const due = sc.lastWorkingDay(start, sc.day(w.end));
        if (!due) return fail(`exam week ${w.start}–${w.end} has no working day`);
        const open = DateTime.max(sc.start, start.minus({ days: rule.opensDaysBefore }));
        return { occurrence: `exam-${i + 1}`, open: sc.opening(open), due: sc.closing(due) };
      });
    }
    case 'after-exam-weeks': {
      if (!sc.cal.examWeeks.length) return fail('is due after the exam weeks but the calendar has no exam weeks');
      const lastEnd = sc.day(
        sc.cal.examWeeks
          .map((w) => w.end)
          .sort()
          .at(-1)!,
      );
      const due = sc.firstWorkingDay(lastEnd.plus({ days: 1 }), sc.end);
      if (!due)
        return fail(
          `no working day between the last exam week (ending ${iso(lastEnd)}) and the semester end ${sc.cal.semesterEnd}`,
        );
      const open = DateTime.max(sc.start, due.minus({ days: rule.opensDaysBefore }));
      return [{ occurrence: null, open: sc.opening(open), due: sc.closing(due) }];
    }
    case 'campaign-phase': {
      const phase = rule.phase ? template.phases.find((p) => p.id === rule.phase) : undefined;
      const opensMd = rule.opens ?? phase?.start;
      const dueMd = rule.due ?? phase?.end;
      if (!opensMd || !dueMd) return fail('needs a phase or both opens and due');
      const open = resolveMonthDay(sc, opensMd) ?? fail(`opening day ${opensMd} does not fall within the semester`);
      let due = resolveMonthDay(sc, dueMd) ?? fail(`due day ${dueMd} does not fall within the semester`);
      if (due < open) due = due.plus({ years: 1 });
      return [{ occurrence: null, open: sc.opening(open), due: sc.closing(due) }];
    }
  }
}

/** The date MM-DD in whichever year of the semester puts it inside the semester. */
export function resolveMonthDay(sc: SchoolCalendar, md: string): DateTime | null {
  for (let y = sc.start.year; y <= sc.end.year; y++) {
    const d = DateTime.fromISO(`${y}-${md}`, { zone: sc.zone });
    if (d.isValid && sc.inSemester(d)) return d.startOf('day');
  }
  return null;
}

/** A plan's tasks grouped by month (YYYY-MM), for previews and reports. */
