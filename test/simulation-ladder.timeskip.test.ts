/**
 * `npm run simulate -- --model ladder` (simulation/run.ts): the same semester on the college
 * ladder model (ADR 0005) gives the per-task model's counts, checked against the plan.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { expect, test } from 'vitest';
import { patchIds } from './helpers/patches';
import { parsePolicies } from '../simulation/policy';
import { differencesFromPlan, runSimulation } from '../simulation/run';

const ROOT = path.resolve(__dirname, '..');

test("When the 2024 autumn semester is simulated on the ladder model for two colleges, then every count equals the plan and the timeline is the per-task model's actions", async () => {
  const policies = parsePolicies('late:2,none');
  const histories = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-sim-histories-'));
  const result = await runSimulation({
    calendarFile: path.join(ROOT, 'calendars', '2024-autumn.json'),
    templateFile: path.join(ROOT, 'checklists', 'runxin-2024-autumn.json'),
    colleges: 2,
    policies,
    model: 'ladder',
    captureHistoriesDir: histories,
  });
  expect(differencesFromPlan(result, policies)).toEqual([]);
  expect(result.colleges.map((c) => c.policy)).toEqual(['late:2', 'none']);
  // every task is opened once, and the late college's tasks are completed late, by their owner
  const opened = result.timeline.filter((e) => e.action === 'opened');
  expect(opened.length).toBe(result.plan.length);
  const late = result.timeline.filter((e) => e.action === 'completed-late');
  expect(late.length).toBe(result.plan.filter((t) => t.collegeId === 'college-01').length);
  expect(new Set(late.map((e) => e.actor.startsWith('college-01-')))).toEqual(new Set([true]));
  // the time-skipping server fires timers at their instant: the ladders were started with exact
  // timers (one timer per instant, no early aim), which makes the simulation faster
  const ladder = temporal.api.history.v1.History.decode(
    fs.readFileSync(path.join(histories, 'ladder.simulated.late-2.history.pb')),
  );
  expect(patchIds(ladder.events)).not.toContain('ladder-aim-early');
  const started = ladder.events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  expect(JSON.parse(Buffer.from(started.data!).toString('utf8'))).toMatchObject({ exactTimers: true });
  fs.rmSync(histories, { recursive: true, force: true });
}, 300_000);
