/**
 * Test helpers for Temporal: binaries from the project's own script (never the SDK's download),
 * one workflow bundle per test file, a task queue per test.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { FAILURE_CONVERTER_PATH } from '../../codec/aes-gcm';
import { WORKFLOW_INTERCEPTORS_PATH } from '../../server/worker';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporalBinaries } from '../../server/temporal-binaries';
import { createTimeSkippingEnv } from '../../simulation/time-skipping-env';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes';

export { temporalBinaries };

const ROOT = path.resolve(__dirname, '..', '..');
let runtimeInstalled = false;

/** Keep SDK log noise at WARN. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** The time-skipping server (see simulation/time-skipping-env.ts for why not createTimeSkipping). */
/**
 * The SDK gives a server 5 s to start; on this 2-core machine under a full test run it sometimes needs
 * more ("ephemeral server … did not start within 5s"). Such a start is tried again, twice at most.
 */
async function startRetried<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (e) {
      if (attempt >= 3 || !/did not start within/.test(e instanceof Error ? e.message : String(e))) throw e;
    }
  }
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return startRetried(createTimeSkippingEnv);
}

export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return startRetried(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalBinaries().temporal },
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
        ui: false,
        extraArgs: ['--log-level', 'error'],
      },
    }),
  );
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file (per forked process). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
    workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH],
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export const uniqueQueue = (name: string) => `test-${name}-${randomUUID().slice(0, 8)}`;
