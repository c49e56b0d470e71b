/**
 * The facts of the indicators (domain/indicators.ts) from the rows db/repositories/indicators.ts reads:
 * interviews within their deadline, crisis steps within their limits, key-care plans reviewed this
 * month, and the semester's period. Pure.
 */
import { DateTime } from 'luxon';
import type { CrisisDurations } from '../contracts/crisis';
import { normaliseCrisisDurations } from './care-durations';
import type { RateFacts } from './indicators';

/** Screening warnings: one counts once its deadline has passed or it was interviewed; done when interviewed by the deadline. */
export function interviewFacts(
  rows: Array<{ collegeId: string; dueAt: number; interviewedAt: number | null }>,
  asOf: number,
): Map<string, RateFacts> {
  const out = new Map<string, RateFacts>();
  for (const r of rows) {
    if (r.interviewedAt === null && r.dueAt > asOf) continue;
    const f = out.get(r.collegeId) ?? { done: 0, of: 0 };
    f.of += 1;
    if (r.interviewedAt !== null && r.interviewedAt <= r.dueAt) f.done += 1;
    out.set(r.collegeId, f);
  }
  return out;
}

export interface CrisisCaseFacts {
  collegeId: string;
  situation: string;
  reportedAt: number;
  durations: Partial<CrisisDurations> | null;
  onSceneAt: number | null;
  schoolNotifiedAt: number | null;
  handedOverAt: number | null;
}

/**
 * The timed steps of each crisis case (seed 003 §7): on-scene acknowledgement, the school departments
 * notified, and, for a risk of self-harm, the hand-over to the parents within the supervision. A step
 * counts once it is done or its limit has passed; it is done in time when taken by its limit
 * (reported + the case's duration). Also the number of cases per college.
 */
export function crisisStepFacts(cases: CrisisCaseFacts[], asOf: number): Map<string, RateFacts & { cases: number }> {
  const out = new Map<string, RateFacts & { cases: number }>();
  for (const c of cases) {
    const d = normaliseCrisisDurations(c.durations);
    const f = out.get(c.collegeId) ?? { done: 0, of: 0, cases: 0 };
    f.cases += 1;
    const steps: Array<[number | null, number]> = [
      [c.onSceneAt, d.onSceneAckMs],
      [c.schoolNotifiedAt, d.schoolNotifyMs],
    ];
    if (c.situation === 'self_harm_risk') steps.push([c.handedOverAt, d.supervisionMs]);
    for (const [at, limit] of steps) {
      const due = c.reportedAt + limit;
      if (at === null && due > asOf) continue;
      f.of += 1;
      if (at !== null && at <= due) f.done += 1;
    }
    out.set(c.collegeId, f);
  }
  return out;
}

/** The first instant of asOf's month in the school's zone. */
export function monthStart(asOf: number, zone: string): number {
  return DateTime.fromMillis(asOf, { zone }).startOf('month').toMillis();
}

/**
 * Key-care students (active entries) whose plan was reviewed this month: the entry was written
 * (added or its plan changed) since the month began, or their ledger entry has a follow-up since then.
 */
export function keyCareFacts(
  rows: Array<{ collegeId: string; updatedAt: number; lastFollowUpAt: number | null }>,
  since: number,
): Map<string, RateFacts> {
  const out = new Map<string, RateFacts>();
  for (const r of rows) {
    const f = out.get(r.collegeId) ?? { done: 0, of: 0 };
    f.of += 1;
    if (r.updatedAt >= since || (r.lastFollowUpAt !== null && r.lastFollowUpAt >= since)) f.done += 1;
    out.set(r.collegeId, f);
  }
  return out;
}

/** The semester's period from its calendar: [start of semesterStart, end of semesterEnd) in the zone. */
export function semesterPeriod(c: { semesterStart: string; semesterEnd: string; timezone: string }): {
  from: number;
  until: number;
} {
  const from = DateTime.fromISO(c.semesterStart, { zone: c.timezone }).startOf('day');
  const until = DateTime.fromISO(c.semesterEnd, { zone: c.timezone }).plus({ days: 1 }).startOf('day');
  if (!from.isValid || !until.isValid) throw new Error('the calendar has no valid semesterStart / semesterEnd');
  return { from: from.toMillis(), until: until.toMillis() };
}
