/**
 * The figures of the indicators that the database cannot know (domain/indicators.ts), entered by the
 * school administration per semester: the full-time counselling staff of the counselling centre and of
 * each college, the mental-health course's hours and credits (the school's, and a college's own when
 * it differs), and per college the headcount of freshmen and returning students and how many of each
 * were screened. Each save is a new version (who, when: db/repositories/indicators.ts).
 *
 * parseIndicatorInputs checks a submission (numbers or the texts of a form) and names every problem by
 * its field, e.g. `colleges.science.freshmenScreened` exceeds `colleges.science.freshmen`.
 */

export interface SchoolInputs {
  /** full-time staff of the counselling centre (心理健康教育与咨询中心专职教师) */
  centreStaff: number;
  courseHours: number;
  courseCredits: number;
}

export interface CollegeInputs {
  freshmen: number;
  freshmenScreened: number;
  returning: number;
  returningScreened: number;
  /** the college's own full-time counselling staff (may be 0) */
  staff: number;
  /** null: the school's course */
  courseHours: number | null;
  courseCredits: number | null;
}

export interface IndicatorInputs {
  school: SchoolInputs;
  colleges: Record<string, CollegeInputs>;
}

export type InputProblemKind =
  | 'required'
  | 'not-a-number'
  | 'not-whole'
  | 'not-half'
  | 'negative'
  | 'too-large'
  | 'exceeds'
  | 'unknown-college'
  | 'not-an-object';

export interface InputProblem {
  /** the field's path, e.g. school.courseHours or colleges.science.freshmen */
  field: string;
  kind: InputProblemKind;
  /** the bound (too-large) */
  limit?: number;
  /** the field it must not exceed (exceeds) */
  other?: string;
}

interface FieldRule {
  max: number;
  /** whole numbers; otherwise multiples of 0.5 */
  whole: boolean;
  optional?: boolean;
}

export const SCHOOL_FIELDS: Record<keyof SchoolInputs, FieldRule> = {
  centreStaff: { max: 1000, whole: true },
  courseHours: { max: 500, whole: true },
  courseCredits: { max: 20, whole: false },
};

export const COLLEGE_FIELDS: Record<keyof CollegeInputs, FieldRule> = {
  freshmen: { max: 200_000, whole: true },
  freshmenScreened: { max: 200_000, whole: true },
  returning: { max: 200_000, whole: true },
  returningScreened: { max: 200_000, whole: true },
  staff: { max: 1000, whole: true },
  courseHours: { max: 500, whole: true, optional: true },
  courseCredits: { max: 20, whole: false, optional: true },
};

/** A number, or the text of one ("12", " 2.5 "); empty or absent: undefined. */
function readNumber(v: unknown): number | undefined | 'nan' {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'nan';
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return undefined;
    return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : 'nan';
  }
  return 'nan';
}

function readField(
  raw: Record<string, unknown>,
  key: string,
  field: string,
  rule: FieldRule,
  problems: InputProblem[],
): number | null {
  const n = readNumber(raw[key]);
  if (n === undefined) {
    if (!rule.optional) problems.push({ field, kind: 'required' });
    return null;
  }
  if (n === 'nan') return (problems.push({ field, kind: 'not-a-number' }), null);
  if (n < 0) return (problems.push({ field, kind: 'negative' }), null);
  if (rule.whole && !Number.isInteger(n)) return (problems.push({ field, kind: 'not-whole' }), null);
  if (!rule.whole && !Number.isInteger(n * 2)) return (problems.push({ field, kind: 'not-half' }), null);
  if (n > rule.max) return (problems.push({ field, kind: 'too-large', limit: rule.max }), null);
  return n;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a submission against the school's colleges: every college's row is required, a college not
 * of the school is refused, and no screened count may exceed its headcount. Every problem at once.
 */
export function parseIndicatorInputs(
  raw: unknown,
  collegeIds: readonly string[],
): { inputs: IndicatorInputs; problems?: undefined } | { problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const body = isObject(raw) ? raw : {};
  if (!isObject(raw)) problems.push({ field: '(inputs)', kind: 'not-an-object' });
  const schoolRaw = isObject(body.school) ? body.school : {};
  const school: Record<string, number | null> = {};
  for (const [key, rule] of Object.entries(SCHOOL_FIELDS))
    school[key] = readField(schoolRaw, key, `school.${key}`, rule, problems);

  const collegesRaw = isObject(body.colleges) ? body.colleges : {};
  for (const id of Object.keys(collegesRaw))
    if (!collegeIds.includes(id)) problems.push({ field: `colleges.${id}`, kind: 'unknown-college' });
  const colleges: Record<string, CollegeInputs> = {};
  for (const id of collegeIds) {
    const row = isObject(collegesRaw[id]) ? (collegesRaw[id] as Record<string, unknown>) : {};
    const c: Record<string, number | null> = {};
    for (const [key, rule] of Object.entries(COLLEGE_FIELDS))
      c[key] = readField(row, key, `colleges.${id}.${key}`, rule, problems);
    for (const [screened, total] of [
      ['freshmenScreened', 'freshmen'],
      ['returningScreened', 'returning'],
    ] as const) {
      const s = c[screened];
      const t = c[total];
      if (s != null && t != null && s > t)
        problems.push({ field: `colleges.${id}.${screened}`, kind: 'exceeds', other: `colleges.${id}.${total}` });
    }
    colleges[id] = c as unknown as CollegeInputs;
  }
  if (problems.length) return { problems };
  return { inputs: { school: school as unknown as SchoolInputs, colleges } };
}

/**
 * What is wrong, in English ("must be at most 1000"); `other` names the figure it must not exceed.
 * The JSON API's text below, and the English page's (server/platform/i18n/indicators.ts).
 */
export function inputProblemWords(p: InputProblem, other: string): string {
  const what: Record<InputProblemKind, string> = {
    required: 'required',
    'not-a-number': 'must be a number',
    'not-whole': 'must be a whole number',
    'not-half': 'must be a multiple of 0.5',
    negative: 'must not be negative',
    'too-large': `must be at most ${p.limit}`,
    exceeds: `must not exceed ${other}`,
    'unknown-college': 'no such college in this school',
    'not-an-object': 'send an object { school, colleges }',
  };
  return what[p.kind];
}

/** A problem in English, for the JSON API and logs: `colleges.science.freshmen: required`. */
export function inputProblemText(p: InputProblem): string {
  return `${p.field}: ${inputProblemWords(p, String(p.other))}`;
}
