/**
 * The planner on real calendars (issue 12 part 6): 2024 autumn, 2025 spring, 2025 autumn and
 * 2026 spring, as the calendar builder made them from chinese-days, with every make-up working day
 * (调休) and merged holiday in them. Each expected date below was worked out by hand from the
 * State Council's notices; the comments say why.
 */
import path from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { loadCalendarFile, loadTemplateFile } from '../domain/load';
import { previewPlan, type PlannedTask } from '../domain/planner';
import type { Calendar, Template } from '../domain/schema';
import { testChecklist } from './helpers/checklists';

const ROOT = path.join(__dirname, '..');
const calendar = (id: string): Calendar => loadCalendarFile(path.join(ROOT, 'calendars', `${id}.json`)).data;
const runxin = loadTemplateFile(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json')).data;

const at = (ms: number) => DateTime.fromMillis(ms, { zone: 'Asia/Shanghai' }).toFormat("yyyy-MM-dd'T'HH:mm");
function planOf(template: Template, cal: Calendar) {
  const { plan, adjustments } = previewPlan({ semesterId: 's', template, calendar: cal, colleges: [{ id: 'c' }] });
  const all = (taskId: string) => plan.tasks.filter((x) => x.templateTaskId === taskId);
  const one = (taskId: string, occurrence: string | null = null): PlannedTask => {
    const x = all(taskId).find((y) => y.occurrence === occurrence);
    if (!x)
      throw new Error(
        `no ${taskId} ${occurrence}: has ${all(taskId)
          .map((y) => y.occurrence)
          .join(', ')}`,
      );
    return x;
  };
  /** [open, due] of one occurrence */
  const span = (taskId: string, occurrence: string | null = null) => [
    at(one(taskId, occurrence).openAt),
    at(one(taskId, occurrence).dueAt),
  ];
  const due = (taskId: string, occurrence: string | null = null) => at(one(taskId, occurrence).dueAt);
  return { plan, adjustments, all, one, span, due };
}

/** A task of the spring checklist: kind and when (the counsellor's unless `what` names another owner), title
 *  (Chinese, English) and text, due rule. */
const task = (id: string, what: object, [zh, en, textZh]: string[], due: object) => ({
  id,
  title: { zh, en },
  textZh,
  ownerRole: 'counsellor',
  due,
  ...what,
});
const LEADER = 'college_leader';
const KEY_CARE_UPDATE = ['更新重点关爱名单', 'Update the key-care list', '更新名单。'];

/** A year-free spring checklist written for these tests: week N, months, holidays by kind, exams and after. */
const spring = testChecklist('spring-test', ['春季学期测试清单', 'Spring test checklist'], {
  months: [3, 4, 5, 6].map((m) => ({
    month: m,
    keyCareGroups: [{ zh: '已列入重点关爱库的学生', en: 'Students on the key-care list' }],
  })),
  tasks: [
    task('kickoff', { kind: 'once', week: 1, ownerRole: LEADER }, ['开学部署', 'Kick-off', '开学部署。'], {
      type: 'in-week',
    }),
    task('week3-wed', { kind: 'once', week: 3 }, ['第三周周三', 'Week 3 Wednesday', '第三周。'], {
      type: 'in-week',
      dueDay: 3,
    }),
    task('weekly-review', { kind: 'weekly' }, ['周周研判', 'Weekly review', '从开学之日起每周研判。'], {
      type: 'weekly',
    }),
    ...['march', 'april', 'may', 'june'].map((m) =>
      task(`${m}-update`, { kind: 'monthly', month: m }, KEY_CARE_UPDATE, { type: 'in-month', dueDay: 'last' }),
    ),
    task('holiday-reminder', { kind: 'before-holiday' }, ['假期安全提醒', 'Holiday safety reminder', '节前提醒。'], {
      type: 'before-holiday',
      holidays: ['qingming', 'labour-day', 'mental-health-day', 'dragon-boat'],
      ifMissing: { 'mental-health-day': 'skip' },
    }),
    task('exam-duty', { kind: 'exam-week' }, ['考试周', 'Exam weeks', '考试周。'], {
      type: 'exam-week',
      opensDaysBefore: 7,
    }),
    task('pre-vacation', { kind: 'before-holiday' }, ['假前教育', 'Before the vacation', '假前教育。'], {
      type: 'before-holiday',
      holidays: ['vacation'],
    }),
    task('summary', { kind: 'once', ownerRole: LEADER }, ['学期总结', 'Summary', '考试后总结。'], {
      type: 'after-exam-weeks',
      opensDaysBefore: 7,
    }),
  ],
});

describe('2024 autumn (calendars/2024-autumn.json): Mid-Autumn 15–17 Sept, National Day 1–7 Oct, make-up days Sat 14 Sept, Sun 29 Sept, Sat 12 Oct', () => {
  const p = planOf(runxin, calendar('2024-autumn'));
  test('When the weekly review is planned, then 21 weeks from Mon 2 Sept; make-up days carry the due date, holidays push the opening', () => {
    const weeks = p.all('2024-09-06-weekly-review');
    expect(weeks).toHaveLength(21);
    expect(p.span('2024-09-06-weekly-review', 'week-01')).toEqual(['2024-09-02T08:00', '2024-09-06T17:00']);
    expect(p.due('2024-09-06-weekly-review', 'week-02')).toBe('2024-09-14T17:00'); // Sat 14 Sept is a make-up day
    expect(p.span('2024-09-06-weekly-review', 'week-03')).toEqual(['2024-09-18T08:00', '2024-09-20T17:00']); // Mon–Tue Mid-Autumn
    expect(p.due('2024-09-06-weekly-review', 'week-04')).toBe('2024-09-29T17:00'); // Sun 29 Sept make-up day
    expect(p.due('2024-09-06-weekly-review', 'week-05')).toBe('2024-09-30T17:00'); // 1–6 Oct National Day
    expect(p.span('2024-09-06-weekly-review', 'week-06')).toEqual(['2024-10-08T08:00', '2024-10-12T17:00']); // 7 Oct off, Sat 12 Oct make-up
    expect(p.due('2024-09-06-weekly-review', 'week-21')).toBe('2025-01-24T17:00');
  });
  test('When holiday reminders are planned, then Sat 14 Sept (make-up) before Mid-Autumn, Mon 30 Sept before National Day, 24 Dec before Christmas, 31 Dec before New Year; no rule was needed', () => {
    expect(p.span('2024-09-08-holiday-safety-reminder', 'mid-autumn')).toEqual([
      '2024-09-07T08:00',
      '2024-09-14T17:00',
    ]);
    expect(p.span('2024-09-08-holiday-safety-reminder', 'national-day')).toEqual([
      '2024-09-23T08:00',
      '2024-09-30T17:00',
    ]);
    expect(p.due('2024-12-05-holiday-safety-reminder', 'christmas')).toBe('2024-12-24T17:00');
    expect(p.due('2024-12-05-holiday-safety-reminder', 'new-year')).toBe('2024-12-31T17:00');
    expect(p.adjustments).toEqual([]);
  });
  test('When the exam weeks and the vacation come, then exam duties are due Fri 10 and Fri 17 Jan and the last task before the vacation (Sat 18 Jan) Fri 17 Jan', () => {
    expect(p.span('2025-01-03-exam-week-safety', 'exam-1')).toEqual(['2024-12-30T08:00', '2025-01-10T17:00']);
    expect(p.span('2025-01-03-exam-week-safety', 'exam-2')).toEqual(['2025-01-06T08:00', '2025-01-17T17:00']);
    expect(p.span('2025-01-04-pre-vacation-safety-education', 'vacation')).toEqual([
      '2025-01-10T08:00',
      '2025-01-17T17:00',
    ]);
    const beforeVacation = p.plan.tasks.filter(
      (x) => x.dueAt < DateTime.fromISO('2025-01-18', { zone: 'Asia/Shanghai' }).toMillis(),
    );
    expect(at(Math.max(...beforeVacation.map((x) => x.dueAt)))).toBe('2025-01-17T17:00');
  });
});

describe('2025 autumn (calendars/2025-autumn.json) with the 2024 checklist: National Day and Mid-Autumn merged 1–8 Oct, make-up Sun 28 Sept, Sat 11 Oct, Sun 4 Jan; New Year 1–3 Jan', () => {
  const cal = calendar('2025-autumn');
  const p = planOf(runxin, cal);
  test('When the 2024 checklist is planned on 2025 autumn, then every month lies in the semester, September 2025 to January 2026: 53 tasks for a college (2024: 54; Mid-Autumn has no reminder of its own)', () => {
    expect(p.plan.tasks).toHaveLength(53); // one holiday reminder fewer: Mid-Autumn is merged into National Day
    expect([...new Set(p.plan.tasks.map((x) => x.month))].sort()).toEqual([
      '2025-09',
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
    ]);
    expect(p.span('2024-09-01-kickoff-meeting')).toEqual(['2025-09-01T08:00', '2025-09-12T17:00']); // 14 days → Sun 14 Sept → Fri 12 Sept
    expect(p.due('2024-09-05-freshman-parents-meeting')).toBe('2025-09-19T17:00'); // 21 days → Sun 21 Sept → Fri 19 Sept
    expect(p.span('2024-10-01-update-key-care-list')).toEqual(['2025-10-09T08:00', '2025-10-31T17:00']); // 1–8 Oct off
    expect(p.span('2025-01-01-update-key-care-list')).toEqual(['2026-01-04T08:00', '2026-01-23T17:00']); // 1–3 Jan off, Sun 4 Jan make-up
  });
  test('When Mid-Autumn falls inside National Day, then one reminder is due Tue 30 Sept before the break, and the preview says the template merged it', () => {
    expect(p.all('2024-09-08-holiday-safety-reminder').map((x) => [x.occurrence, at(x.openAt), at(x.dueAt)])).toEqual([
      ['national-day', '2025-09-23T08:00', '2025-09-30T17:00'],
    ]);
    expect(p.adjustments).toEqual([
      {
        templateTaskId: '2024-09-08-holiday-safety-reminder',
        holiday: 'mid-autumn',
        situation: 'merged',
        rule: 'merge-into:national-day',
        reason:
          'holiday "mid-autumn" falls inside "national-day" (2025-10-01–2025-10-08) in this calendar: reminded once before "national-day" (2025-10-01), together with it, as the template says',
        reasonZh:
          '本学期中秋节在国庆节、中秋节（2025-10-01–2025-10-08）假期之内：按清单规则并入国庆节前的提醒（2025-10-01 前）',
      },
    ]);
  });
  test('When the weekly review is planned, then 21 weeks; Sun 28 Sept, Sat 11 Oct and Sun 4 Jan (make-up days) are due dates', () => {
    expect(p.all('2024-09-06-weekly-review')).toHaveLength(21);
    expect(p.span('2024-09-06-weekly-review', 'week-01')).toEqual(['2025-09-01T08:00', '2025-09-05T17:00']);
    expect(p.due('2024-09-06-weekly-review', 'week-04')).toBe('2025-09-28T17:00');
    expect(p.due('2024-09-06-weekly-review', 'week-05')).toBe('2025-09-30T17:00');
    expect(p.span('2024-09-06-weekly-review', 'week-06')).toEqual(['2025-10-09T08:00', '2025-10-11T17:00']);
    expect(p.span('2024-09-06-weekly-review', 'week-18')).toEqual(['2025-12-29T08:00', '2026-01-04T17:00']);
    expect(p.due('2024-09-06-weekly-review', 'week-21')).toBe('2026-01-23T17:00');
  });
  test('When Christmas (Thu) and New Year (Thu 1 – Sat 3 Jan) come, then reminders are due Wed 24 and Wed 31 Dec', () => {
    expect(p.due('2024-12-05-holiday-safety-reminder', 'christmas')).toBe('2025-12-24T17:00');
    expect(p.due('2024-12-05-holiday-safety-reminder', 'new-year')).toBe('2025-12-31T17:00');
  });
  test('When exams and the vacation come, then exam duties are due Fri 9 and Fri 16 Jan and the last task before the vacation (Sat 17 Jan) is due Fri 16 Jan', () => {
    expect(p.span('2025-01-03-exam-week-safety', 'exam-1')).toEqual(['2025-12-29T08:00', '2026-01-09T17:00']);
    expect(p.span('2025-01-03-exam-week-safety', 'exam-2')).toEqual(['2026-01-05T08:00', '2026-01-16T17:00']);
    expect(p.span('2025-01-04-pre-vacation-safety-education', 'vacation')).toEqual([
      '2026-01-09T08:00',
      '2026-01-16T17:00',
    ]);
  });
  test('When the calendar has no Christmas, then the Christmas reminder is skipped as the template says, and listed', () => {
    const noXmas = { ...cal, holidays: cal.holidays.filter((h) => h.id !== 'christmas') };
    const q = planOf(runxin, noXmas);
    expect(q.all('2024-12-05-holiday-safety-reminder').map((x) => x.occurrence)).toEqual(['new-year']);
    expect(q.adjustments.map((a) => [a.holiday, a.situation, a.rule])).toEqual([
      ['mid-autumn', 'merged', 'merge-into:national-day'],
      ['christmas', 'missing', 'skip'],
    ]);
  });
});

describe('2025 spring (calendars/2025-spring.json): Qingming 4–6 Apr, Labour Day 1–5 May with make-up Sun 27 Apr, Dragon Boat 31 May – 2 June', () => {
  const p = planOf(spring, calendar('2025-spring'));
  test('When week N tasks are planned, then week 1 is 17–21 Feb and Wednesday of week 3 is 5 Mar', () => {
    expect(p.span('kickoff')).toEqual(['2025-02-17T08:00', '2025-02-21T17:00']);
    expect(p.due('week3-wed')).toBe('2025-03-05T17:00');
  });
  test('When the weekly review is planned, then 21 weeks; the week of Sun 27 Apr (make-up) is due then, Labour Day weeks are cut', () => {
    expect(p.all('weekly-review')).toHaveLength(21);
    expect(p.due('weekly-review', 'week-07')).toBe('2025-04-03T17:00'); // 31 Mar – 6 Apr: Qingming from Fri 4 Apr
    expect(p.due('weekly-review', 'week-10')).toBe('2025-04-27T17:00');
    expect(p.due('weekly-review', 'week-11')).toBe('2025-04-30T17:00');
    expect(p.span('weekly-review', 'week-12')).toEqual(['2025-05-06T08:00', '2025-05-09T17:00']);
    expect(p.span('weekly-review', 'week-16')).toEqual(['2025-06-03T08:00', '2025-06-06T17:00']); // Mon 2 June Dragon Boat
  });
  test('When holiday reminders are planned, then Thu 3 Apr, Wed 30 Apr, Fri 23 May (before the 5·25 day, a Sunday) and Fri 30 May', () => {
    expect(p.all('holiday-reminder').map((x) => [x.occurrence, at(x.dueAt)])).toEqual([
      ['qingming', '2025-04-03T17:00'],
      ['labour-day', '2025-04-30T17:00'],
      ['mental-health-day', '2025-05-23T17:00'],
      ['dragon-boat', '2025-05-30T17:00'],
    ]);
    expect(p.adjustments).toEqual([]);
  });
  test('When the months are planned, then May opens Tue 6 May and is due Fri 30 May; June opens Tue 3 June and is due Mon 30 June', () => {
    expect(p.span('april-update')).toEqual(['2025-04-01T08:00', '2025-04-30T17:00']);
    expect(p.span('may-update')).toEqual(['2025-05-06T08:00', '2025-05-30T17:00']);
    expect(p.span('june-update')).toEqual(['2025-06-03T08:00', '2025-06-30T17:00']);
  });
  test('When the exam weeks and the vacation come, then exam duties are due Fri 27 June and Fri 4 July, the last task before the vacation (Sat 5 July) Fri 4 July, and the summary Mon 7 July', () => {
    expect(p.due('exam-duty', 'exam-1')).toBe('2025-06-27T17:00');
    expect(p.due('exam-duty', 'exam-2')).toBe('2025-07-04T17:00');
    expect(p.span('pre-vacation', 'vacation')).toEqual(['2025-06-27T08:00', '2025-07-04T17:00']);
    expect(p.span('summary')).toEqual(['2025-06-30T08:00', '2025-07-07T17:00']);
  });
});

describe('2026 spring (calendars/2026-spring.json): Qingming 4–6 Apr, Labour Day 1–5 May with make-up Sat 9 May, Dragon Boat 19–21 June', () => {
  const p = planOf(spring, calendar('2026-spring'));
  test('When week N tasks are planned, then week 1 is 2–6 Mar and Wednesday of week 3 is 18 Mar', () => {
    expect(p.span('kickoff')).toEqual(['2026-03-02T08:00', '2026-03-06T17:00']);
    expect(p.due('week3-wed')).toBe('2026-03-18T17:00');
  });
  test('When the weekly review is planned, then 19 weeks; Sat 9 May (make-up) is a due date and Qingming Monday moves an opening', () => {
    expect(p.all('weekly-review')).toHaveLength(19);
    expect(p.span('weekly-review', 'week-06')).toEqual(['2026-04-07T08:00', '2026-04-10T17:00']);
    expect(p.due('weekly-review', 'week-09')).toBe('2026-04-30T17:00');
    expect(p.span('weekly-review', 'week-10')).toEqual(['2026-05-06T08:00', '2026-05-09T17:00']);
    expect(p.due('weekly-review', 'week-16')).toBe('2026-06-18T17:00');
  });
  test('When holiday reminders are planned, then Fri 3 Apr, Thu 30 Apr, Fri 22 May (5·25 is a Monday) and Thu 18 June', () => {
    expect(p.all('holiday-reminder').map((x) => [x.occurrence, at(x.dueAt)])).toEqual([
      ['qingming', '2026-04-03T17:00'],
      ['labour-day', '2026-04-30T17:00'],
      ['mental-health-day', '2026-05-22T17:00'],
      ['dragon-boat', '2026-06-18T17:00'],
    ]);
  });
  test('When the months are planned, then March opens on the first day, May opens Wed 6 May and is due Fri 29 May', () => {
    expect(p.span('march-update')).toEqual(['2026-03-02T08:00', '2026-03-31T17:00']);
    expect(p.span('may-update')).toEqual(['2026-05-06T08:00', '2026-05-29T17:00']);
  });
  test('When the exam weeks and the vacation come, then exam duties Fri 26 June and Fri 3 July, the last task before the vacation (Sat 4 July) Fri 3 July, the summary Mon 6 July', () => {
    expect(p.due('exam-duty', 'exam-1')).toBe('2026-06-26T17:00');
    expect(p.due('exam-duty', 'exam-2')).toBe('2026-07-03T17:00');
    expect(p.due('pre-vacation', 'vacation')).toBe('2026-07-03T17:00');
    expect(p.due('summary')).toBe('2026-07-06T17:00');
  });
  test('When the calendar lacks the 5·25 day, then its reminder is skipped and listed; the autumn checklist refuses a spring semester naming September', () => {
    const cal = calendar('2026-spring');
    const q = planOf(spring, { ...cal, holidays: cal.holidays.filter((h) => h.id !== 'mental-health-day') });
    expect(q.all('holiday-reminder').map((x) => x.occurrence)).toEqual(['qingming', 'labour-day', 'dragon-boat']);
    expect(q.adjustments.map((a) => [a.holiday, a.situation, a.rule])).toEqual([
      ['mental-health-day', 'missing', 'skip'],
    ]);
    expect(() => planOf(runxin, cal)).toThrow(
      'task "2024-09-01-kickoff-meeting": month 9 (September) lies outside the semester 2026-03-02–2026-07-10',
    );
  });
});
