/**
 * The pure planner: template × calendar × colleges → dated task plan.
 * Every instant is computed here with luxon in the school's zone; workflows receive
 * epoch milliseconds and only sleep and wait.
 */
import { DateTime } from 'luxon';
import type { PlannedTask } from '../contracts/checklist';
import { CalendarError, calendarProblems, SchoolCalendar } from './calendar';
import { type Calendar, type Ladder, type Template, type TemplateTask } from './schema';

import { PlanError, type Occurrence, type Plan, type PlanAdjustment } from './planner/model';
import { duration, occurrences } from './planner/occurrences';

// the planner's parts (issue 13: files under 300 lines); this module stays the entry
export { PlanError, type Plan, type PlanAdjustment } from './planner/model';
export { keyCareMonths, monthInSemester } from './planner/occurrences';

export type { PlannedTask } from '../contracts/checklist';

export function taskInstanceId(
  semesterId: string,
  collegeId: string,
  templateTaskId: string,
  occurrence: string | null,
): string {
  return ['task', semesterId, collegeId, templateTaskId, ...(occurrence ? [occurrence] : [])].join('.');
}

export interface PlanInput {
  semesterId: string;
  template: Template;
  calendar: Calendar;
  colleges: ReadonlyArray<{ id: string }>;
}

export function planSemester(input: PlanInput): Plan {
  return previewPlan(input).plan;
}

/** The plan and every task that a missing or merged holiday changed, with the reason (the plan preview). */
export function previewPlan(input: PlanInput): { plan: Plan; adjustments: PlanAdjustment[] } {
  const { semesterId, template, calendar, colleges } = input;
  const problems = calendarProblems(calendar);
  if (problems.length) throw new CalendarError(problems);
  const sc = new SchoolCalendar(calendar);

  const adjustments: PlanAdjustment[] = [];
  const perTask = template.tasks.map((task) => ({
    task,
    ladder: ladderFor(template, task),
    occ: occurrences(sc, template, task, adjustments),
  }));
  const tasks: PlannedTask[] = [];
  for (const college of colleges) {
    for (const { task, ladder, occ } of perTask) {
      for (const o of occ) tasks.push(toPlanned(semesterId, college.id, task, ladder, o));
    }
  }
  tasks.sort((a, b) => a.openAt - b.openAt || a.dueAt - b.dueAt || a.id.localeCompare(b.id));
  const plan = {
    semesterId,
    timezone: calendar.timezone,
    startsAt: sc.start.toMillis(),
    endsAt: sc.end.endOf('day').toMillis(),
    tasks,
  };
  return { plan, adjustments };
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

function toPlanned(
  semesterId: string,
  collegeId: string,
  task: TemplateTask,
  ladder: Ladder,
  o: Occurrence,
): PlannedTask {
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
