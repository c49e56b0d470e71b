/** Starts bench:completion's open tasks (see completion.ts): per-task workflows or college ladders. */
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { createStore } from '../db/store';
import type { planSemester } from '../domain/planner';
import type { CollegeLadderInput, LadderPlan } from '../contracts';
import { collegeLadderWorkflowId } from '../contracts/ids';
import type { TaskInput } from '../contracts';
import { CollegeIdKey, SemesterIdKey, TaskKindKey } from '../contracts/search-attributes';
import { QUEUE, semesterOf, START_CONCURRENCY, type Model } from './completion-args';
import { pool, sleep } from './services';

export type Planned = ReturnType<typeof planSemester>['tasks'][number];

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
  if (o.model === 'ladder') {
    // one ladder per college, started as the semester workflow starts them: signed, indexed by semester and college
    const byCollege = new Map<string, Planned[]>();
    for (const t of o.planned) byCollege.set(t.collegeId, [...(byCollege.get(t.collegeId) ?? []), t]);
    await pool([...byCollege], START_CONCURRENCY, async ([collegeId, tasks]) => {
      const plan: LadderPlan = {
        endsAt: o.endsAt,
        evidence: Object.fromEntries(tasks.map((t) => [t.templateTaskId, o.evidence.get(t.templateTaskId)!])),
        tasks: tasks.map((t) => ({
          taskId: t.id,
          templateTaskId: t.templateTaskId,
          ownerRole: t.ownerRole,
          openAt: t.openAt,
          dueAt: t.dueAt,
          remindAts: t.remindAts,
          level2At: t.level2At,
        })),
      };
      const input: CollegeLadderInput = { semesterId, collegeId, searchAttributes: true, plan };
      await o.client.workflow.start('collegeLadderWorkflow', {
        workflowId: collegeLadderWorkflowId(semesterId, collegeId),
        taskQueue: QUEUE,
        args: [input],
        typedSearchAttributes: [
          { key: SemesterIdKey, value: semesterId },
          { key: CollegeIdKey, value: collegeId },
        ],
      });
    });
  } else {
    await pool(o.planned, START_CONCURRENCY, async ({ id, ...t }) => {
      const input: TaskInput = { ...t, taskId: id, evidence: o.evidence.get(t.templateTaskId)! };
      await o.client.workflow.start('taskWorkflow', {
        workflowId: id,
        taskQueue: QUEUE,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [
          { key: SemesterIdKey, value: t.semesterId },
          { key: CollegeIdKey, value: t.collegeId },
          { key: TaskKindKey, value: t.kind },
        ],
      });
    });
  }
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
