/**
 * The pure planner: template × calendar × colleges → dated task plan.
 * Every instant is computed here with luxon in the school's zone; workflows receive
 * epoch milliseconds and only sleep and wait.
 */
import { DateTime, Duration } from 'luxon';
import { CalendarError, calendarProblems, iso, SchoolCalendar } from './calendar';
import type { Calendar, CollegeRole, DueRule, Ladder, Template, TemplateTask, TaskKind } from './schema';

export class PlanError extends Error {
  override name = 'PlanError';
}

/** One dated occurrence of a template task for one college. */
export interface PlannedTask {
  /** stable id, also the task workflow's id */
  id: string;
  semesterId: string;
  collegeId: string;
  templateTaskId: string;
  /** which occurrence of a recurring task (week-03, national-day, exam-1), null for one-offs */
  occurrence: string | null;
  /** local month (YYYY-MM) of the due day: the month it is reported under */
  month: string;
  kind: TaskKind;
  ownerRole: CollegeRole;
  titleZh: string;
  titleEn: string;
  openAt: number;
  dueAt: number;
  /** reminder instants to the assignee, ascending, all after openAt and before dueAt */
  remindAts: number[];
  /** level-2 (school) escalation instant */
  level2At: number;
}

export interface Plan {
  semesterId: string;
  timezone: string;
  startsAt: number;
  /** end of the semester's last day */
  endsAt: number;
  tasks: PlannedTask[];
}

/** Dates for one occurrence of a task, before it is multiplied over colleges. */
interface Occurrence {
  occurrence: string | null;
  open: DateTime;
  due: DateTime;
}

export function taskInstanceId(semesterId: string, collegeId: string, templateTaskId: string, occurrence: string | null): string {
  return ['task', semesterId, collegeId, templateTaskId, ...(occurrence ? [occurrence] : [])].join('.');
}

export function planSemester(input: {
  semesterId: string;
  template: Template;
  calendar: Calendar;
  colleges: ReadonlyArray<{ id: string }>;
}): Plan {
  const { semesterId, template, calendar, colleges } = input;
  const problems = calendarProblems(calendar);
  if (problems.length) throw new CalendarError(problems);
  const sc = new SchoolCalendar(calendar);

  const perTask = template.tasks.map((task) => ({ task, ladder: ladderFor(template, task), occ: occurrences(sc, template, task) }));
  const tasks: PlannedTask[] = [];
  for (const college of colleges) {
    for (const { task, ladder, occ } of perTask) {
      for (const o of occ) tasks.push(toPlanned(semesterId, college.id, task, ladder, o));
    }
  }
  tasks.sort((a, b) => a.openAt - b.openAt || a.dueAt - b.dueAt || a.id.localeCompare(b.id));
  return {
    semesterId,
    timezone: calendar.timezone,
    startsAt: sc.start.toMillis(),
    endsAt: sc.end.endOf('day').toMillis(),
    tasks,
  };
}

function ladderFor(template: Template, task: TemplateTask): Ladder {
  return { ...template.ladder, ...(task.ladder ?? {}) } as Ladder;
}

/**
 * The ladder instants for a due instant (a moved due date): reminders that still lie after
 * `notBefore` (now, or the task's opening) and the level-2 instant.
 */
export function ladderInstants(
  template: Template,
  templateTaskId: string,
  dueAt: number,
  zone: string,
  notBefore: number,
): { remindAts: number[]; level2At: number } {
  const task = template.tasks.find((t) => t.id === templateTaskId);
  if (!task) throw new PlanError(`template ${template.id} has no task "${templateTaskId}"`);
  const ladder = ladderFor(template, task);
  const due = DateTime.fromMillis(dueAt, { zone });
  const remindAts = [...new Set(ladder.remindBefore.map((d) => due.minus(duration(d)).toMillis()))]
    .filter((t) => t > notBefore && t < dueAt)
    .sort((a, b) => a - b);
  return { remindAts, level2At: due.plus(duration(ladder.level2After)).toMillis() };
}

function toPlanned(semesterId: string, collegeId: string, task: TemplateTask, ladder: Ladder, o: Occurrence): PlannedTask {
  const openAt = o.open.toMillis();
  const dueAt = o.due.toMillis();
  const remindAts = [...new Set(ladder.remindBefore.map((d) => o.due.minus(duration(d)).toMillis()))]
    .filter((t) => t > openAt && t < dueAt)
    .sort((a, b) => a - b);
  return {
    id: taskInstanceId(semesterId, collegeId, task.id, o.occurrence),
    semesterId,
    collegeId,
    templateTaskId: task.id,
    occurrence: o.occurrence,
    month: o.due.toFormat('yyyy-MM'),
    kind: task.kind,
    ownerRole: task.ownerRole,
    titleZh: task.title.zh,
    titleEn: task.title.en,
    openAt,
    dueAt,
    remindAts,
    level2At: o.due.plus(duration(ladder.level2After)).toMillis(),
  };
}

function duration(isoText: string): Duration {
  const d = Duration.fromISO(isoText);
  if (!d.isValid) throw new PlanError(`"${isoText}" is not an ISO-8601 duration`);
  return d;
}

function occurrences(sc: SchoolCalendar, template: Template, task: TemplateTask): Occurrence[] {
  const rule: DueRule = task.due;
  const fail = (msg: string): never => {
    throw new PlanError(`task "${task.id}": ${msg}`);
  };
  switch (rule.type) {
    case 'in-month': {
      const month = DateTime.fromISO(`${task.month}-01`, { zone: sc.zone }).startOf('day');
      const from = DateTime.max(month, sc.start);
      let to = DateTime.min(month.endOf('month').startOf('day'), sc.end);
      if (from > to) fail(`month ${task.month} lies outside the semester ${sc.cal.semesterStart}–${sc.cal.semesterEnd}`);
      if (rule.dueDay !== 'last') {
        const day = month.set({ day: Math.min(rule.dueDay, month.daysInMonth ?? 28) });
        to = DateTime.min(to, day);
      }
      if (rule.withinDaysOfSemesterStart) to = DateTime.min(to, sc.start.plus({ days: rule.withinDaysOfSemesterStart - 1 }));
      const open = sc.firstWorkingDay(from, to);
      const due = sc.lastWorkingDay(from, to);
      if (!open || !due) return fail(`no working day between ${iso(from)} and ${iso(to)}`);
      return [{ occurrence: null, open: sc.opening(open), due: sc.closing(due) }];
    }
    case 'weekly': {
      const last = rule.until === 'vacation-start' ? sc.day(sc.cal.vacationStart).minus({ days: 1 }) : sc.end;
      const out: Occurrence[] = [];
      let n = 0;
      for (let week = sc.start.startOf('week'); week <= last; week = week.plus({ weeks: 1 })) {
        n += 1;
        const from = DateTime.max(week, sc.start);
        const to = DateTime.min(week.plus({ days: 6 }), last);
        const open = sc.firstWorkingDay(from, to);
        const due = sc.lastWorkingDay(from, to);
        if (!open || !due) continue; // a week with no working day (whole week a holiday) has no review
        out.push({ occurrence: `week-${String(n).padStart(2, '0')}`, open: sc.opening(open), due: sc.closing(due) });
      }
      return out;
    }
    case 'before-holiday': {
      return rule.holidays.map((holidayId) => {
        let anchor: DateTime;
        if (holidayId === 'vacation') anchor = sc.day(sc.cal.vacationStart);
        else {
          const h = sc.cal.holidays.find((x) => x.id === holidayId);
          if (!h) return fail(`names holiday "${holidayId}", which the calendar does not have (it has: ${sc.cal.holidays.map((x) => x.id).join(', ') || 'none'})`);
          anchor = sc.day(h.start);
        }
        const due = sc.lastWorkingDay(sc.start, anchor.minus({ days: 1 }));
        if (!due) return fail(`no working day in the semester before "${holidayId}" (${iso(anchor)})`);
        const open = DateTime.max(sc.start, due.minus({ days: rule.opensDaysBefore }));
        return { occurrence: holidayId, open: sc.opening(open), due: sc.closing(due) };
      });
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
function resolveMonthDay(sc: SchoolCalendar, md: string): DateTime | null {
  for (let y = sc.start.year; y <= sc.end.year; y++) {
    const d = DateTime.fromISO(`${y}-${md}`, { zone: sc.zone });
    if (d.isValid && sc.inSemester(d)) return d.startOf('day');
  }
  return null;
}

/** A plan's tasks grouped by month (YYYY-MM), for previews and reports. */
export function byMonth(tasks: readonly PlannedTask[]): Map<string, PlannedTask[]> {
  const out = new Map<string, PlannedTask[]>();
  for (const t of tasks) {
    const list = out.get(t.month) ?? [];
    list.push(t);
    out.set(t.month, list);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** The same plan `ms` later (simulation on a clock that starts now). */
export function shiftPlan(plan: Plan, ms: number): Plan {
  return {
    ...plan,
    startsAt: plan.startsAt + ms,
    endsAt: plan.endsAt + ms,
    tasks: plan.tasks.map((t) => ({
      ...t,
      openAt: t.openAt + ms,
      dueAt: t.dueAt + ms,
      remindAts: t.remindAts.map((r) => r + ms),
      level2At: t.level2At + ms,
    })),
  };
}
