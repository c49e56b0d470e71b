/** The time-skipping harness of a simulation (simulation/run.ts): waiting, skipping time, capturing histories. */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PlannedTask } from '../domain/planner';
import { collegeLadderWorkflowId, collegeSemesterWorkflowId, semesterWorkflowId } from '../contracts';
import { policyLabel, type Policy } from './policy';

/** Waits until `count` has not changed for `stableMs` (at most `maxMs`). */
export async function quiesce(count: () => Promise<number>, stableMs = 1000, maxMs = 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = await count();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const n = await count();
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= stableMs) return;
  }
}

/** Writes the history of the workflow's latest run as `<dir>/<name>.history.pb`; its number of events. */
export async function saveHistory(client: Client, dir: string, workflowId: string, name: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // binary protobuf: exact, and independent of the JSON mapping of the proto library in use
  fs.writeFileSync(path.join(dir, `${name}.history.pb`), temporal.api.history.v1.History.encode(history).finish());
  return history.events?.length ?? 0;
}

/** Histories of the semester, each college-semester run and a few tasks per college (ladder: each college's ladder). */
export async function captureHistories(
  client: Client,
  dir: string,
  semesterId: string,
  colleges: ReadonlyArray<{ id: string; policy: Policy }>,
  plan: PlannedTask[],
  model: 'per-task' | 'ladder',
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const save = (workflowId: string, name: string) => saveHistory(client, dir, workflowId, name);
  await save(semesterWorkflowId(semesterId), model === 'ladder' ? 'semester.ladder' : 'semester');
  if (model === 'ladder') {
    for (const c of colleges)
      await save(
        collegeLadderWorkflowId(semesterId, c.id),
        `ladder.simulated.${policyLabel(c.policy).replace(':', '-')}`,
      );
    return;
  }
  for (const c of colleges) {
    await save(
      collegeSemesterWorkflowId(semesterId, c.id),
      `college-semester.${policyLabel(c.policy).replace(':', '-')}`,
    );
    const tasks = plan.filter((t) => t.collegeId === c.id);
    for (const t of [tasks[0]!, tasks.find((x) => x.kind === 'before-holiday')!, tasks.at(-1)!]) {
      await save(
        t.id,
        `task.${policyLabel(c.policy).replace(':', '-')}.${t.templateTaskId}${t.occurrence ? `.${t.occurrence}` : ''}`,
      );
    }
  }
}

/** Skips simulated time to `at`, firing every timer before it. */
export async function sleepUntil(env: TestWorkflowEnvironment, at: number): Promise<void> {
  const ms = at - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
