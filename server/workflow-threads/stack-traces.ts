/**
 * WORKER_WORKFLOW_STACK_TRACES (issue 11): whether the SDK keeps a stack trace of every promise a
 * workflow creates, for the "stack trace" query of the Web UI and the CLI. It is the SDK's default
 * (`on`), and it costs: in a 20-college semester simulation it took about a third of the workflow
 * thread's CPU (ADR 0005). With `off`, the workflow threads the SDK starts during the given
 * `create` get a preload that leaves the SDK's promise hook unset; workflows run the same, and
 * the query answers that stack traces are not enabled on this worker.
 *
 * The SDK has no option for it. The preload replaces one method of an internal class of
 * @temporalio/worker (pinned in package.json); it refuses to start, naming the variable, if that
 * method is gone, and test/worker-stack-traces.timeskip.test.ts checks both settings.
 */
import path from 'node:path';
import workerThreads from 'node:worker_threads';

export type StackTraces = 'on' | 'off';

const PRELOAD = path.join(__dirname, 'stack-traces-off.cjs');

/**
 * Runs `create` (a Worker.create) so that, with `off`, the workflow threads it starts have no
 * promise hook. Only threads started while `create` runs get the preload.
 */
export async function withStackTraces<T>(setting: StackTraces, create: () => Promise<T>): Promise<T> {
  if (setting === 'on') return create();
  const Original = workerThreads.Worker;
  class WorkflowThread extends Original {
    constructor(file: string | URL, options: workerThreads.WorkerOptions = {}) {
      super(file, { ...options, execArgv: [...(options.execArgv ?? process.execArgv), '--require', PRELOAD] });
    }
  }
  (workerThreads as { Worker: typeof Original }).Worker = WorkflowThread;
  try {
    return await create();
  } finally {
    (workerThreads as { Worker: typeof Original }).Worker = Original;
  }
}
