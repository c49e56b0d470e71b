/**
 * Database errors carry the failing SQL with its values (a student's name, an interview record).
 * Activities that write student-related data rethrow only the driver's error code, so no student
 * data reaches a workflow's history (whose failure messages the codec encrypts besides); the web
 * app logs failed requests through `errorForLog`, which keeps the same rule for the logs.
 */
import { ApplicationFailure } from '@temporalio/common';

export async function withScrubbedErrors<T>(what: string, type: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    const code = (err as { code?: unknown }).code;
    throw ApplicationFailure.retryable(
      `could not write ${what}: database error ${typeof code === 'string' ? code : (err as Error).name}`,
      type,
    );
  }
}

/**
 * What may be logged of an unexpected error: its name, the driver's error code and the stack's
 * frames. The message is kept only for errors that do not come from a database driver or query
 * builder (whose messages hold the statement's values).
 */
export function errorForLog(err: unknown): string {
  if (!(err instanceof Error)) return `non-error thrown (${typeof err})`;
  const code = (err as { code?: unknown }).code;
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 8)
    .join('\n');
  const fromDatabase =
    typeof code === 'string' ||
    'sql' in err ||
    'bindings' in err ||
    /\b(insert into|update|select|delete from)\b/i.test(err.message);
  const head = fromDatabase
    ? `${err.name}: database error${typeof code === 'string' ? ` ${code}` : ''} (message withheld: it may hold student data)`
    : `${err.name}: ${err.message}`;
  return frames ? `${head}\n${frames}` : head;
}
