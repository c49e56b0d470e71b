/** Starts bench:completion's open tasks (see completion.ts): per-task workflows or college ladders. */
import type { Client } from '@temporalio/client';
import type { createStore } from '../db/store';
import type { TaskInput } from '../contracts';
import { QUEUE, semesterOf, START_CONCURRENCY, type Model } from './completion-args';
import { sleep } from './services';
import { startPlanned, type Planned } from './start-workflows';

export type { Planned };

/** Starts the model's workflows for `planned` (all open an hour ago) and waits until the read model shows them open. */
export async function startModel(o: {
  model: Model;
  client: Client;
  knex: Parameters<typeof createStore>[0];
  planned: Planned[];
  evidence: Map<string, TaskInput['evidence']>;
  endsAt: number;
}): Promise<void> {
  const s0 = Date.now();
  const semesterId = semesterOf(o.model);
  await startPlanned({ ...o, queue: QUEUE, semesterId, concurrency: START_CONCURRENCY });
  const countOpen = async () =>
    Number(
      (
        (await o.knex('task_instances').where({ semester_id: semesterId, status: 'open' }).count({ n: '*' })) as Array<{
          n: number | string;
        }>
      )[0]!.n,
    );
  for (let i = 0; (await countOpen()) < o.planned.length; i++) {
    if (i > 600)
      throw new Error(`${o.model}: only ${await countOpen()} of ${o.planned.length} tasks opened within 10 min`);
    await sleep(1000);
  }
  console.log(
    `${o.model}: ${o.planned.length} tasks open after ${((Date.now() - s0) / 1000).toFixed(1)} s (${o.model === 'ladder' ? `${new Set(o.planned.map((t) => t.collegeId)).size} college ladders` : 'one task workflow each'})`,
  );
}
