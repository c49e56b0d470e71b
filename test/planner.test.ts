import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { CalendarError } from '../domain/calendar';
import { DataFileError, parseCalendar, parseTemplate } from '../domain/load';
import { PlanError, planSemester, previewPlan, type PlannedTask } from '../domain/planner';
import { calendarSchema, templateSchema, type Calendar } from '../domain/schema';
import { testChecklist } from './helpers/checklists';

const ZONE = 'Asia/Shanghai';

const calendar2024: Calendar = calendarSchema.parse({
  id: '2024-autumn',
  name: { zh: '2024 秋季学期', en: 'Autumn 2024' },
  timezone: ZONE,
  semesterStart: '2024-09-02',
  semesterEnd: '2025-01-24',
  vacationStart: '2025-01-18',
  examWeeks: [
    { start: '2025-01-06', end: '2025-01-10' },
    { start: '2025-01-13', end: '2025-01-17' },
  ],
  holidays: [
    { id: 'mid-autumn', name: { zh: '中秋节', en: 'Mid-Autumn' }, start: '2024-09-15', end: '2024-09-17' },
    { id: 'national-day', name: { zh: '国庆节', en: 'National Day' }, start: '2024-10-01', end: '2024-10-07' },
    { id: 'christmas', name: { zh: '圣诞节', en: 'Christmas' }, start: '2024-12-25', end: '2024-12-25', dayOff: false },
    { id: 'new-year', name: { zh: '元旦', en: "New Year's Day" }, start: '2025-01-01', end: '2025-01-01' },
  ],
  makeupWorkdays: ['2024-09-14', '2024-09-29', '2024-10-12'],
});

const t = (id: string, extra: Record<string, unknown>) => ({
  id,
  kind: 'once',
  title: { zh: id, en: id },
  textZh: '内容',
  ownerRole: 'counsellor',
  ...extra,
});

const template = testChecklist('test-template', ['测试', 'Test'], {
  phases: [
    { id: 'preparation', name: { zh: '准备阶段', en: 'Preparation' }, start: '12-01', end: '12-05' },
    { id: 'implementation', name: { zh: '实施阶段', en: 'Implementation' }, start: '12-06', end: '12-24' },
    { id: 'summary', name: { zh: '总结阶段', en: 'Summary' }, start: '12-25', end: '12-28' },
  ],
  tasks: [
    t('kickoff', { month: 'september', due: { type: 'in-month', dueDay: 'last', withinDaysOfSemesterStart: 14 } }),
    t('oct-update', { month: 10, kind: 'monthly', due: { type: 'in-month', dueDay: 'last' } }),
    t('jan-summary', { month: '1月', due: { type: 'in-month', dueDay: 'last' } }),
    t('weekly-review', { kind: 'weekly', due: { type: 'weekly' } }),
    t('holiday-reminder', {
      kind: 'before-holiday',
      due: { type: 'before-holiday', holidays: ['mid-autumn', 'national-day', 'christmas', 'new-year', 'vacation'] },
    }),
    t('exam-duty', { kind: 'exam-week', due: { type: 'exam-week', opensDaysBefore: 7 } }),
    t('prep', { kind: 'campaign-phase', due: { type: 'campaign-phase', phase: 'preparation' } }),
    t('impl', { kind: 'campaign-phase', due: { type: 'campaign-phase', phase: 'implementation' } }),
    t('sum', { kind: 'campaign-phase', due: { type: 'campaign-phase', phase: 'summary' } }),
    t('submit', { kind: 'campaign-phase', due: { type: 'campaign-phase', opens: '12-06', due: '12-26' } }),
  ],
});

const plan = planSemester({
  semesterId: 's1',
  template,
  calendar: calendar2024,
  colleges: [{ id: 'c1' }, { id: 'c2' }],
});
const local = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE });
const localText = (ms: number) => local(ms).toFormat("yyyy-MM-dd'T'HH:mm");
const of = (templateTaskId: string, collegeId = 'c1'): PlannedTask[] =>
  plan.tasks.filter((x) => x.templateTaskId === templateTaskId && x.collegeId === collegeId);
const one = (templateTaskId: string, occurrence: string | null = null): PlannedTask => {
  const found = of(templateTaskId).find((x) => x.occurrence === occurrence);
  if (!found) throw new Error(`no ${templateTaskId}/${occurrence}`);
  return found;
};

describe('planner: holiday reminders', () => {
  test('When Mid-Autumn starts on a Sunday after a make-up Saturday, then the reminder is due that Saturday', () => {
    // 2024-09-14 is a Saturday and a make-up working day (调休): it counts as a working day.
    expect(localText(one('holiday-reminder', 'mid-autumn').dueAt)).toBe('2024-09-14T17:00');
  });
  test('When National Day starts on a Tuesday, then the reminder is due the Monday before', () => {
    expect(localText(one('holiday-reminder', 'national-day').dueAt)).toBe('2024-09-30T17:00');
  });
  test('When Christmas (a working day) and New Year come, then each is reminded on the last working day before', () => {
    expect(localText(one('holiday-reminder', 'christmas').dueAt)).toBe('2024-12-24T17:00');
    expect(localText(one('holiday-reminder', 'new-year').dueAt)).toBe('2024-12-31T17:00');
  });
  test('When the vacation starts on a Saturday, then pre-vacation education is due the Friday before', () => {
    expect(localText(one('holiday-reminder', 'vacation').dueAt)).toBe('2025-01-17T17:00');
  });
  test('When a reminder opens, then it opens seven days before its due day at the start of work', () => {
    expect(localText(one('holiday-reminder', 'national-day').openAt)).toBe('2024-09-23T08:00');
    // clamped to the semester start
    expect(localText(one('holiday-reminder', 'mid-autumn').openAt)).toBe('2024-09-07T08:00');
  });
  test('When a template names a holiday the calendar lacks, then planning fails naming the task and holiday', () => {
    const bad = templateSchema.parse({
      ...template,
      tasks: [t('x', { due: { type: 'before-holiday', holidays: ['dragon-boat'] } })],
    });
    expect(() =>
      planSemester({ semesterId: 's', template: bad, calendar: calendar2024, colleges: [{ id: 'c' }] }),
    ).toThrow(/task "x": names holiday "dragon-boat"/);
  });
});

describe('planner: a holiday the semester lacks or has merged into another', () => {
  // as in 2025: Mid-Autumn (6 Oct) falls inside the National Day break, which the calendar says with `also`
  const merged: Calendar = {
    ...calendar2024,
    holidays: calendar2024.holidays
      .filter((h) => h.id !== 'mid-autumn')
      .map((h) => (h.id === 'national-day' ? { ...h, also: ['mid-autumn'] } : h)),
    makeupWorkdays: ['2024-09-29', '2024-10-12'],
  };
  const reminder = (ifMissing?: Record<string, string>, holidays = ['mid-autumn', 'national-day']) =>
    templateSchema.parse({
      ...template,
      tasks: [
        t('r', {
          kind: 'before-holiday',
          due: { type: 'before-holiday', holidays, ...(ifMissing ? { ifMissing } : {}) },
        }),
      ],
    });
  const dates = (p: ReturnType<typeof previewPlan>) => p.plan.tasks.map((x) => [x.occurrence, localText(x.dueAt)]);

  test('When Mid-Autumn is merged into National Day and the rule says merge-into, then one reminder is due before National Day and the preview says why', () => {
    const p = previewPlan({
      semesterId: 's',
      template: reminder({ 'mid-autumn': 'merge-into:national-day' }),
      calendar: merged,
      colleges: [{ id: 'c' }],
    });
    expect(dates(p)).toEqual([['national-day', '2024-09-30T17:00']]);
    expect(p.adjustments).toEqual([
      expect.objectContaining({
        templateTaskId: 'r',
        holiday: 'mid-autumn',
        situation: 'merged',
        rule: 'merge-into:national-day',
      }),
    ]);
    expect(p.adjustments[0]!.reason).toBe(
      'holiday "mid-autumn" falls inside "national-day" (2024-10-01–2024-10-07) in this calendar: reminded once before "national-day" (2024-10-01), together with it, as the template says',
    );
    expect(p.adjustments[0]!.reasonZh).toBe(
      '本学期中秋节在国庆节（2024-10-01–2024-10-07）假期之内：按清单规则并入国庆节前的提醒（2024-10-01 前）',
    );
  });
  test("When a merged holiday is to be merged into one the task does not name, then the reminder takes that holiday's key", () => {
    const p = previewPlan({
      semesterId: 's',
      template: reminder({ 'mid-autumn': 'merge-into:national-day' }, ['mid-autumn']),
      calendar: merged,
      colleges: [{ id: 'c' }],
    });
    expect(dates(p)).toEqual([['national-day', '2024-09-30T17:00']]);
    expect(p.adjustments[0]!.reason).not.toContain('together with it');
  });
  test('When the rule says skip, then the merged holiday has no reminder and the preview lists it', () => {
    const p = previewPlan({
      semesterId: 's',
      template: reminder({ 'mid-autumn': 'skip' }),
      calendar: merged,
      colleges: [{ id: 'c' }],
    });
    expect(dates(p)).toEqual([['national-day', '2024-09-30T17:00']]);
    expect(p.adjustments.map((a) => [a.holiday, a.situation, a.rule])).toEqual([['mid-autumn', 'merged', 'skip']]);
  });
  test('When a holiday is missing and the rule says skip, then there is no reminder for it and the preview says it is missing', () => {
    const p = previewPlan({
      semesterId: 's',
      template: reminder({ 'dragon-boat': 'skip' }, ['dragon-boat', 'new-year']),
      calendar: calendar2024,
      colleges: [{ id: 'c' }],
    });
    expect(dates(p)).toEqual([['new-year', '2024-12-31T17:00']]);
    expect(p.adjustments.map((a) => [a.holiday, a.situation, a.rule])).toEqual([['dragon-boat', 'missing', 'skip']]);
    expect(p.adjustments[0]!.reason).toMatch(/^names holiday "dragon-boat", which the calendar does not have/);
  });
  test('When a merged holiday has no rule, then planning fails naming the task, both holidays and the rules to choose from', () => {
    expect(() =>
      planSemester({ semesterId: 's', template: reminder(), calendar: merged, colleges: [{ id: 'c' }] }),
    ).toThrow(
      'task "r": holiday "mid-autumn" falls inside "national-day" (2024-10-01–2024-10-07) in this calendar: choose a rule in the template, ifMissing { "mid-autumn": "skip" or "merge-into:national-day" }',
    );
  });
  test('When a rule merges into a holiday the calendar lacks too, then planning fails naming it', () => {
    expect(() =>
      planSemester({
        semesterId: 's',
        template: reminder({ 'mid-autumn': 'merge-into:dragon-boat' }),
        calendar: merged,
        colleges: [{ id: 'c' }],
      }),
    ).toThrow(
      /task "r": holiday "mid-autumn" falls inside .*, and its rule merge-into:dragon-boat names a holiday this calendar does not have either/,
    );
  });
  test('When a rule is neither skip nor merge-into, then the checklist is refused naming the field', () => {
    const bad = {
      ...template,
      tasks: [
        t('r', { due: { type: 'before-holiday', holidays: ['mid-autumn'], ifMissing: { 'mid-autumn': 'ignore' } } }),
      ],
    };
    expect(() => parseTemplate('t.json', JSON.stringify(bad))).toThrow(
      /^t\.json: tasks\[0\]\.due\.ifMissing\.mid-autumn: must be "skip" or "merge-into:<holiday kind>"/,
    );
  });
  test('When a calendar holiday has a kind, then the task names it by kind, not by the id', () => {
    const cal: Calendar = {
      ...calendar2024,
      holidays: calendar2024.holidays.map((h) =>
        h.id === 'national-day' ? { ...h, id: 'guoqing-2024', kind: 'national-day' } : h,
      ),
    };
    const p = previewPlan({
      semesterId: 's',
      template: reminder(undefined, ['national-day']),
      calendar: cal,
      colleges: [{ id: 'c' }],
    });
    expect(dates(p)).toEqual([['national-day', '2024-09-30T17:00']]);
  });
});

describe('planner: week N of the semester and the first working day after the exam weeks', () => {
  const one1 = (task: Record<string, unknown>, cal: Calendar = calendar2024) =>
    planSemester({
      semesterId: 's',
      template: templateSchema.parse({ ...template, tasks: [t('x', task)] }),
      calendar: cal,
      colleges: [{ id: 'c' }],
    }).tasks[0]!;
  test("When a task is due in week 3, then it runs over the working days of the semester's third week (Mid-Autumn Mon–Tue off)", () => {
    const x = one1({ week: 3, due: { type: 'in-week' } });
    expect([localText(x.openAt), localText(x.dueAt), x.month, x.occurrence]).toEqual([
      '2024-09-18T08:00',
      '2024-09-20T17:00',
      '2024-09',
      null,
    ]);
  });
  test('When a task is due on Wednesday of week 5, then it is due Wednesday unless that is a holiday, else the working day before', () => {
    expect(localText(one1({ week: 2, due: { type: 'in-week', dueDay: 3 } }).dueAt)).toBe('2024-09-11T17:00');
    // week 5 is 30 Sept – 6 Oct: Wednesday 2 Oct is National Day, Monday 30 Sept the last working day before it
    expect(localText(one1({ week: 5, due: { type: 'in-week', dueDay: 3 } }).dueAt)).toBe('2024-09-30T17:00');
  });
  test('When week N lies after the semester, or the task has no week, then it is refused naming the task', () => {
    expect(() => one1({ week: 23, due: { type: 'in-week' } })).toThrow(
      /^task "x": week 23 lies after the semester's end 2025-01-24$/,
    );
    expect(() =>
      parseTemplate('t.json', JSON.stringify({ ...template, tasks: [t('x', { due: { type: 'in-week' } })] })),
    ).toThrow(/tasks\[0\]\.week: an in-week task needs its week of the semester/);
    expect(() =>
      parseTemplate(
        't.json',
        JSON.stringify({ ...template, tasks: [t('x', { month: 9, week: 2, due: { type: 'in-week' } })] }),
      ),
    ).toThrow(/tasks\[0\]\.week: a task belongs to a month or to a week of the semester, not both/);
  });
  test('When a task is due after the exam weeks, then it is due on the first working day after the last one (Mon 20 Jan 2025)', () => {
    const x = one1({ due: { type: 'after-exam-weeks', opensDaysBefore: 3 } });
    expect([localText(x.openAt), localText(x.dueAt)]).toEqual(['2025-01-17T08:00', '2025-01-20T17:00']);
    expect(() => one1({ due: { type: 'after-exam-weeks' } }, { ...calendar2024, examWeeks: [] })).toThrow(
      /task "x": is due after the exam weeks but the calendar has no exam weeks/,
    );
    expect(() => one1({ due: { type: 'after-exam-weeks' } }, { ...calendar2024, semesterEnd: '2025-01-19' })).toThrow(
      /task "x": no working day between the last exam week \(ending 2025-01-17\) and the semester end 2025-01-19/,
    );
  });
});

describe('planner: weekly review', () => {
  const weeks = of('weekly-review');
  test('When the semester runs 2 Sept – 24 Jan, then there is one review in each of its 21 weeks', () => {
    expect(weeks).toHaveLength(21);
    expect(weeks.map((w) => w.occurrence)).toEqual(
      Array.from({ length: 21 }, (_, i) => `week-${String(i + 1).padStart(2, '0')}`),
    );
    const weekStarts = weeks.map((w) => local(w.dueAt).startOf('week').toISODate());
    expect(new Set(weekStarts).size).toBe(21);
    expect(weekStarts[0]).toBe('2024-09-02');
    expect(weekStarts[20]).toBe('2025-01-20');
  });
  test('When a week is ordinary, then the review opens Monday 08:00 and is due Friday 17:00', () => {
    const w = weeks[1]!;
    expect([localText(w.openAt), localText(w.dueAt)]).toEqual(['2024-09-09T08:00', '2024-09-14T17:00']); // Sat 14 is a make-up day
    expect([localText(weeks[6]!.openAt), localText(weeks[6]!.dueAt)]).toEqual(['2024-10-14T08:00', '2024-10-18T17:00']);
    // Sun 29 Sept is a make-up working day, so that week's review is due then
    expect(localText(weeks[3]!.dueAt)).toBe('2024-09-29T17:00');
    // the week of Mid-Autumn opens on the first working day after it
    expect(localText(weeks[2]!.openAt)).toBe('2024-09-18T08:00');
  });
  test('When National Day takes most of a week, then the review is due on its last working day', () => {
    const w = weeks.find((x) => local(x.dueAt).toISODate()?.startsWith('2024-09-30') || x.occurrence === 'week-05')!;
    expect(localText(w.dueAt)).toBe('2024-09-30T17:00');
    expect(localText(weeks[5]!.openAt)).toBe('2024-10-08T08:00');
    expect(localText(weeks[5]!.dueAt)).toBe('2024-10-12T17:00'); // Sat 12 Oct, make-up day
  });
  test('When every review is dated, then each lies inside the semester with open before due', () => {
    for (const w of weeks) {
      expect(w.openAt).toBeGreaterThanOrEqual(plan.startsAt);
      expect(w.dueAt).toBeLessThanOrEqual(plan.endsAt);
      expect(w.openAt).toBeLessThan(w.dueAt);
    }
  });
});

describe('planner: exam weeks and month-bound tasks', () => {
  test('When there are two exam weeks, then each exam-week duty is due inside its exam week', () => {
    const exam = of('exam-duty');
    expect(exam.map((e) => e.occurrence)).toEqual(['exam-1', 'exam-2']);
    expect(localText(exam[0]!.dueAt)).toBe('2025-01-10T17:00');
    expect(localText(exam[1]!.dueAt)).toBe('2025-01-17T17:00');
    calendar2024.examWeeks.forEach((w, i) => {
      const due = local(exam[i]!.dueAt).toISODate()!;
      expect(due >= w.start && due <= w.end).toBe(true);
    });
    expect(localText(exam[0]!.openAt)).toBe('2024-12-30T08:00');
  });
  test('When a task belongs to a month, then it opens and falls due inside that month and the semester', () => {
    const oct = one('oct-update');
    expect([localText(oct.openAt), localText(oct.dueAt)]).toEqual(['2024-10-08T08:00', '2024-10-31T17:00']);
    const jan = one('jan-summary');
    expect([localText(jan.openAt), localText(jan.dueAt)]).toEqual(['2025-01-02T08:00', '2025-01-24T17:00']);
    for (const x of [oct, jan]) expect(x.month).toBe(local(x.openAt).toFormat('yyyy-MM'));
  });
  test('When a task is due "at the start of term", then it is due on the last working day within 14 days of the start', () => {
    const k = one('kickoff');
    // day 14 is Sun 15 Sept (Mid-Autumn); Sat 14 Sept is a make-up working day
    expect([localText(k.openAt), localText(k.dueAt)]).toEqual(['2024-09-02T08:00', '2024-09-14T17:00']);
  });
  test('When a task has the default ladder, then reminders are 3 days and 1 day before due and level 2 is 2 days after', () => {
    const oct = one('oct-update');
    expect(oct.remindAts.map(localText)).toEqual(['2024-10-28T17:00', '2024-10-30T17:00']);
    expect(localText(oct.level2At)).toBe('2024-11-02T17:00');
    expect(one('kickoff').remindAts.map(localText)).toEqual(['2024-09-11T17:00', '2024-09-13T17:00']);
  });
  test('When a task names a month outside the semester, then planning fails naming the task', () => {
    const bad = templateSchema.parse({
      ...template,
      tasks: [t('march', { month: 3, due: { type: 'in-month', dueDay: 'last' } })],
    });
    expect(() =>
      planSemester({ semesterId: 's', template: bad, calendar: calendar2024, colleges: [{ id: 'c' }] }),
    ).toThrow(PlanError);
    expect(() =>
      planSemester({ semesterId: 's', template: bad, calendar: calendar2024, colleges: [{ id: 'c' }] }),
    ).toThrow(/^task "march": month 3 \(March\) lies outside the semester 2024-09-02–2025-01-24$/);
  });
  test('When a month is written with a year or is no month, then the checklist is refused naming the field', () => {
    const withYear = { ...template, tasks: [t('y', { month: '2024-09', due: { type: 'in-month', dueDay: 'last' } })] };
    expect(() => parseTemplate('t.json', JSON.stringify(withYear))).toThrow(
      /^t\.json: tasks\[0\]\.month: must be a month of the year: 1–12, 9月 or its English name \(september\), got "2024-09"$/,
    );
    const thirteen = { ...template, months: [{ month: 13, keyCareGroups: [{ zh: '组', en: 'group' }] }] };
    expect(() => parseTemplate('t.json', JSON.stringify(thirteen))).toThrow(
      /^t\.json: months\[0\]\.month: must be a month of the year/,
    );
  });
});

describe('planner: campaign phases', () => {
  test('When a campaign has three phases, then each phase task runs exactly over its phase', () => {
    expect([localText(one('prep').openAt), localText(one('prep').dueAt)]).toEqual([
      '2024-12-01T08:00',
      '2024-12-05T17:00',
    ]);
    expect([localText(one('impl').openAt), localText(one('impl').dueAt)]).toEqual([
      '2024-12-06T08:00',
      '2024-12-24T17:00',
    ]);
    expect([localText(one('sum').openAt), localText(one('sum').dueAt)]).toEqual([
      '2024-12-25T08:00',
      '2024-12-28T17:00',
    ]);
  });
  test('When material is due on 26 Dec, then the submission falls due then', () => {
    expect(localText(one('submit').dueAt)).toBe('2024-12-26T17:00');
  });
  test('When a campaign date lies outside the semester, then planning fails naming it', () => {
    const bad = templateSchema.parse({
      ...template,
      tasks: [t('june', { due: { type: 'campaign-phase', opens: '06-01', due: '06-10' } })],
    });
    expect(() =>
      planSemester({ semesterId: 's', template: bad, calendar: calendar2024, colleges: [{ id: 'c' }] }),
    ).toThrow(/task "june": opening day 06-01 does not fall within the semester/);
  });
});

describe('planner: the plan as a whole', () => {
  test('When two colleges are planned, then each gets the same dated tasks under distinct stable ids', () => {
    const c1 = of('weekly-review', 'c1');
    const c2 = of('weekly-review', 'c2');
    expect(c2.map((x) => x.dueAt)).toEqual(c1.map((x) => x.dueAt));
    expect(new Set(plan.tasks.map((x) => x.id)).size).toBe(plan.tasks.length);
    expect(one('weekly-review', 'week-01').id).toBe('task.s1.c1.weekly-review.week-01');
  });
  test('When the same inputs are planned twice, then the plans are identical', () => {
    const again = planSemester({
      semesterId: 's1',
      template,
      calendar: calendar2024,
      colleges: [{ id: 'c1' }, { id: 'c2' }],
    });
    expect(again).toEqual(plan);
  });
  test('When the host zone differs, then the instants do not change', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      const again = planSemester({
        semesterId: 's1',
        template,
        calendar: calendar2024,
        colleges: [{ id: 'c1' }, { id: 'c2' }],
      });
      expect(again.tasks.map((x) => x.dueAt)).toEqual(plan.tasks.map((x) => x.dueAt));
    } finally {
      process.env.TZ = saved;
    }
  });
});

describe('planner: calendars that contradict themselves are rejected', () => {
  const variant = (patch: Partial<Calendar>) => ({ ...calendar2024, ...patch });
  const problemsOf = (cal: Calendar): string => {
    try {
      planSemester({ semesterId: 's', template, calendar: cal, colleges: [{ id: 'c' }] });
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarError);
      return (e as Error).message;
    }
    throw new Error('calendar was accepted');
  };
  test('When the end is before the start, then it is rejected', () => {
    expect(problemsOf(variant({ semesterEnd: '2024-08-01' }))).toMatch(
      /semesterEnd: semester ends \(2024-08-01\) before/,
    );
  });
  test('When a holiday lies outside the semester, then it is rejected naming the holiday', () => {
    const cal = variant({
      holidays: [
        ...calendar2024.holidays,
        {
          id: 'spring-festival',
          name: { zh: '春节', en: 'Spring Festival' },
          start: '2025-01-28',
          end: '2025-02-04',
          dayOff: true,
        },
      ],
    });
    expect(problemsOf(cal)).toMatch(
      /holidays\[4\]: holiday "spring-festival" \(2025-01-28–2025-02-04\) lies outside the semester/,
    );
  });
  test('When exam weeks overlap, then it is rejected naming both', () => {
    const cal = variant({
      examWeeks: [
        { start: '2025-01-06', end: '2025-01-14' },
        { start: '2025-01-13', end: '2025-01-17' },
      ],
    });
    expect(problemsOf(cal)).toMatch(
      /examWeeks\[1\]: exam week 2025-01-13–2025-01-17 overlaps exam week 2025-01-06–2025-01-14/,
    );
  });
  test('When a make-up day is a weekday or the zone is unknown, then it is rejected', () => {
    expect(problemsOf(variant({ makeupWorkdays: ['2024-09-16'] }))).toMatch(
      /make-up working day 2024-09-16 is a weekday/,
    );
    expect(problemsOf(variant({ timezone: 'Mars/Olympus' }))).toMatch(
      /timezone: "Mars\/Olympus" is not an IANA time zone/,
    );
  });
  test('When a calendar file is loaded, then the error names the file, the field and the problem', () => {
    const text = JSON.stringify({ ...calendar2024, semesterStart: '2024-13-01' });
    expect(() => parseCalendar('calendars/bad.json', text)).toThrow(DataFileError);
    expect(() => parseCalendar('calendars/bad.json', text)).toThrow(
      /^calendars\/bad\.json: semesterStart: is not a real calendar date/,
    );
    const early = JSON.stringify({
      ...calendar2024,
      holidays: [],
      examWeeks: [],
      makeupWorkdays: [],
      semesterStart: '2024-09-07',
    });
    const p = planSemester({
      semesterId: 's',
      template: templateSchema.parse({
        ...template,
        tasks: [t('r', { due: { type: 'before-holiday', holidays: ['vacation'], opensDaysBefore: 2 } })],
      }),
      calendar: parseCalendar('c.json', early),
      colleges: [{ id: 'c' }],
    });
    // a reminder that would come before the task opens is dropped
    expect(localText(p.tasks[0]!.openAt)).toBe('2025-01-15T08:00');
    expect(p.tasks[0]!.remindAts.map(localText)).toEqual(['2025-01-16T17:00']);
    const overlapping = JSON.stringify({
      ...calendar2024,
      examWeeks: [
        { start: '2025-01-06', end: '2025-01-14' },
        { start: '2025-01-13', end: '2025-01-17' },
      ],
    });
    expect(() => parseCalendar('cal.json', overlapping)).toThrow(/^cal\.json: examWeeks\[1\]: exam week/);
  });
  test('When a template file is broken, then the error names the file and the path inside it', () => {
    const broken = JSON.parse(JSON.stringify(template)) as { tasks: Array<Record<string, unknown>> };
    broken.tasks[3]!.ownerRole = 'janitor';
    expect(() => parseTemplate('checklists/x.json', JSON.stringify(broken))).toThrow(
      /^checklists\/x\.json: tasks\[3\]\.ownerRole: Invalid enum value/,
    );
    expect(() => parseTemplate('checklists/x.json', '{ "id": ')).toThrow(/^checklists\/x\.json: not valid JSON/);
    const dup = JSON.parse(JSON.stringify(template)) as { tasks: Array<Record<string, unknown>> };
    dup.tasks[1]!.id = 'kickoff';
    expect(() => parseTemplate('t.json', JSON.stringify(dup))).toThrow(/tasks\[1\]\.id: duplicate task id "kickoff"/);
  });
});
