/**
 * An Update that the server rejected as "not processed by worker" (failure type UnprocessedUpdate)
 * never ran in the workflow, so the service sends it again with the same update id instead of
 * answering the user 409 (fault suite, web-kill: one ladder completion was refused this way).
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { Store, TaskInstanceRow } from '../db/store';
import type { TaskState } from '../contracts';
import { viaUpdate } from '../server/features/tasks/use-cases/update';
import { TaskRejectedError } from '../server/features/tasks/use-cases';
import { ServiceUnavailableError } from '../server/platform/errors';

const store = { getTaskInstance: async () => ({ id: 't1', status: 'open' }) as TaskInstanceRow } as unknown as Store;
const done = { taskId: 't1', status: 'completed' } as TaskState;
const unprocessed = () =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({
      message:
        "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not supported by the worker.",
      type: 'UnprocessedUpdate',
      nonRetryable: true,
    }),
  );

describe('an Update the server rejected as unprocessed', () => {
  it('is sent again and answers with the workflow’s result', async () => {
    let calls = 0;
    const call = async () => {
      calls += 1;
      if (calls < 3) throw unprocessed();
      return done;
    };
    await expect(viaUpdate(store, 't1', call)).resolves.toEqual(done);
    expect(calls).toBe(3);
  });

  it('gives up after four tries with a 503 (try again), never a 409 refusal', async () => {
    let calls = 0;
    const call = async (): Promise<TaskState> => {
      calls += 1;
      throw unprocessed();
    };
    const err = await viaUpdate(store, 't1', call).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(TaskRejectedError);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).status).toBe(503);
    expect((err as Error).message).toMatch(/nothing was changed, try again/);
    expect(calls).toBe(4);
  });

  it('a rejection by the workflow itself (its validator) is still a 409 at once', async () => {
    let calls = 0;
    const call = async (): Promise<TaskState> => {
      calls += 1;
      throw new WorkflowUpdateFailedError(
        'Workflow Update failed',
        ApplicationFailure.create({ message: 'this task is already completed' }),
      );
    };
    const err = await viaUpdate(store, 't1', call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskRejectedError);
    expect((err as Error).message).toBe('this task is already completed');
    expect(calls).toBe(1);
  });
});
