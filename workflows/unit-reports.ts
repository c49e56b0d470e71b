/**
 * unitReports (issue 16 part 2; ADR 0001, the scale pattern of ADR 0005 and college-ladder.ts): the
 * weekly class and dorm reports (心理委员周报) of ONE college in ONE semester, for all its units.
 *
 * It plans the semester's report weeks once (domain/units.ts reportWeeks, by an activity) and sleeps
 * until the next instant at which a week has a step: opened (a row per unit, status open), reminded
 * (the reporters of the units not yet filed), overdue (open → overdue, the reporters told) and
 * escalated (overdue → escalated, the units' class teachers and the college's counsellors told). At
 * each wake ONE local activity moves every unit due then, in one transaction; the external channels
 * follow in one non-blocking activity per event. A filing is a row write (the units feature): a
 * filed row is never moved. The workflow continues as new before its history grows large, and ends
 * when the last week has escalated.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { UnitReportActivities } from '../activities/unit-reports';
import type { UnitReportsInput, UnitWeekStep, UnitReportWeekPlan } from '../contracts/units';
import { deliverLogged } from './deliveries';
import { MINUTE_STEP_OPTIONS } from './options';

const { planUnitReports } = proxyActivities<UnitReportActivities>(MINUTE_STEP_OPTIONS);
const { moveUnitReports } = proxyLocalActivities<UnitReportActivities>(MINUTE_STEP_OPTIONS);

/** Wakes per run before continuing as new (about 4 per week: a semester fits in one run or two). */
export const UNIT_REPORT_WAKES_PER_RUN = 60;

const ORDER = { opened: 0, reminded: 1, overdue: 2, escalated: 3 } as const;

/** Every step of the plan, in time order (within one instant: opened, reminded, overdue, escalated). */
export function unitWeekSteps(weeks: readonly UnitReportWeekPlan[]): UnitWeekStep[] {
  const steps: UnitWeekStep[] = [];
  for (const w of weeks) {
    const key = (a: string) => `w${String(w.weekNo).padStart(2, '0')}/${a}`;
    const base = { weekNo: w.weekNo, dueAt: w.dueAt };
    steps.push({ ...base, key: key('opened'), action: 'opened', at: w.openAt });
    if (w.remindAt !== null) steps.push({ ...base, key: key('reminded'), action: 'reminded', at: w.remindAt });
    steps.push({ ...base, key: key('overdue'), action: 'overdue', at: w.dueAt });
    steps.push({ ...base, key: key('escalated'), action: 'escalated', at: w.escalateAt });
  }
  return steps.sort((a, b) => a.at - b.at || ORDER[a.action] - ORDER[b.action] || a.weekNo - b.weekNo);
}

export async function unitReportsWorkflow(input: UnitReportsInput): Promise<{ steps: number }> {
  const weeks =
    input.carried?.weeks ?? (await planUnitReports({ semesterId: input.semesterId, collegeId: input.collegeId })).weeks;
  const done = new Set(input.carried?.done ?? []);
  const steps = unitWeekSteps(weeks);
  let deliveries = 0;

  for (let wakes = 0; ;) {
    const pending = steps.filter((s) => !done.has(s.key));
    const next = pending[0];
    if (!next) break;
    if ((wakes >= UNIT_REPORT_WAKES_PER_RUN || workflowInfo().continueAsNewSuggested) && deliveries === 0) {
      await continueAsNew<typeof unitReportsWorkflow>({
        semesterId: input.semesterId,
        collegeId: input.collegeId,
        carried: { weeks, done: [...done] },
      });
    }
    const wait = next.at - Date.now();
    if (wait > 0) await sleep(wait);
    wakes += 1;
    const now = Date.now();
    const due = pending.filter((s) => s.at <= now);
    for (const s of due) done.add(s.key);
    const { notify } = await moveUnitReports({ semesterId: input.semesterId, collegeId: input.collegeId, steps: due });
    for (const eventKey of notify) {
      deliveries += 1;
      void deliverLogged(eventKey, () => void (deliveries -= 1));
    }
  }
  await condition(() => allHandlersFinished() && deliveries === 0);
  return { steps: steps.length };
}
