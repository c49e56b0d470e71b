/**
 * Roll forward (issue 12 part 4): last year's semester (its template version and its calendar) and a
 * new calendar are both planned, and the dated tasks are put side by side, task by task and
 * occurrence by occurrence (the template task id and its occurrence key: week-03, national-day,
 * exam-1, … are the same in every year). Each row says why the date moved (same month, same week of
 * the semester, the holiday moved, the exam weeks moved, …, and when the new date is a make-up
 * working day or last year's day is a day off this year), and flags what needs a decision: a holiday
 * this calendar lacks or has merged into another (the preview's adjustments, decided by the
 * template's rule), a date on a day off. This file holds the rows; roll-forward.ts loads and stores.
 */
import { DateTime as DT } from 'luxon';
import { SchoolCalendar } from '../../../../domain/calendar';
import { dueRuleWords } from '../../../../domain/checklist-xlsx';
import { previewPlan, type PlanAdjustment, type PlannedTask } from '../../../../domain/planner';
import {
  HOLIDAY_KIND_NAMES,
  type Calendar,
  type CollegeRole,
  type Template,
  type TemplateTask,
} from '../../../../domain/schema';
import { t } from '../../../platform/i18n';

export interface RollDate {
  /** local date and time, YYYY-MM-DD HH:mm */
  open: string;
  due: string;
  /** the due day's weekday, 1 = Monday */
  weekday: number;
}
export type WhyCode =
  | 'same-month'
  | 'same-week'
  | 'holiday-moved'
  | 'exam-weeks-moved'
  | 'after-exam-weeks'
  | 'same-day'
  | 'new'
  | 'dropped';
export interface RollFlag {
  code: 'holiday-missing' | 'holiday-merged' | 'day-off';
  zh: string;
  en: string;
}
export interface RollRow {
  templateTaskId: string;
  occurrence: string | null;
  title: { zh: string; en: string };
  ownerRole: CollegeRole;
  /** the due rule in words (as the xlsx writes it) */
  rule: string;
  old: RollDate | null;
  new: RollDate | null;
  why: { code: WhyCode; zh: string; en: string };
  flags: RollFlag[];
}
export interface RollForwardPreview {
  from: { semesterId: string; templateId: string; templateVersion: number; calendarId: string };
  to: { templateId: string; templateVersion: number; calendarId: string };
  rows: RollRow[];
  /** the new calendar's missing or merged holidays, as the plan preview lists them */
  adjustments: PlanAdjustment[];
  /** rows with at least one flag */
  flagged: number;
}

const holidayZh = (kind: string) => HOLIDAY_KIND_NAMES[kind]?.zh ?? kind;
const holidayEn = (kind: string) => HOLIDAY_KIND_NAMES[kind]?.en ?? kind;

function dated(p: PlannedTask, zone: string): RollDate {
  const due = DT.fromMillis(p.dueAt, { zone });
  return {
    open: DT.fromMillis(p.openAt, { zone }).toFormat('yyyy-MM-dd HH:mm'),
    due: due.toFormat('yyyy-MM-dd HH:mm'),
    weekday: due.weekday,
  };
}

/** The start of a holiday (by kind, id or `also`) in a calendar, or the vacation start. */
function holidayStart(cal: Calendar, ref: string): string | undefined {
  if (ref === 'vacation') return cal.vacationStart;
  return cal.holidays.find((h) => h.id === ref || h.kind === ref || (h.also ?? []).includes(ref))?.start;
}

/** Why a dated occurrence moved from last year's date to this year's, by its rule. */
function whyMoved(
  task: TemplateTask,
  occurrence: string | null,
  oldCal: Calendar,
  newCal: Calendar,
): { code: WhyCode; zh: string; en: string } {
  const rule = task.due;
  switch (rule.type) {
    case 'in-month':
      return {
        code: 'same-month',
        zh: `同在 ${task.month} 月，按规则 ${dueRuleWords(rule)}`,
        en: `same month (${task.month}), by its rule`,
      };
    case 'in-week':
      return {
        code: 'same-week',
        zh: `同为学期第 ${task.week} 周，按规则 ${dueRuleWords(rule)}`,
        en: `same week of the semester (${task.week}), by its rule`,
      };
    case 'weekly': {
      const n = Number(/^week-(\d+)$/.exec(occurrence ?? '')?.[1] ?? NaN);
      return {
        code: 'same-week',
        zh: `同为学期第 ${n} 周，该周最后一个工作日`,
        en: `same week of the semester (${n}), its last working day`,
      };
    }
    case 'before-holiday': {
      const ref = occurrence ?? rule.holidays[0]!;
      const a = holidayStart(oldCal, ref);
      const b = holidayStart(newCal, ref);
      const name = ref === 'vacation' ? '放假' : holidayZh(ref);
      return {
        code: 'holiday-moved',
        zh: `${name}从 ${a ?? '?'} 变为 ${b ?? '?'}，节前最后一个工作日`,
        en: `${ref === 'vacation' ? 'the vacation' : holidayEn(ref)} moved from ${a ?? '?'} to ${b ?? '?'}: the working day before it`,
      };
    }
    case 'exam-week': {
      const i = Number(/^exam-(\d+)$/.exec(occurrence ?? '')?.[1] ?? 1) - 1;
      const a = oldCal.examWeeks[i];
      const b = newCal.examWeeks[i];
      return {
        code: 'exam-weeks-moved',
        zh: `第 ${i + 1} 个考试周从 ${a?.start ?? '?'} 变为 ${b?.start ?? '?'}，考试周最后一个工作日`,
        en: `exam week ${i + 1} moved from ${a?.start ?? '?'} to ${b?.start ?? '?'}: its last working day`,
      };
    }
    case 'after-exam-weeks': {
      const a = oldCal.examWeeks
        .map((w) => w.end)
        .sort()
        .at(-1);
      const b = newCal.examWeeks
        .map((w) => w.end)
        .sort()
        .at(-1);
      return {
        code: 'after-exam-weeks',
        zh: `考试周结束从 ${a ?? '?'} 变为 ${b ?? '?'}，之后第一个工作日`,
        en: `the exam weeks end ${b ?? '?'} (was ${a ?? '?'}): the first working day after`,
      };
    }
    case 'campaign-phase':
      return { code: 'same-day', zh: '同一日期（月-日）', en: 'the same month-day' };
  }
}

/** The two plans side by side. Throws the planner's error when the template cannot be dated on the new calendar. */
export function rollForwardRows(input: {
  oldTemplate: Template;
  oldCalendar: Calendar;
  newTemplate: Template;
  newCalendar: Calendar;
}): {
  rows: RollRow[];
  adjustments: PlanAdjustment[];
} {
  const { oldTemplate, oldCalendar, newTemplate, newCalendar } = input;
  const college = [{ id: 'x' }];
  const oldPlan = previewPlan({ semesterId: 'old', template: oldTemplate, calendar: oldCalendar, colleges: college });
  const newPlan = previewPlan({ semesterId: 'new', template: newTemplate, calendar: newCalendar, colleges: college });
  const key = (p: { templateTaskId: string; occurrence: string | null }) => `${p.templateTaskId}/${p.occurrence ?? ''}`;
  const olds = new Map(oldPlan.plan.tasks.map((p) => [key(p), p]));
  const news = new Map(newPlan.plan.tasks.map((p) => [key(p), p]));
  const sc = new SchoolCalendar(newCalendar);
  const years = Math.round(
    DT.fromISO(newCalendar.semesterStart).diff(DT.fromISO(oldCalendar.semesterStart), 'years').years,
  );
  const rows: Array<RollRow & { sortAt: number }> = [];
  for (const k of new Set([...news.keys(), ...olds.keys()])) {
    const o = olds.get(k);
    const n = news.get(k);
    const p = (n ?? o)!;
    const task = (n ? newTemplate : oldTemplate).tasks.find((x) => x.id === p.templateTaskId)!;
    const flags: RollFlag[] = [];
    let why: RollRow['why'];
    if (!o) why = { code: 'new', zh: '今年新增（去年没有这一次）', en: 'new this year (no such occurrence last year)' };
    else if (!n) why = { code: 'dropped', zh: '今年没有这一次', en: 'not in this year’s plan' };
    else {
      why = whyMoved(task, p.occurrence, oldCalendar, newCalendar);
      const due = DT.fromMillis(n.dueAt, { zone: newCalendar.timezone }).startOf('day');
      const notes: Array<[string, string]> = [];
      if (due.weekday >= 6 && newCalendar.makeupWorkdays.includes(due.toISODate()!))
        notes.push([`${due.toISODate()} 是调休上班日`, `${due.toISODate()} is a make-up working day`]);
      // last year's day, a year on, inside a holiday: why a month (or fixed-day) task moved
      if (years !== 0 && (task.due.type === 'in-month' || task.due.type === 'campaign-phase')) {
        const sameDay = DT.fromMillis(o.dueAt, { zone: oldCalendar.timezone }).startOf('day').plus({ years });
        const day = sameDay.toISODate()!;
        const holiday = newCalendar.holidays.find((h) => h.dayOff && h.start <= day && day <= h.end);
        if (day !== due.toISODate() && holiday)
          notes.push([
            `去年同日 ${day} 今年在${holiday.name.zh}假期中`,
            `last year's day, ${day}, is in the ${holiday.name.en} holiday this year`,
          ]);
      }
      if (notes.length)
        why = {
          ...why,
          zh: `${why.zh}；${notes.map((x) => x[0]).join('；')}`,
          en: `${why.en}; ${notes.map((x) => x[1]).join('; ')}`,
        };
    }
    // the holiday reminders a missing or merged holiday changed
    for (const a of newPlan.adjustments) {
      if (a.templateTaskId !== p.templateTaskId) continue;
      const target = a.rule.startsWith('merge-into:') ? a.rule.slice('merge-into:'.length) : undefined;
      if (p.occurrence === a.holiday || (n && target !== undefined && p.occurrence === target)) {
        flags.push({
          code: a.situation === 'missing' ? 'holiday-missing' : 'holiday-merged',
          zh: a.reasonZh,
          en: a.reason,
        });
      }
    }
    if (n) {
      for (const [what, at] of [
        ['开始', n.openAt],
        ['截止', n.dueAt],
      ] as const) {
        const d = DT.fromMillis(at, { zone: newCalendar.timezone });
        if (!sc.isWorkingDay(d))
          flags.push({
            code: 'day-off',
            zh: `${what}日 ${d.toISODate()}（星期${t('zh-CN').codes.weekdays[d.weekday]}）是休息日`,
            en: `${what === '开始' ? 'opens' : 'due'} on ${d.toISODate()} (${t('en').codes.weekdays[d.weekday]}), a day off`,
          });
      }
    }
    rows.push({
      templateTaskId: p.templateTaskId,
      occurrence: p.occurrence,
      title: { zh: task.title.zh, en: task.title.en },
      ownerRole: task.ownerRole,
      rule: task.due.type === 'campaign-phase' ? 'campaign-phase' : dueRuleWords(task.due),
      old: o ? dated(o, oldCalendar.timezone) : null,
      new: n ? dated(n, newCalendar.timezone) : null,
      why,
      flags,
      sortAt: n ? n.dueAt - newPlan.plan.startsAt : o!.dueAt - oldPlan.plan.startsAt,
    });
  }
  rows.sort(
    (a, b) =>
      a.sortAt - b.sortAt ||
      a.templateTaskId.localeCompare(b.templateTaskId) ||
      (a.occurrence ?? '').localeCompare(b.occurrence ?? ''),
  );
  return { rows: rows.map(({ sortAt: _s, ...r }) => r), adjustments: newPlan.adjustments };
}
