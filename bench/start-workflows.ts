/**
 * Starts planned tasks' workflows as the app starts them (signed by the bench's client, with
 * search attributes), in either task model (ADR 0005): a taskWorkflow per task, or one
 * collegeLadderWorkflow per college holding its tasks. Used by bench:completion and bench:escalation.
 */
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { CollegeLadderInput, LadderPlan, TaskInput } from '../contracts';
import { collegeLadderWorkflowId } from '../contracts/ids';
import { CollegeIdKey, SemesterIdKey, TaskKindKey } from '../contracts/search-attributes';
import type { planSemester } from '../domain/planner';
import type { Model } from './lib';
import { pool } from './services-machine';

/** A planned task with the instants the bench gives it. */
export type Planned = ReturnType<typeof planSemester>['tasks'][number];

/** Starts the workflows of `planned` (all of `semesterId`), `concurrency` starts at a time; how many workflows were started. */
export async function startPlanned(o: {
  model: Model;
  client: Client;
  queue: string;
  semesterId: string;
  planned: Planned[];
  evidence: Map<string, TaskInput['evidence']>;
  /** a ladder's last instant */
  endsAt: number;
  concurrency: number;
}): Promise<number> {
  if (o.model === 'per-task') {
    await pool(o.planned, o.concurrency, async ({ id, ...t }) => {
      const input: TaskInput = { ...t, taskId: id, evidence: o.evidence.get(t.templateTaskId)! };
      await o.client.workflow.start('taskWorkflow', {
        workflowId: id,
        taskQueue: o.queue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [
          { key: SemesterIdKey, value: t.semesterId },
          { key: CollegeIdKey, value: t.collegeId },
          { key: TaskKindKey, value: t.kind },
        ],
      });
    });
    return o.planned.length;
  }
  // one ladder per college, started as the semester workflow starts them: indexed by semester and college
  const byCollege = new Map<string, Planned[]>();
  for (const t of o.planned) byCollege.set(t.collegeId, [...(byCollege.get(t.collegeId) ?? []), t]);
  await pool([...byCollege], o.concurrency, async ([collegeId, tasks]) => {
    const plan: LadderPlan = {
      endsAt: o.endsAt,
      evidence: Object.fromEntries(tasks.map((t) => [t.templateTaskId, o.evidence.get(t.templateTaskId)!])),
      tasks: tasks.map(({ id: taskId, templateTaskId, ownerRole, openAt, dueAt, remindAts, level2At }) => ({
        taskId,
        templateTaskId,
        ownerRole,
        openAt,
        dueAt,
        remindAts,
        level2At,
      })),
    };
    const input: CollegeLadderInput = { semesterId: o.semesterId, collegeId, searchAttributes: true, plan };
    await o.client.workflow.start('collegeLadderWorkflow', {
      workflowId: collegeLadderWorkflowId(o.semesterId, collegeId),
      taskQueue: o.queue,
      args: [input],
      typedSearchAttributes: [
        { key: SemesterIdKey, value: o.semesterId },
        { key: CollegeIdKey, value: collegeId },
      ],
    });
  });
  return byCollege.size;
}
