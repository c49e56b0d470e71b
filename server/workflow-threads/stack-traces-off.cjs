/**
 * Preloaded (`--require`) in the worker's workflow threads only, when WORKER_WORKFLOW_STACK_TRACES
 * is off (server/workflow-threads/stack-traces.ts): the SDK's thread-wide promise hook, which takes
 * a stack trace of every promise a workflow creates for the "stack trace" query, is never set.
 * Workflows run the same; the query then answers that stack traces are not enabled.
 */
'use strict';
const { isMainThread } = require('node:worker_threads');

if (!isMainThread) {
  const vmShared = require('@temporalio/worker/lib/workflow/vm-shared');
  if (typeof vmShared.GlobalHandlers?.prototype?.setPromiseHook !== 'function') {
    throw new Error(
      'WORKER_WORKFLOW_STACK_TRACES=off: this @temporalio/worker has no GlobalHandlers.setPromiseHook to turn off',
    );
  }
  vmShared.GlobalHandlers.prototype.setPromiseHook = function setPromiseHookOff() {};
}
