/** One screeningFollowUpWorkflow per warning of an import (ids only), and the ones an interrupted import did not start. */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { getCareSettings } from '../../../../db/repositories/care';
import { batchImportedAt, listOpenWarningsOfBatch } from '../../../../db/repositories/screening';
import { screeningDurations } from '../../../../domain/care';
import { screeningFollowUpWorkflow } from '../../../../workflows';
import { type ScreeningInput, type WarningLevel } from '../../../../contracts';
import { screeningWorkflowId } from './ids';
import type { Knex } from 'knex';

export type NewWarning = { id: string; collegeId: string; level: WarningLevel; dueAt: number };

/**
 * The same file again: starts nothing new, but a follow-up that an interrupted first import did
 * not start (the process died between the commit and the starts) is started now.
 */
export async function ensureFollowUps(
  deps: { knex: Knex; client: Client; taskQueue: string },
  batchId: string,
  schoolId: string,
): Promise<void> {
  const durations = screeningDurations(await getCareSettings(deps.knex, schoolId));
  const importedAt = await batchImportedAt(deps.knex, batchId);
  const open = await listOpenWarningsOfBatch(deps.knex, batchId);
  await startFollowUps(
    deps.client,
    deps.taskQueue,
    importedAt,
    open.map((w) => ({
      id: w.id,
      collegeId: w.college_id,
      level: w.level as WarningLevel,
      dueAt: Number(w.interview_due_at),
    })),
    durations,
  );
}

/** One follow-up workflow per warning; one that already exists (or existed) is left alone. */
export async function startFollowUps(
  client: Client,
  taskQueue: string,
  importedAt: number,
  warnings: NewWarning[],
  durations: { reminderBeforeMs: number; schoolAfterMs: number },
): Promise<void> {
  let next = 0;
  const startOne = async () => {
    while (next < warnings.length) {
      const w = warnings[next++]!;
      const input: ScreeningInput = {
        warningId: w.id,
        collegeId: w.collegeId,
        level: w.level,
        importedAt,
        dueAt: w.dueAt,
        reminderBeforeMs: durations.reminderBeforeMs,
        schoolAfterMs: durations.schoolAfterMs,
      };
      try {
        await client.workflow.start(screeningFollowUpWorkflow, {
          workflowId: screeningWorkflowId(w.id),
          taskQueue,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, warnings.length) }, startOne));
}
