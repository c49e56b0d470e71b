/**
 * Restarting a workflow stopped outside the app (issue 10, finding 3), by the school admin: any of
 * them again under the same workflow id. A case keeps the steps already taken (CrisisInput.resume,
 * seeded from its timeline, ./resume.ts) and waits only for what is still open; a pairing restarts
 * its clock from the last talk recorded; a screening follow-up keeps its interview deadline.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
  type Workflow,
} from '@temporalio/client';
import type { Knex } from 'knex';
import { getCareSettings } from '../../../db/repositories/care';
import { isMarked } from '../../../db/ended-workflows';
import { schoolCrisisCase, schoolPairing, schoolScreeningWarning } from '../../../db/repositories/stopped-rows';
import type { Store, WorkflowRowKind } from '../../../db/store';
import { pairingClock, screeningDurations } from '../../../domain/care';
import { pairingWorkflow } from '../../../workflows/pairing';
import { type PairingInput } from '../../../contracts';
import { screeningFollowUpWorkflow } from '../../../workflows/screening-follow-up';
import { type ScreeningInput } from '../../../contracts';
import { crisisCaseWorkflow } from '../../../workflows';
import { type CrisisDurations } from '../../../contracts';
import { DEFAULT_CRISIS_DURATIONS } from '../../../domain/care-durations';
import { type Situation } from '../../../contracts';
import { NotFoundError } from '../../platform/errors';
import type { Actor } from '../../../contracts';
import { restartTask, TaskRejectedError } from '../tasks/use-cases';
import { resumeFromTimeline } from './resume';

type RestartDeps = { client: Client; store: Store; knex: Knex; taskQueue: string; schoolId: string };

/**
 * Starts a workflow again under its id: refused while it runs; the id-reuse policy allows a new
 * run only after one that did not complete. Clears the mark and audits the restart.
 */
async function startAgain<W extends Workflow>(
  deps: RestartDeps,
  kind: WorkflowRowKind,
  id: string,
  workflowId: string,
  workflow: W,
  args: Parameters<W>,
  actor: Actor,
  details: Record<string, unknown> = {},
): Promise<{ runId: string }> {
  const d = await deps.client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  if (d?.status.name === 'RUNNING')
    throw new TaskRejectedError(`this ${KIND_WORDS[kind]}'s workflow is running; there is nothing to restart`);
  try {
    const handle = await deps.client.workflow.start(workflow, {
      workflowId,
      taskQueue: deps.taskQueue,
      args,
      // a new run only after one that did not complete (terminated, cancelled, failed, timed out)
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    } as Parameters<Client['workflow']['start']>[1]);
    if (isMarked(kind)) await deps.store.clearWorkflowEnded(kind, id);
    await deps.store.appendAudit({
      eventKey: `${workflowId}/workflow-restarted:${handle.firstExecutionRunId}`,
      subjectType: kind,
      subjectId: id,
      action: 'workflow-restarted',
      actor: actor.userId,
      at: Date.now(),
      details: { runId: handle.firstExecutionRunId, ...details },
    });
    return { runId: handle.firstExecutionRunId };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError)
      throw new TaskRejectedError(`this ${KIND_WORDS[kind]}'s workflow completed; it is not restarted`);
    throw e;
  }
}

const KIND_WORDS: Record<WorkflowRowKind, string> = {
  task: 'task',
  crisis: 'case',
  pairing: 'pairing',
  screening: 'follow-up',
};

/** Starts a stopped crisis case again (school admin) with the steps already taken, under the same workflow id. */
export async function restartCase(deps: RestartDeps, caseId: string, actor: Actor): Promise<{ runId: string }> {
  const row = await schoolCrisisCase(deps.knex, deps.schoolId, caseId);
  if (!row) throw new NotFoundError(`unknown case ${caseId}`);
  if (row.status === 'closed')
    throw new TaskRejectedError('this case is closed; only a stopped open case can be restarted');
  const reportedAt = Number(row.reported_at);
  const resume = resumeFromTimeline(await deps.store.listAudit({ subjectType: 'crisis', subjectId: caseId }), {
    situation: row.situation,
    reportedAt,
  });
  const durations = row.durations ? (JSON.parse(row.durations) as CrisisDurations) : DEFAULT_CRISIS_DURATIONS;
  const input = {
    caseId,
    collegeId: row.college_id,
    situation: row.situation as Situation,
    reportedAt,
    reportedBy: row.reported_by,
    durations,
    resume,
  };
  return startAgain(deps, 'crisis', caseId, `crisis.${caseId}`, crisisCaseWorkflow, [input], actor, {
    resumed: Object.keys(resume),
  });
}

/** Starts a stopped pairing again: its clock runs from the last talk recorded (or the pairing), with the interval it was paired with. */
export async function restartPairing(deps: RestartDeps, pairingId: string, actor: Actor): Promise<{ runId: string }> {
  const row = await schoolPairing(deps.knex, deps.schoolId, pairingId);
  if (!row) throw new NotFoundError(`unknown pairing ${pairingId}`);
  if (row.status !== 'active' || !row.teacher_user_id)
    throw new TaskRejectedError(`this pairing is ${row.status}; only a stopped active pairing can be restarted`);
  const clock = pairingClock(await getCareSettings(deps.knex, deps.schoolId));
  const input: PairingInput = {
    pairingId,
    collegeId: row.college_id,
    teacherUserId: row.teacher_user_id,
    lastTalkAt: Number(row.last_talk_at ?? row.started_at ?? row.created_at),
    talkEveryMs: row.talk_every_ms != null ? Number(row.talk_every_ms) : clock.talkEveryMs,
    remindBeforeMs: clock.remindBeforeMs,
    schoolAfterMs: clock.schoolAfterMs,
  };
  return startAgain(deps, 'pairing', pairingId, `pairing.${pairingId}`, pairingWorkflow, [input], actor);
}

/** Starts a stopped screening follow-up again, with its interview deadline as imported. */
export async function restartFollowUp(deps: RestartDeps, warningId: string, actor: Actor): Promise<{ runId: string }> {
  const row = await schoolScreeningWarning(deps.knex, deps.schoolId, warningId);
  if (!row) throw new NotFoundError(`unknown screening warning ${warningId}`);
  if (row.status !== 'open')
    throw new TaskRejectedError(`this follow-up is ${row.status}; only a stopped open follow-up can be restarted`);
  const durations = screeningDurations(await getCareSettings(deps.knex, deps.schoolId));
  const input: ScreeningInput = {
    warningId,
    collegeId: row.college_id,
    level: row.level,
    importedAt: Number(row.imported_at),
    dueAt: Number(row.interview_due_at),
    reminderBeforeMs: durations.reminderBeforeMs,
    schoolAfterMs: durations.schoolAfterMs,
  };
  return startAgain(deps, 'screening', warningId, `screening.${warningId}`, screeningFollowUpWorkflow, [input], actor);
}

export const RESTARTABLE = ['task', 'crisis', 'pairing', 'screening'] as const;

/** The admin's restart of a stopped task, case, pairing or screening follow-up. */
export async function restartStopped(
  deps: Omit<RestartDeps, 'client'> & { client?: Client },
  kind: string,
  id: string,
  actor: Actor,
): Promise<{ kind: WorkflowRowKind; id: string; runId: string }> {
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const d = { ...deps, client: deps.client };
  switch (kind) {
    case 'task': {
      const task = await deps.store.getTaskInstance(id);
      const semester = task ? await deps.store.getSemester(task.semesterId) : undefined;
      if (!task || semester?.schoolId !== deps.schoolId) throw new NotFoundError(`unknown task ${id}`);
      const { runId } = await restartTask(d.client, deps.store, id, deps.taskQueue, actor);
      return { kind, id, runId };
    }
    case 'crisis':
      return { kind, id, ...(await restartCase(d, id, actor)) };
    case 'pairing':
      return { kind, id, ...(await restartPairing(d, id, actor)) };
    case 'screening':
      return { kind, id, ...(await restartFollowUp(d, id, actor)) };
  }
  throw new NotFoundError(`unknown kind ${kind}: one of ${RESTARTABLE.join(', ')}`);
}
