/**
 * Waiting in tests for what another process or an activity writes: poll until it holds, and fail
 * naming what never came (with the last value read) once the time given is up.
 */

const pause = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Reads until `ok` holds of the value read and returns that value; throws after `ms` (default 30 s). */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  opts: { ms?: number; everyMs?: number } = {},
): Promise<T> {
  const ms = opts.ms ?? 30_000;
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${ms} ms`);
    await pause(opts.everyMs ?? 100);
    last = await read();
  }
  return last;
}

/** Checks until `check` holds; throws after `ms` (default 30 s), with `detail()` (such as a process's output) if given. */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  opts: { ms?: number; everyMs?: number; detail?: () => string } = {},
): Promise<void> {
  const ms = opts.ms ?? 30_000;
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const detail = opts.detail ? `\n${opts.detail()}` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${detail}`);
    }
    await pause(opts.everyMs ?? 100);
  }
}

/** The first value `read` gives that is not empty (undefined, null, false); throws after `ms` (default 30 s). */
export async function present<T>(
  what: string,
  read: () => Promise<T | undefined | null | false>,
  opts: { ms?: number; everyMs?: number } = {},
): Promise<T> {
  return (await eventually(what, read, (v) => v !== undefined && v !== null && v !== false, opts)) as T;
}

export const sleep = pause;
