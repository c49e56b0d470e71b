/**
 * `npm run simulate -- --model ladder` (simulation/run.ts): the same semester on the college
 * ladder model (ADR 0005) gives the per-task model's counts, checked against the plan.
 */
import path from 'node:path';
import { expect, test } from 'vitest';
import { parsePolicies } from '../simulation/policy';
import { differencesFromPlan, runSimulation } from '../simulation/run';

const ROOT = path.resolve(__dirname, '..');

test("When the 2024 autumn semester is simulated on the ladder model for two colleges, then every count equals the plan and the timeline is the per-task model's actions", async () => {
  const policies = parsePolicies('late:2,none');
  const result = await runSimulation({
    calendarFile: path.join(ROOT, 'calendars', '2024-autumn.json'),
    templateFile: path.join(ROOT, 'checklists', 'runxin-2024-autumn.json'),
    colleges: 2,
    policies,
    model: 'ladder',
  });
  expect(differencesFromPlan(result, policies)).toEqual([]);
  expect(result.colleges.map((c) => c.policy)).toEqual(['late:2', 'none']);
  // every task is opened once, and the late college's tasks are completed late, by their owner
  const opened = result.timeline.filter((e) => e.action === 'opened');
  expect(opened.length).toBe(result.plan.length);
  const late = result.timeline.filter((e) => e.action === 'completed-late');
  expect(late.length).toBe(result.plan.filter((t) => t.collegeId === 'college-01').length);
  expect(new Set(late.map((e) => e.actor.startsWith('college-01-')))).toEqual(new Set([true]));
}, 300_000);
