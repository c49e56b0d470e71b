/**
 * The school's indicators as a user may see them (issue 16 part 3): the semester's facts from the
 * repository, the school's latest inputs, and domain/indicators.ts's norms, values, verdicts and worst
 * colleges. The school administration (the counselling centre) sees the school and every college; a
 * college leader their own college's row only (no school value, no other college); anyone else 403.
 */
import type { Knex } from 'knex';
import {
  classReportRates,
  crisisCaseRows,
  interviewRows,
  keyCareRows,
  latestIndicatorInputs,
} from '../../../../db/repositories/indicators';
import type { College, Semester, Store } from '../../../../db/store';
import { evaluateIndicators, type CollegeValue, type IndicatorId, type UnitValue } from '../../../../domain/indicators';
import {
  crisisStepFacts,
  interviewFacts,
  keyCareFacts,
  monthStart,
  semesterPeriod,
} from '../../../../domain/indicators-facts';
import { indicatorsRefusal, indicatorsScope } from '../../../../domain/permissions';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import type { SessionUser } from '../../../platform/auth/context';

export interface IndicatorsDeps {
  knex: Knex;
  store: Store;
  /** the clock (epoch ms) */
  now: number;
}

export interface ShownIndicator {
  id: IndicatorId;
  /** the school's value; null for a college leader */
  school: UnitValue | null;
  colleges: CollegeValue[];
  worst: CollegeValue[];
}

export interface IndicatorsView {
  semester: Semester;
  zone: string;
  /** the instant the values are as of: now, or the semester's end when it is over */
  asOf: number;
  period: { from: number; until: number };
  /** true: the school and every college; false: the user's college only */
  school: boolean;
  colleges: College[];
  indicators: ShownIndicator[];
  /** the inputs' version shown, null when none were entered */
  inputs: { version: number; enteredBy: string; enteredAt: number } | null;
}

/** Throws 403 unless the user may see indicators; answers the scope. */
export function assertIndicatorsReader(user: SessionUser): { all: true } | { collegeId: string } {
  const scope = indicatorsScope({ userId: user.id, role: user.role, collegeId: user.collegeId });
  if (!scope) throw new ForbiddenError(indicatorsRefusal({ userId: user.id, role: user.role, collegeId: null })!);
  return scope;
}

/** ?semester=ID of the user's school, else its latest started semester, else its latest. */
export async function indicatorSemester(store: Store, user: SessionUser, id: unknown): Promise<Semester> {
  if (id !== undefined && id !== '') {
    if (typeof id !== 'string') throw new BadRequestError('semester must be one semester id');
    const s = await store.getSemester(id);
    if (!s || s.schoolId !== user.schoolId) throw new NotFoundError(`unknown semester ${id}`);
    return s;
  }
  const all = await store.listSemesters(user.schoolId);
  const s = all.find((x) => x.status !== 'planned') ?? all[0];
  if (!s) throw new NotFoundError('the school has no semester yet');
  return s;
}

/** The semester's period and zone from its calendar (the school's zone when the calendar names none). */
export async function periodOf(
  store: Store,
  semester: Semester,
): Promise<{ from: number; until: number; zone: string }> {
  const calendar = await store.getCalendar(semester.calendarId);
  if (!calendar) throw new NotFoundError(`unknown calendar ${semester.calendarId}`);
  const body = JSON.parse(calendar.body) as { semesterStart?: string; semesterEnd?: string; timezone?: string };
  const zone = body.timezone ?? (await store.getSchool(semester.schoolId))?.timezone ?? 'Asia/Shanghai';
  if (!body.semesterStart || !body.semesterEnd)
    throw new BadRequestError(`calendar ${semester.calendarId} has no semesterStart / semesterEnd`);
  return {
    ...semesterPeriod({ semesterStart: body.semesterStart, semesterEnd: body.semesterEnd, timezone: zone }),
    zone,
  };
}

/** The indicators of a semester (the latest started one when none is named), as the user may see them. */
export async function readIndicators(
  deps: IndicatorsDeps,
  user: SessionUser,
  semesterId?: unknown,
): Promise<IndicatorsView> {
  const scope = assertIndicatorsReader(user);
  const { knex, store } = deps;
  const semester = await indicatorSemester(store, user, semesterId);
  const { from, until, zone } = await periodOf(store, semester);
  const asOf = Math.min(deps.now, until - 1);
  const all = await store.listColleges(user.schoolId);
  const stored = await latestIndicatorInputs(knex, user.schoolId, semester.id);
  const indicators = evaluateIndicators({
    collegeIds: all.map((c) => c.id),
    inputs: stored?.inputs ?? null,
    interviews: interviewFacts(await interviewRows(knex, user.schoolId, from, until), asOf),
    crisis: crisisStepFacts(await crisisCaseRows(knex, user.schoolId, from, until), asOf),
    keyCare: keyCareFacts(await keyCareRows(knex, user.schoolId, asOf), monthStart(asOf, zone)),
    classReports: await classReportRates(knex, user.schoolId, semester.id, asOf),
  });
  const own = 'collegeId' in scope ? scope.collegeId : null;
  return {
    semester,
    zone,
    asOf,
    period: { from, until },
    school: own === null,
    colleges: own === null ? all : all.filter((c) => c.id === own),
    indicators: indicators.map((i) =>
      own === null ? i : { id: i.id, school: null, colleges: i.colleges.filter((c) => c.collegeId === own), worst: [] },
    ),
    inputs: stored ? { version: stored.version, enteredBy: stored.enteredBy, enteredAt: stored.enteredAt } : null,
  };
}
