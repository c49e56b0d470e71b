/** Each step of the crisis procedure, through the crisis-case and supervision workflows' Updates. */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { caseStatus, schoolTimezone } from '../../../../db/repositories/crisis';
import { createStore } from '../../../../db/store';
import {
  acknowledgeOnSceneUpdate,
  checkInUpdate,
  confirmSchoolNotifiedUpdate,
  fiveOnesUpdate,
  handOverUpdate,
  recordActionUpdate,
  setGuardianUpdate,
  type BranchAction,
} from '../../../../contracts';
import { BadRequestError, type SessionUser } from '../../../platform/auth/context';
import { CLOCK_SKEW_MS, instantFrom } from '../../../platform/dates';
import { TaskRejectedError } from '../../tasks/use-cases';
import { crisisWorkflowId, supervisionWorkflowId } from './ids';
import { caseRow } from './read';

export const STEPS = [
  'on-scene',
  'school-notified',
  'action',
  'guardian',
  'check-in',
  'hand-over',
  'five-ones',
] as const;
export type CaseStep = (typeof STEPS)[number];
export const isCaseStep = (step: string): step is CaseStep => (STEPS as readonly string[]).includes(step);

/** One step of the procedure, through the workflow's Update; its refusal reason is passed on as written. */
/** `opts.updateId` (from an idempotency key) is the Update's id: a retry returns the first result. */
const SUPERVISION_STEPS = new Set<CaseStep>(['guardian', 'check-in', 'hand-over']);

export async function actOnCase(
  deps: { client?: Client; knex: Knex },
  user: SessionUser,
  caseId: string,
  step: CaseStep,
  body: Record<string, unknown>,
  opts?: { updateId?: string },
): Promise<unknown> {
  const row = await caseRow(deps.knex, user, caseId);
  // only a risk of self-harm starts the 24-hour special supervision (workflows/crisis-case.ts)
  if (SUPERVISION_STEPS.has(step) && row.situation !== 'self_harm_risk')
    throw new TaskRejectedError(
      'this case has no 24-hour special supervision: it starts only with a risk of self-harm',
    );
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const actor = { userId: user.id, role: user.role, collegeId: user.collegeId };
  const crisis = deps.client.workflow.getHandle(crisisWorkflowId(caseId));
  const supervision = deps.client.workflow.getHandle(supervisionWorkflowId(caseId));
  const uid = opts?.updateId ? { updateId: opts.updateId } : {};
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const list = (k: string) =>
    Array.isArray(body[k])
      ? (body[k] as unknown[]).map(String)
      : str(k)
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
  try {
    switch (step) {
      case 'on-scene':
        return await crisis.executeUpdate(acknowledgeOnSceneUpdate, { args: [{ actor }], ...uid });
      case 'school-notified':
        return await crisis.executeUpdate(confirmSchoolNotifiedUpdate, {
          args: [{ actor, departments: list('departments') }],
          ...uid,
        });
      case 'action':
        return await crisis.executeUpdate(recordActionUpdate, {
          args: [{ actor, action: str('action') as BranchAction }],
          ...uid,
        });
      case 'guardian':
        return await supervision.executeUpdate(setGuardianUpdate, {
          args: [{ actor, guardianUserId: str('guardianUserId') }],
          ...uid,
        });
      case 'check-in':
        return await supervision.executeUpdate(checkInUpdate, { args: [{ actor, note: str('note') }], ...uid });
      case 'hand-over': {
        const now = Date.now();
        // the hand-over happened: a real date since 2000, not in the future (give or take clock skew)
        const at =
          body.at === undefined || body.at === null || body.at === ''
            ? now
            : instantFrom(body.at, 'at (交接时间)', {
                zone: await schoolTimezone(deps.knex, user.schoolId),
                now,
                maxFutureMs: CLOCK_SKEW_MS,
              });
        return await supervision.executeUpdate(handOverUpdate, {
          args: [{ actor, receivedBy: str('receivedBy'), at, witnessedBy: list('witnessedBy') }],
          ...uid,
        });
      }
      case 'five-ones':
        return await crisis.executeUpdate(fiveOnesUpdate, {
          args: [
            {
              actor,
              leaderUserId: str('leaderUserId'),
              team: list('team'),
              plan: str('plan'),
              followUp: str('followUp'),
            },
          ],
          ...uid,
        });
    }
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError)
      throw new TaskRejectedError(e.cause instanceof Error ? e.cause.message : e.message);
    // the case's (or supervision's) workflow is no longer running: stopped outside the app, or the case is closed (409, never 500)
    if (e instanceof WorkflowNotFoundError || /already completed/i.test(e instanceof Error ? e.message : '')) {
      if ((await caseStatus(deps.knex, caseId)) === 'closed') throw new TaskRejectedError('this case is closed');
      const d = await crisis.describe().catch(() => undefined);
      const status = d?.status.name;
      if (status === 'RUNNING' || status === 'COMPLETED')
        throw new TaskRejectedError('this step is closed: the supervision has ended');
      // marked in the read model and audited once per run (server/ended-workflows.ts): the admin sees it and may restart it
      const at = Date.now();
      const store = createStore(deps.knex);
      await store.markWorkflowEnded('crisis', caseId, { at, status: status ?? 'NOT_FOUND' });
      if (d)
        await store.appendAudit({
          eventKey: `${crisisWorkflowId(caseId)}/workflow-ended:${d.runId}`,
          subjectType: 'crisis',
          subjectId: caseId,
          action: 'workflow-ended-externally',
          actor: 'system',
          at,
          details: { runId: d.runId, status },
        });
      throw new TaskRejectedError(
        "this case's workflow was stopped outside the app; the school administration can restart it",
      );
    }
    throw e;
  }
  throw new BadRequestError(`unknown step ${step}`);
}
