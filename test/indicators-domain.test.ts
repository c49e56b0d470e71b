/**
 * domain/indicators*.ts (issue 16 part 3): the seed 004 norms at their edges (exactly 1:4000, one
 * full-time staff only, zero students), the rates, the worst colleges, the facts from rows, and the
 * school's figures checked field by field.
 */
import { describe, expect, test } from 'vitest';
import {
  courseValue,
  evaluateIndicators,
  rateValue,
  staffingValue,
  worstColleges,
  type IndicatorFacts,
} from '../domain/indicators';
import { crisisStepFacts, interviewFacts, keyCareFacts, monthStart, semesterPeriod } from '../domain/indicators-facts';
import { inputProblemText, parseIndicatorInputs, type CollegeInputs } from '../domain/indicators-inputs';
import { DEFAULT_CRISIS_DURATIONS, MINUTE_MS, HOUR_MS } from '../domain/care-durations';

describe('full-time counselling staff (seed 004 §6: at least 1:4000; at least two per school)', () => {
  test('When the school has exactly one staff per 4,000 students and two staff, then the norm is met', () => {
    const v = staffingValue({ staff: 2, students: 8000 }, 'school');
    expect(v.verdict).toBe('met');
    expect(v.attainment).toBe(1);
    expect(v.figures).toMatchObject({ studentsPerStaff: 4000 });
  });
  test('When one student more than 1:4000 allows, then it is not met', () => {
    expect(staffingValue({ staff: 2, students: 8001 }, 'school').verdict).toBe('not-met');
    expect(staffingValue({ staff: 1, students: 4001 }, 'college').verdict).toBe('not-met');
  });
  test('When the school has one full-time staff only, then it is not met even for few students', () => {
    const v = staffingValue({ staff: 1, students: 300 }, 'school');
    expect(v.verdict).toBe('not-met');
    expect(v.attainment).toBe(0.5);
  });
  test('When a college has one staff for 4,000 students, then it meets the ratio (the minimum of two is the school’s)', () => {
    expect(staffingValue({ staff: 1, students: 4000 }, 'college').verdict).toBe('met');
  });
  test('When there are zero students, then a college has nothing to measure and a school still needs two staff', () => {
    expect(staffingValue({ staff: 0, students: 0 }, 'college').verdict).toBe('no-data');
    expect(staffingValue({ staff: 0, students: 0 }, 'school').verdict).toBe('not-met');
    expect(staffingValue({ staff: 2, students: 0 }, 'school').verdict).toBe('met');
  });
  test('When a college has students and no staff, then it is not met with attainment 0', () => {
    const v = staffingValue({ staff: 0, students: 1200 }, 'college');
    expect(v).toMatchObject({ verdict: 'not-met', attainment: 0, figures: { studentsPerStaff: null } });
  });
});

describe('the course (seed 004 §3: 32–36 hours; 2 credits)', () => {
  test('When it has 32 hours and 2 credits, then it is met; 31 hours or 1.5 credits is not', () => {
    expect(courseValue({ hours: 32, credits: 2 }).verdict).toBe('met');
    expect(courseValue({ hours: 31, credits: 2 }).verdict).toBe('not-met');
    expect(courseValue({ hours: 36, credits: 1.5 }).verdict).toBe('not-met');
    expect(courseValue({ hours: 16, credits: 1 }).attainment).toBe(0.5);
  });
  test('When it has more than 36 hours, then that is no shortfall', () => {
    expect(courseValue({ hours: 40, credits: 2 }).verdict).toBe('met');
  });
});

describe('rates and the worst colleges', () => {
  test('When nothing is due, then there is no data; all done is met; one missing is not', () => {
    expect(rateValue({ done: 0, of: 0 }).verdict).toBe('no-data');
    expect(rateValue({ done: 5, of: 5 }).verdict).toBe('met');
    expect(rateValue({ done: 4, of: 5 })).toMatchObject({ verdict: 'not-met', attainment: 0.8 });
  });
  test('When colleges are ranked, then the three furthest from the norm come first and those meeting it are left out', () => {
    const c = (collegeId: string, done: number, of: number) => ({ collegeId, value: rateValue({ done, of }) });
    const worst = worstColleges([
      c('a', 9, 10),
      c('b', 1, 10),
      c('c', 10, 10),
      c('d', 5, 10),
      c('e', 0, 0),
      c('f', 3, 10),
    ]);
    expect(worst.map((w) => w.collegeId)).toEqual(['b', 'f', 'd']);
    expect(worstColleges([c('a', 1, 1), c('e', 0, 0)])).toEqual([]);
  });
});

describe('facts from rows', () => {
  const T = Date.UTC(2024, 9, 1);
  test('When a warning is interviewed by its deadline, then it counts as done; late or past due without interview, as not; not yet due, not at all', () => {
    const f = interviewFacts(
      [
        { collegeId: 'a', dueAt: T, interviewedAt: T }, // exactly at the deadline
        { collegeId: 'a', dueAt: T, interviewedAt: T + 1 },
        { collegeId: 'a', dueAt: T, interviewedAt: null },
        { collegeId: 'a', dueAt: T + 10 * HOUR_MS, interviewedAt: null },
        { collegeId: 'b', dueAt: T + 10 * HOUR_MS, interviewedAt: T },
      ],
      T + HOUR_MS,
    );
    expect(f.get('a')).toEqual({ done: 1, of: 3 });
    expect(f.get('b')).toEqual({ done: 1, of: 1 });
  });

  test('When crisis steps are taken, then each counts in time by its limit (the case’s own durations, else the defaults)', () => {
    const base = { situation: 'injury', reportedAt: T, durations: null, handedOverAt: null };
    const f = crisisStepFacts(
      [
        { ...base, collegeId: 'a', onSceneAt: T + 30 * MINUTE_MS, schoolNotifiedAt: T + 61 * MINUTE_MS },
        {
          ...base,
          collegeId: 'a',
          situation: 'self_harm_risk',
          durations: { ...DEFAULT_CRISIS_DURATIONS, onSceneAckMs: 10 * MINUTE_MS },
          onSceneAt: T + 20 * MINUTE_MS,
          schoolNotifiedAt: T + 10 * MINUTE_MS,
          handedOverAt: T + 20 * HOUR_MS,
        },
        // reported just now: nothing due yet
        { ...base, collegeId: 'b', reportedAt: T + 2 * HOUR_MS, onSceneAt: null, schoolNotifiedAt: null },
      ],
      T + 2 * HOUR_MS,
    );
    // case 1: on scene in time, school late; case 2: on scene late (10 min limit), school in time, hand-over in time
    expect(f.get('a')).toEqual({ done: 3, of: 5, cases: 2 });
    expect(f.get('b')).toEqual({ done: 0, of: 0, cases: 1 });
    expect(rateValue(f.get('b')!).verdict).toBe('no-data');
  });

  test('When a key-care plan was written or followed up this month, then it counts as reviewed', () => {
    const since = monthStart(Date.UTC(2024, 10, 20), 'Asia/Shanghai');
    expect(since).toBe(Date.UTC(2024, 9, 31, 16)); // 1 Nov 00:00 in Shanghai
    const f = keyCareFacts(
      [
        { collegeId: 'a', updatedAt: since, lastFollowUpAt: null },
        { collegeId: 'a', updatedAt: since - 1, lastFollowUpAt: since + 5 },
        { collegeId: 'a', updatedAt: since - 1, lastFollowUpAt: since - 1 },
      ],
      since,
    );
    expect(f.get('a')).toEqual({ done: 2, of: 3 });
  });

  test('When the calendar says 2024-09-02 to 2025-01-24, then the period is those whole days in the zone', () => {
    expect(
      semesterPeriod({ semesterStart: '2024-09-02', semesterEnd: '2025-01-24', timezone: 'Asia/Shanghai' }),
    ).toEqual({
      from: Date.UTC(2024, 8, 1, 16),
      until: Date.UTC(2025, 0, 24, 16),
    });
  });
});

const row = (over: Partial<CollegeInputs> = {}): CollegeInputs => ({
  freshmen: 1000,
  freshmenScreened: 1000,
  returning: 3000,
  returningScreened: 2900,
  staff: 0,
  courseHours: null,
  courseCredits: null,
  ...over,
});

describe("the school's figures (parseIndicatorInputs)", () => {
  test('When every field is valid (texts of a form included), then the figures come back as numbers', () => {
    const r = parseIndicatorInputs(
      {
        school: { centreStaff: '3', courseHours: ' 32 ', courseCredits: '2' },
        colleges: { a: { ...row(), courseCredits: '1.5' }, b: { ...row(), courseHours: '' } },
      },
      ['a', 'b'],
    );
    expect(r.problems).toBeUndefined();
    expect(r.problems ? null : r.inputs).toEqual({
      school: { centreStaff: 3, courseHours: 32, courseCredits: 2 },
      colleges: { a: row({ courseCredits: 1.5 }), b: row() },
    });
  });

  test('When fields are wrong, then every problem is named by its field and nothing is returned', () => {
    const r = parseIndicatorInputs(
      {
        school: { centreStaff: 'two', courseHours: -1, courseCredits: 2.3 },
        colleges: { a: { ...row(), freshmenScreened: 1001, staff: 1.5 }, x: row() },
      },
      ['a', 'b'],
    );
    expect(r.problems?.map(inputProblemText)).toEqual([
      'school.centreStaff: must be a number',
      'school.courseHours: must not be negative',
      'school.courseCredits: must be a multiple of 0.5',
      'colleges.x: no such college in this school',
      'colleges.a.staff: must be a whole number',
      'colleges.a.freshmenScreened: must not exceed colleges.a.freshmen',
      'colleges.b.freshmen: required',
      'colleges.b.freshmenScreened: required',
      'colleges.b.returning: required',
      'colleges.b.returningScreened: required',
      'colleges.b.staff: required',
    ]);
  });

  test('When a figure is over its bound, then the bound is named', () => {
    const r = parseIndicatorInputs(
      { school: { centreStaff: 1001, courseHours: 32, courseCredits: 2 }, colleges: {} },
      [],
    );
    expect(r.problems?.map(inputProblemText)).toEqual(['school.centreStaff: must be at most 1000']);
  });
});

describe('evaluateIndicators', () => {
  const facts = (over: Partial<IndicatorFacts> = {}): IndicatorFacts => ({
    collegeIds: ['a', 'b'],
    inputs: {
      school: { centreStaff: 2, courseHours: 32, courseCredits: 2 },
      colleges: { a: row({ staff: 1 }), b: row({ freshmenScreened: 500, courseHours: 16 }) },
    },
    interviews: new Map([['a', { done: 1, of: 2 }]]),
    crisis: new Map(),
    keyCare: new Map([['b', { done: 3, of: 3 }]]),
    classReports: null,
    ...over,
  });

  test('When the figures are entered, then the school adds up its colleges and the centre', () => {
    const byId = Object.fromEntries(evaluateIndicators(facts()).map((i) => [i.id, i]));
    // 2 centre + 1 college staff for 8,000 students: 1:2667
    expect(byId.staffing!.school).toMatchObject({ verdict: 'met', figures: { staff: 3, students: 8000 } });
    expect(byId.staffing!.worst.map((w) => w.collegeId)).toEqual(['b']);
    expect(byId.course!.colleges.map((c) => c.value.verdict)).toEqual(['met', 'not-met']);
    expect(byId.freshmenScreening!.school.figures).toMatchObject({ done: 1500, of: 2000 });
    expect(byId.returningScreening!.school.verdict).toBe('not-met');
    expect(byId.interviews!.school.figures).toMatchObject({ done: 1, of: 2 });
    expect(byId.keyCareReview!.school.verdict).toBe('met');
    expect(byId.crisisSteps!.school).toMatchObject({ verdict: 'no-data', figures: { cases: 0 } });
  });

  test('When the class reports are not collected yet and no figures were entered, then they say so instead of failing', () => {
    const byId = Object.fromEntries(evaluateIndicators(facts({ inputs: null })).map((i) => [i.id, i]));
    expect(byId.classReports!.school.verdict).toBe('not-collected');
    expect(byId.classReports!.colleges.every((c) => c.value.verdict === 'not-collected')).toBe(true);
    expect(byId.staffing!.school.verdict).toBe('no-data');
    const collected = evaluateIndicators(facts({ classReports: new Map([['a', { done: 3, of: 4 }]]) }));
    expect(collected.find((i) => i.id === 'classReports')!.school).toMatchObject({
      verdict: 'not-met',
      attainment: 0.75,
    });
  });
});
