/**
 * The school's indicators (issue 16 part 3; seed 004 and the inspection points of seed 001): each
 * indicator's norm, a unit's value (the school or one college), the met / not-met verdict and the
 * colleges furthest from the norm. Pure: the facts come from db/repositories/indicators.ts and the
 * school's inputs (domain/indicators-inputs.ts); server/features/indicators shows them.
 *
 * Norms and where they come from:
 * - full-time counselling staff: at least 1 per 4,000 students (seed 004 §6 "按师生比不低于1:4000的比例
 *   配齐配强专职从事大学生心理健康教育的教师") and at least 2 per school (Ministry of Education,
 *   《高等学校学生心理健康教育指导纲要》, 2018: "每校至少配备2名"). The minimum of two is the school's
 *   alone: a college is measured by the ratio only.
 * - the mental-health course: 32–36 hours (seed 004 §3 "确保开满32－36个学时") and 2 credits (the same
 *   2018 纲要: "公共必修课程原则上应设置2个学分、32—36个学时"). More than 36 hours is not a shortfall.
 * - screening of returning students and of freshmen: full coverage (seed 001, Sept task 4 "确保老生心理
 *   普测全覆盖", Oct task 3 "确保新生心理普测全覆盖").
 * - interviews of screening warnings within their deadline (seed 003 §3; docs/domain.md §3: red 3 days,
 *   orange 7, the school's care settings): every one.
 * - crisis steps within their limits (seed 003 §7; docs/domain.md §5 defaults, the case's own durations):
 *   every one.
 * - key-care students whose plan was reviewed this month (seed 003 §8 monthly update; seed 001 monthly
 *   update of the key-care list): every one.
 * - weekly class reports filed (seed 004 §6 "班级要设心理委员"; issue 16 part 2: every week): every one.
 */
import type { CollegeInputs, IndicatorInputs } from './indicators-inputs';

export const INDICATOR_IDS = [
  'staffing',
  'course',
  'returningScreening',
  'freshmenScreening',
  'interviews',
  'crisisSteps',
  'keyCareReview',
  'classReports',
] as const;
export type IndicatorId = (typeof INDICATOR_IDS)[number];

/** met / not met; no-data: nothing to measure yet (no students, nothing due); not-collected: the data does not exist yet. */
export type Verdict = 'met' | 'not-met' | 'no-data' | 'not-collected';

export const NORMS = {
  staffing: { studentsPerStaff: 4000, minStaffPerSchool: 2 },
  course: { minHours: 32, maxHours: 36, minCredits: 2 },
  /** every rate indicator's norm: all of them (100 %) */
  fullRate: 1,
} as const;

/** Where each norm is written (shown beside it on the page and in the export). */
export const NORM_SOURCES: Record<IndicatorId, string> = {
  staffing:
    '省厅《关于进一步加强和改进全省高校大学生心理健康教育工作的通知》第六条；教育部《高等学校学生心理健康教育指导纲要》(2018)',
  course:
    '省厅《关于进一步加强和改进全省高校大学生心理健康教育工作的通知》第三条；教育部《高等学校学生心理健康教育指导纲要》(2018)',
  returningScreening: '“润心”行动 2024 年秋季学期重点任务清单（9 月第 4 项）',
  freshmenScreening: '“润心”行动 2024 年秋季学期重点任务清单（10 月第 3 项）',
  interviews: '《关于加强学生心理健康教育管理工作的通知》第三条（红色预警 3 天、橙色 7 天内约谈）',
  crisisSteps: '《关于加强学生心理健康教育管理工作的通知》第七条（学校设定的各步时限）',
  keyCareReview: '《关于加强学生心理健康教育管理工作的通知》第八条（每月更新）；“润心”行动 2024 年秋季学期重点任务清单',
  classReports: '省厅《关于进一步加强和改进全省高校大学生心理健康教育工作的通知》第六条（班级要设心理委员）；每周提交',
};

export type Figures =
  | { kind: 'rate'; done: number; of: number; rate: number | null; cases?: number }
  | { kind: 'staffing'; staff: number; students: number; studentsPerStaff: number | null }
  | { kind: 'course'; hours: number; credits: number }
  | { kind: 'none' };

export interface UnitValue {
  verdict: Verdict;
  /** how far the value reaches its norm: 1 or more = the norm is met, lower = further from it; null: nothing to measure */
  attainment: number | null;
  figures: Figures;
}

export interface RateFacts {
  done: number;
  of: number;
}

const NONE: Figures = { kind: 'none' };
export const notCollected = (): UnitValue => ({ verdict: 'not-collected', attainment: null, figures: NONE });
export const noInputs = (): UnitValue => ({ verdict: 'no-data', attainment: null, figures: NONE });

/** A share against the norm "every one": nothing due → no data; all done → met. */
export function rateValue(f: RateFacts, extra: { cases?: number } = {}): UnitValue {
  const figures: Figures = { kind: 'rate', done: f.done, of: f.of, rate: f.of > 0 ? f.done / f.of : null, ...extra };
  if (f.of <= 0) return { verdict: 'no-data', attainment: null, figures };
  const attainment = f.done / f.of / NORMS.fullRate;
  return { verdict: f.done >= f.of ? 'met' : 'not-met', attainment, figures };
}

/**
 * Full-time counselling staff for this many students: at least one per 4,000 (exactly 1:4000 meets it),
 * and for the school at least two whatever its size. A college without students has nothing to measure;
 * a school without students still needs its two.
 */
export function staffingValue(f: { staff: number; students: number }, unit: 'school' | 'college'): UnitValue {
  const { staff, students } = f;
  const per = NORMS.staffing.studentsPerStaff;
  const figures: Figures = { kind: 'staffing', staff, students, studentsPerStaff: staff > 0 ? students / staff : null };
  const parts: number[] = [];
  if (students > 0) parts.push((staff * per) / students);
  else if (unit === 'college') return { verdict: 'no-data', attainment: null, figures };
  if (unit === 'school') parts.push(staff / NORMS.staffing.minStaffPerSchool);
  const attainment = Math.min(...parts);
  const met = staff * per >= students && (unit === 'college' || staff >= NORMS.staffing.minStaffPerSchool);
  return { verdict: met ? 'met' : 'not-met', attainment, figures };
}

/** The course: at least 32 hours and 2 credits (more than 36 hours is no shortfall). */
export function courseValue(f: { hours: number; credits: number }): UnitValue {
  const n = NORMS.course;
  const attainment = Math.min(f.hours / n.minHours, f.credits / n.minCredits);
  const met = f.hours >= n.minHours && f.credits >= n.minCredits;
  return { verdict: met ? 'met' : 'not-met', attainment, figures: { kind: 'course', ...f } };
}

export interface CollegeValue {
  collegeId: string;
  value: UnitValue;
}

/** The colleges furthest from the norm: those not meeting it, the lowest attainment first (ties in the given order), at most n. */
export function worstColleges(colleges: CollegeValue[], n = 3): CollegeValue[] {
  return colleges
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.value.verdict === 'not-met')
    .sort((a, b) => (a.c.value.attainment ?? 0) - (b.c.value.attainment ?? 0) || a.i - b.i)
    .slice(0, n)
    .map(({ c }) => c);
}

// ---------------------------------------------------------------------------------------------
// The report

export interface IndicatorFacts {
  /** the school's colleges, in their order */
  collegeIds: string[];
  /** the latest inputs of the semester, null when none were entered */
  inputs: IndicatorInputs | null;
  interviews: Map<string, RateFacts>;
  crisis: Map<string, RateFacts & { cases: number }>;
  keyCare: Map<string, RateFacts>;
  /** null: the weekly class reports are not collected yet (their table does not exist) */
  classReports: Map<string, RateFacts> | null;
}

export interface Indicator {
  id: IndicatorId;
  school: UnitValue;
  colleges: CollegeValue[];
  /** the worst three colleges not meeting the norm */
  worst: CollegeValue[];
}

const sumRates = (m: Map<string, RateFacts>, ids: string[]): RateFacts =>
  ids.reduce((a, id) => ({ done: a.done + (m.get(id)?.done ?? 0), of: a.of + (m.get(id)?.of ?? 0) }), {
    done: 0,
    of: 0,
  });

const students = (c: CollegeInputs) => c.freshmen + c.returning;

/** Every indicator for the school and each college. */
export function evaluateIndicators(facts: IndicatorFacts): Indicator[] {
  const ids = facts.collegeIds;
  const inputs = facts.inputs;
  const perCollege = (value: (id: string) => UnitValue): CollegeValue[] =>
    ids.map((collegeId) => ({ collegeId, value: value(collegeId) }));
  const fromInputs = (value: (c: CollegeInputs) => UnitValue) => (id: string) => {
    const c = inputs?.colleges[id];
    return c ? value(c) : noInputs();
  };
  const rates = (m: Map<string, RateFacts>) => (id: string) => rateValue(m.get(id) ?? { done: 0, of: 0 });
  const entered = Object.values(inputs?.colleges ?? {});

  const build = (id: IndicatorId, school: UnitValue, colleges: CollegeValue[]): Indicator => ({
    id,
    school,
    colleges,
    worst: worstColleges(colleges),
  });
  const reports = facts.classReports;
  return [
    build(
      'staffing',
      inputs
        ? staffingValue(
            {
              staff: inputs.school.centreStaff + entered.reduce((a, c) => a + c.staff, 0),
              students: entered.reduce((a, c) => a + students(c), 0),
            },
            'school',
          )
        : noInputs(),
      perCollege(fromInputs((c) => staffingValue({ staff: c.staff, students: students(c) }, 'college'))),
    ),
    build(
      'course',
      inputs ? courseValue({ hours: inputs.school.courseHours, credits: inputs.school.courseCredits }) : noInputs(),
      perCollege(
        fromInputs((c) =>
          courseValue({
            hours: c.courseHours ?? inputs!.school.courseHours,
            credits: c.courseCredits ?? inputs!.school.courseCredits,
          }),
        ),
      ),
    ),
    build(
      'returningScreening',
      inputs
        ? rateValue({
            done: entered.reduce((a, c) => a + c.returningScreened, 0),
            of: entered.reduce((a, c) => a + c.returning, 0),
          })
        : noInputs(),
      perCollege(fromInputs((c) => rateValue({ done: c.returningScreened, of: c.returning }))),
    ),
    build(
      'freshmenScreening',
      inputs
        ? rateValue({
            done: entered.reduce((a, c) => a + c.freshmenScreened, 0),
            of: entered.reduce((a, c) => a + c.freshmen, 0),
          })
        : noInputs(),
      perCollege(fromInputs((c) => rateValue({ done: c.freshmenScreened, of: c.freshmen }))),
    ),
    build('interviews', rateValue(sumRates(facts.interviews, ids)), perCollege(rates(facts.interviews))),
    build(
      'crisisSteps',
      rateValue(sumRates(facts.crisis, ids), {
        cases: ids.reduce((a, id) => a + (facts.crisis.get(id)?.cases ?? 0), 0),
      }),
      perCollege((id) => {
        const f = facts.crisis.get(id) ?? { done: 0, of: 0, cases: 0 };
        return rateValue(f, { cases: f.cases });
      }),
    ),
    build('keyCareReview', rateValue(sumRates(facts.keyCare, ids)), perCollege(rates(facts.keyCare))),
    reports
      ? build('classReports', rateValue(sumRates(reports, ids)), perCollege(rates(reports)))
      : build('classReports', notCollected(), perCollege(notCollected)),
  ];
}
