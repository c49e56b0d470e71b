/**
 * The checklist, campaign and calendar data files parse against the schemas
 * and say what the source documents say (seeds 001 and 000).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, expect } from 'vitest';
import { templateSchema, calendarSchema, type Template, type Calendar } from '../domain/schema';

const root = join(__dirname, '..');
const readJson = (rel: string): unknown => {
  const text = readFileSync(join(root, rel), 'utf8');
  expect(text.charCodeAt(0)).not.toBe(0xfeff); // no BOM
  return JSON.parse(text);
};

describe('checklists/runxin-2024-autumn.json (seed 001)', () => {
  const t: Template = templateSchema.parse(readJson('checklists/runxin-2024-autumn.json'));

  test('identity', () => {
    expect(t.id).toBe('runxin-2024-autumn');
    // v2: the monthly key-care update also asks for the ledger's monthly follow-ups (seed 003 §8);
    // v3: the same checklist in the year-free form (format 2), with rules for missing or merged holidays
    expect([t.format, t.version]).toEqual([2, 3]);
    expect(t.kind).toBe('semester-checklist');
    expect(t.source).toBe('seeds/001_26e98d33868f7d1c.txt');
    expect(t.title.zh).toBe('关爱青少年心理健康“润心”行动 2024 年秋季学期大学生心理健康教育工作重点任务清单');
    expect(t.ladder).toEqual({ remindBefore: ['P3D', 'P1D'], level2After: 'P2D' });
  });

  test('the monthly key-care update (Oct–Jan) carries the monthly ledger duty, and no other task does', () => {
    expect(t.tasks.filter((x) => x.evidence.ledgerMonthlyReview).map((x) => x.id)).toEqual([
      '2024-10-01-update-key-care-list',
      '2024-11-01-update-key-care-list',
      '2024-12-01-update-key-care-list',
      '2025-01-01-update-key-care-list',
    ]);
  });

  test('five months of the year in semester order, September to January, written without a year', () => {
    expect(t.months.map((m) => m.month)).toEqual([9, 10, 11, 12, 1]);
    const raw = readJson('checklists/runxin-2024-autumn.json') as {
      months: Array<{ month: unknown }>;
      tasks: Array<{ month?: unknown }>;
    };
    for (const m of [...raw.months, ...raw.tasks]) expect(JSON.stringify(m.month ?? '')).not.toMatch(/\d{4}/);
  });

  test('key-care group counts per month: 3/4/4/3/3', () => {
    expect(t.months.map((m) => m.keyCareGroups.length)).toEqual([3, 4, 4, 3, 3]);
    for (const m of t.months) {
      expect(m.keyCareGroups[0]!.zh).toBe('已列入重点关爱库的学生');
    }
    const groups = (month: number) =>
      t.months
        .find((m) => m.month === month)!
        .keyCareGroups.map((g) => g.zh)
        .join('\n');
    expect(groups(9)).toContain('未按时到校报到');
    expect(groups(10)).toContain('心理普测红色预警');
    expect(groups(10)).toContain('校外实习、校外租房走读的学生');
    expect(groups(11)).toContain('转本压力大');
    expect(groups(12)).toContain('期末考试成绩不及格');
    expect(groups(1)).toContain('假期留校且亲子关系紧张');
  });

  test('no transcription artefacts in the Chinese text', () => {
    const texts = [
      ...t.months.flatMap((m) => m.keyCareGroups.map((g) => g.zh)),
      ...t.tasks.flatMap((x) => [x.title.zh, x.textZh]),
    ];
    for (const s of texts) {
      expect(s).not.toMatch(/bookmark|\n|\r|^\s|\s$/);
      expect(s).not.toMatch(/^\d+\./); // list numbers are in `number`, not in the text
    }
    const dec5 = t.tasks.find((x) => x.id === '2024-12-05-holiday-safety-reminder')!;
    expect(dec5.textZh).toContain('落实请销假制度');
  });

  test('31 tasks: 8/6/6/5/6 per month, numbered 1..n in document order', () => {
    expect(t.tasks).toHaveLength(31);
    const counts = t.months.map((m) => t.tasks.filter((x) => x.month === m.month).length);
    expect(counts).toEqual([8, 6, 6, 5, 6]);
    for (const m of t.months) {
      expect(t.tasks.filter((x) => x.month === m.month).map((x) => x.number)).toEqual(
        Array.from({ length: counts[t.months.indexOf(m)]! }, (_, i) => i + 1),
      );
    }
  });

  test('task ids are unique and keep their first form YYYY-MM-NN-slug (they are in every task instance id), matching month and number', () => {
    const ids = t.tasks.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const x of t.tasks) {
      expect(x.id).toMatch(/^\d{4}-\d{2}-\d{2}-[a-z0-9-]+$/);
      expect(x.id.slice(5)).toMatch(
        new RegExp(`^${String(x.month).padStart(2, '0')}-${String(x.number).padStart(2, '0')}-`),
      );
      expect(x.textZh.startsWith(`${x.title.zh}。`)).toBe(true);
    }
  });

  test('hotlines: provincial student hotline, parent hotline and the 苏心 app', () => {
    const numbers = t.hotlines.map((h) => h.number);
    expect(numbers).toContain('025-58255200');
    expect(numbers).toContain('025-58255820');
    const app = t.hotlines.find((h) => h.name.zh.includes('苏心'));
    expect(app).toMatchObject({ kind: 'app' });
    expect(app?.number).toBeUndefined();
  });

  test('a phone hotline without a number is rejected naming the field', () => {
    const bad = readJson('checklists/runxin-2024-autumn.json') as { hotlines: Array<Record<string, unknown>> };
    delete bad.hotlines[0]!.number;
    const r = templateSchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({
      path: ['hotlines', 0, 'number'],
      message: 'a phone hotline needs its number',
    });
  });

  test('weekly review (周周研判) recurs weekly until semester end with a required note', () => {
    const w = t.tasks.find((x) => x.id === '2024-09-06-weekly-review')!;
    expect(w.title.zh).toBe('落实周周研判制度');
    expect(w.kind).toBe('weekly');
    expect(w.due).toEqual({ type: 'weekly', until: 'semester-end' });
    expect(w.evidence.note).toBe('required');
    expect(t.tasks.filter((x) => x.kind === 'weekly')).toHaveLength(1);
  });

  test('monthly key-care list update is task 1 of Oct–Jan, due on the last working day', () => {
    const monthly = t.tasks.filter((x) => x.kind === 'monthly');
    expect(monthly.map((x) => x.month)).toEqual([10, 11, 12, 1]);
    for (const x of monthly) {
      expect(x.number).toBe(1);
      expect(x.title.zh).toBe('更新重点关爱名单');
      expect(x.due).toEqual({ type: 'in-month', dueDay: 'last' });
    }
  });

  test('holiday reminders name holidays by kind and the vacation, with a rule for a missing or merged holiday', () => {
    const before = t.tasks.filter((x) => x.kind === 'before-holiday');
    expect(
      before.map((x) => [x.id, x.due.type === 'before-holiday' ? [x.due.holidays, x.due.ifMissing] : null]),
    ).toEqual([
      // Mid-Autumn falls inside National Day in some years (2025): one reminder before National Day
      [
        '2024-09-08-holiday-safety-reminder',
        [['mid-autumn', 'national-day'], { 'mid-autumn': 'merge-into:national-day' }],
      ],
      // Christmas is observed without a day off: a calendar without it simply has no Christmas reminder
      ['2024-12-05-holiday-safety-reminder', [['christmas', 'new-year'], { christmas: 'skip' }]],
      ['2025-01-04-pre-vacation-safety-education', [['vacation'], {}]],
    ]);
  });

  test('exam-week duties in January', () => {
    const x = t.tasks.find((y) => y.kind === 'exam-week')!;
    expect(x.id).toBe('2025-01-03-exam-week-safety');
    expect(x.due).toEqual({ type: 'exam-week', opensDaysBefore: 7 });
  });

  test('screenings are full-coverage tasks needing a note and a file', () => {
    const fc = t.tasks.filter((x) => x.kind === 'full-coverage');
    expect(fc.map((x) => x.id)).toEqual([
      '2024-09-04-returning-student-screening',
      '2024-10-03-freshman-screening',
      '2024-11-03-freshman-screening-follow-up',
    ]);
    for (const x of fc) {
      expect(x.due).toEqual({ type: 'in-month', dueDay: 'last' });
      expect(x.evidence.note).toBe('required');
      expect(x.evidence.minFiles).toBeGreaterThanOrEqual(1);
    }
  });

  test('start-of-semester meetings fall due within days of the semester start', () => {
    const kickoff = t.tasks.find((x) => x.id === '2024-09-01-kickoff-meeting')!;
    expect(kickoff.ownerRole).toBe('college_leader');
    expect(kickoff.due).toEqual({ type: 'in-month', dueDay: 'last', withinDaysOfSemesterStart: 14 });
    expect(kickoff.evidence.minFiles).toBe(1);
    const parents = t.tasks.find((x) => x.id === '2024-09-05-freshman-parents-meeting')!;
    expect(parents.due).toEqual({ type: 'in-month', dueDay: 'last', withinDaysOfSemesterStart: 21 });
    expect(parents.textZh).toContain('025-58255820');
  });

  test('crisis management (task 2, Oct–Jan) is a one-off each month', () => {
    const crisis = t.tasks.filter((x) => x.title.zh === '做好心理危机管理');
    expect(crisis.map((x) => `${x.month}#${x.number}`)).toEqual(['10#2', '11#2', '12#2', '1#2']);
    for (const x of crisis) {
      expect(x.kind).toBe('once');
      expect(x.textZh).toContain('025-58255200');
    }
  });

  test('semester summary: college leader, note and summary document', () => {
    const s = t.tasks.find((x) => x.id === '2025-01-06-semester-summary')!;
    expect(s.kind).toBe('once');
    expect(s.ownerRole).toBe('college_leader');
    expect(s.evidence.note).toBe('required');
    expect(s.evidence.minFiles).toBeGreaterThanOrEqual(1);
    expect(s.evidence.documents.map((d) => d.id)).toEqual(['summary']);
  });

  test('every task has a required note', () => {
    for (const x of t.tasks) expect(x.evidence.note).toBe('required');
  });
});

describe('checklists/campaign-2022-winter-care.json (seed 000)', () => {
  const c: Template = templateSchema.parse(readJson('checklists/campaign-2022-winter-care.json'));

  test('a campaign with three phases and no months', () => {
    expect([c.format, c.version, c.kind]).toEqual([2, 2, 'campaign']);
    expect(c.months).toEqual([]);
    expect(c.phases.map((p) => [p.id, p.start, p.end])).toEqual([
      ['preparation', '12-01', '12-05'],
      ['implementation', '12-06', '12-24'],
      ['summary', '12-25', '12-28'],
    ]);
  });

  test('one task per phase plus the submission', () => {
    expect(c.tasks.every((x) => x.kind === 'campaign-phase')).toBe(true);
    const phases = c.tasks.map((x) => (x.due.type === 'campaign-phase' ? x.due.phase : undefined));
    expect(phases.filter(Boolean)).toEqual(['preparation', 'implementation', 'summary']);
    expect(c.tasks.find((x) => x.due.type === 'campaign-phase' && x.due.phase === 'preparation')!.textZh).toContain(
      '四级预警网络',
    );
  });

  test('submission due 26 Dec: note, plan and summary, at least two photos per activity', () => {
    const s = c.tasks.find((x) => x.id === 'submit-materials')!;
    expect(s.due).toEqual({ type: 'campaign-phase', opens: '12-06', due: '12-26' });
    expect(s.evidence.note).toBe('required');
    expect(s.evidence.minPhotosPerActivity).toBeGreaterThanOrEqual(2);
    expect(s.evidence.documents.map((d) => d.id).sort()).toEqual(['plan', 'summary']);
    expect(s.evidence.minFiles).toBe(4);
    expect(s.textZh).toContain('每项活动至少两张');
  });

  test('the counselling centre hotline', () => {
    expect(c.hotlines.map((h) => h.number)).toEqual(['0370-3167007']);
  });
});

describe('calendars/2024-autumn.json', () => {
  const cal: Calendar = calendarSchema.parse(readJson('calendars/2024-autumn.json'));

  test('semester frame in Asia/Shanghai', () => {
    expect(cal.id).toBe('2024-autumn');
    expect(cal.timezone).toBe('Asia/Shanghai');
    expect([cal.semesterStart, cal.vacationStart, cal.semesterEnd]).toEqual(['2024-09-02', '2025-01-18', '2025-01-24']);
    expect([cal.workdayStart, cal.workdayEnd]).toEqual(['08:00', '17:00']);
    expect(cal.examWeeks).toEqual([
      { start: '2025-01-06', end: '2025-01-10' },
      { start: '2025-01-13', end: '2025-01-17' },
    ]);
  });

  test('holidays: Mid-Autumn, National Day, Christmas (working day), New Year', () => {
    expect(cal.holidays.map((h) => [h.id, h.start, h.end, h.dayOff])).toEqual([
      ['mid-autumn', '2024-09-15', '2024-09-17', true],
      ['national-day', '2024-10-01', '2024-10-07', true],
      ['christmas', '2024-12-25', '2024-12-25', false],
      ['new-year', '2025-01-01', '2025-01-01', true],
    ]);
    // Spring Festival (28 Jan – 4 Feb 2025) is after the semester end and deliberately absent.
    expect(cal.holidays.some((h) => h.start > cal.semesterEnd)).toBe(false);
  });

  test('make-up working days are weekend days', () => {
    expect(cal.makeupWorkdays).toEqual(['2024-09-14', '2024-09-29', '2024-10-12']);
    for (const d of cal.makeupWorkdays) {
      const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
      expect(dow === 0 || dow === 6).toBe(true);
    }
  });

  test('every holiday the checklist names exists in the calendar', () => {
    const t = templateSchema.parse(readJson('checklists/runxin-2024-autumn.json'));
    const ids = new Set(cal.holidays.map((h) => h.id));
    for (const x of t.tasks) {
      if (x.due.type !== 'before-holiday') continue;
      for (const h of x.due.holidays) expect(h === 'vacation' || ids.has(h)).toBe(true);
    }
  });
});
