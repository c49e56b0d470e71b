/** The college ladder's activities (activities/ladder.ts), with their timeouts and retries. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { LadderActivities } from '../../activities/ladder';

export const { planCollegeLadder, applyLadderStep } = proxyActivities<LadderActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The same write as a local activity (one round trip less per instant: no activity task through
 * the server). Runs behind patched('ladder-step-local-activity'): histories recorded before it
 * replay with the activity above.
 */
export const { applyLadderStep: applyLadderStepHere } = proxyLocalActivities<LadderActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * External channels (e-mail, group robot): never holding up the ladder. As the per-task model's
 * deliveries (workflows/task.ts): the activity heartbeats, so a killed worker's attempt is retried
 * within seconds (test/faults: worker-kill); after the last attempt the worker's sweep re-sends.
 */
export const { deliverLadderNotifications } = proxyActivities<LadderActivities>({
  startToCloseTimeout: '5 minutes',
  // a killed worker's attempt is retried 10 s after its last beat, when its claims' 10 s leases ran out (test/faults: worker-kill)
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 100 },
});

/** A completion, waiver or moved due date: one write, in the worker, without a round trip to the server. */
export const { recordLadderTaskEvent, ladderTaskFromReadModel } = proxyLocalActivities<LadderActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes: ['UnknownTaskError', 'UnknownTemplateError'],
  },
});
