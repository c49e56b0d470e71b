/**
 * The semester simulation on the time-skipping server: the 2024 autumn semester for three
 * colleges with different policies, checked count by count and instant by instant against the
 * planner.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCalendarFile, loadTemplateFile } from '../domain/load';
import { planSemester } from '../domain/planner';
import { completionTimes, parsePolicies, parsePolicy, PolicyError } from '../simulation/policy';
import { differencesFromPlan, expectedMonths, runSimulation, type SimulationResult } from '../simulation/run';

const ROOT = path.resolve(__dirname, '..');
const calendarFile = path.join(ROOT, 'calendars', '2024-autumn.json');
const templateFile = path.join(ROOT, 'checklists', 'runxin-2024-autumn.json');

describe('semester simulation (time-skipping, per-task model)', () => {
  let result: SimulationResult;
  const policies = parsePolicies('on-time,none,late:2');
  const plan = planSemester({
    semesterId: 'simulation',
    template: loadTemplateFile(templateFile).data,
    calendar: loadCalendarFile(calendarFile).data,
    colleges: [{ id: 'college-01' }, { id: 'college-02' }, { id: 'college-03' }],
  });

  test('When the 2024 autumn semester runs for three colleges, then every count equals the plan', async () => {
    result = await runSimulation({ calendarFile, templateFile, colleges: 3, policies, model: 'per-task' });
    expect(result.colleges.map((c) => c.policy)).toEqual(['on-time', 'none', 'late:2']);
    for (const [i, c] of result.colleges.entries()) {
      const tasks = plan.tasks.filter((t) => t.collegeId === c.college);
      expect(tasks).toHaveLength(54);
      expect(c.months).toEqual(expectedMonths(tasks, completionTimes(policies[i]!, tasks)));
    }
    expect(differencesFromPlan(result, policies)).toEqual([]);
    // the on-time college was never escalated, the others always
    expect(
      result.colleges[0]!.months.every((m) => m.escalatedL1 === 0 && m.escalatedL2 === 0 && m.onTime === m.planned),
    ).toBe(true);
    expect(
      result.colleges[1]!.months.every(
        (m) => m.escalatedL1 === m.planned && m.escalatedL2 === m.planned && m.open === m.planned,
      ),
    ).toBe(true);
    expect(result.colleges[2]!.months.every((m) => m.late === m.planned && m.escalatedL2 === m.planned)).toBe(true);
  }, 120_000);

  test('When a college never completes, then level 1 comes at each due time and level 2 at the ladder instant', () => {
    const none = plan.tasks.filter((t) => t.collegeId === 'college-02');
    const events = result.timeline.filter((e) => e.college === 'college-02');
    for (const t of none) {
      const mine = events.filter((e) => e.taskId === t.id);
      expect(mine.filter((e) => e.action === 'overdue').map((e) => e.at)).toEqual([t.dueAt]);
      expect(mine.filter((e) => e.action === 'escalated').map((e) => e.at)).toEqual([t.level2At]);
      expect(mine.filter((e) => e.action === 'reminded').map((e) => e.at)).toEqual(t.remindAts);
      expect(mine.filter((e) => e.action === 'opened').map((e) => e.at)).toEqual([t.openAt]);
    }
    // e.g. the kick-off meeting: due Sat 14 Sept 17:00 (a make-up working day), level 2 two days later
    const kickoff = events.filter((e) => e.taskId.endsWith('2024-09-01-kickoff-meeting'));
    expect(kickoff.map((e) => [e.local, e.action])).toEqual([
      ['2024-09-02 08:00', 'opened'],
      ['2024-09-11 17:00', 'reminded'],
      ['2024-09-13 17:00', 'reminded'],
      ['2024-09-14 17:00', 'overdue'],
      ['2024-09-16 17:00', 'escalated'],
    ]);
  });

  test('When a college completes on time, then its timeline has no escalation and every completion is by the owner', () => {
    const onTime = result.timeline.filter((e) => e.college === 'college-01');
    expect(onTime.some((e) => e.action === 'overdue' || e.action === 'escalated')).toBe(false);
    const completions = onTime.filter((e) => e.action === 'completed');
    expect(completions).toHaveLength(54);
    for (const e of completions)
      expect(e.actor).toMatch(/^college-01-(college_leader|psych_counsellor|counsellor|class_teacher)$/);
    // the timeline is in time order
    const ats = result.timeline.map((e) => e.at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
  });

  test('When a policy is malformed, then it is refused by name', () => {
    expect(() => parsePolicy('sometimes')).toThrow(PolicyError);
    expect(() => parsePolicies('on-time,late:x')).toThrow(
      'unknown policy "late:x": use on-time, none, late:DAYS or random:SEED',
    );
    expect(parsePolicy('random:42')).toEqual({ kind: 'random', seed: 42 });
  });
});
