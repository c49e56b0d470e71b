/** The interview of a warned student, recorded through the follow-up workflow's Update. */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { collegeOfWarning } from '../../../../db/repositories/screening';
import { recordInterviewUpdate, type InterviewRecord, type ScreeningState } from '../../../../contracts';
import { ForbiddenError, type SessionUser } from '../../../platform/auth/context';
import { NotFoundError } from '../../../platform/errors';
import { TaskRejectedError } from '../../tasks/use-cases';
import { screeningWorkflowId } from './ids';

export interface InterviewDeps {
  client?: Client;
  knex: Knex;
}

/**
 * Records the interview of a warning through the workflow's Update; the workflow's refusal
 * reason (a missing step, another college) is passed on as written.
 */
export async function recordInterview(
  deps: InterviewDeps,
  user: SessionUser,
  warningId: string,
  record: InterviewRecord,
): Promise<ScreeningState> {
  const collegeId = await collegeOfWarning(deps.knex, warningId);
  if (!collegeId) throw new NotFoundError(`unknown warning ${warningId}`);
  if (user.collegeId !== collegeId) throw new ForbiddenError('this warning belongs to another college');
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  const actor = { userId: user.id, role: user.role, collegeId: user.collegeId };
  try {
    return await deps.client.workflow
      .getHandle(screeningWorkflowId(warningId))
      .executeUpdate(recordInterviewUpdate, { args: [{ actor, record }] });
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError)
      throw new TaskRejectedError(e.cause instanceof Error ? e.cause.message : e.message);
    throw e;
  }
}
