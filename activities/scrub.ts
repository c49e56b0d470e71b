/**
 * Database errors carry the failing SQL with its values; Temporal failure messages are not
 * encrypted by the payload codec. Activities that write student-related data rethrow only the
 * driver's error code, so no student data reaches a workflow's history.
 */
import { ApplicationFailure } from '@temporalio/common';

export async function withScrubbedErrors<T>(what: string, type: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    const code = (err as { code?: unknown }).code;
    throw ApplicationFailure.retryable(`could not write ${what}: database error ${typeof code === 'string' ? code : (err as Error).name}`, type);
  }
}
