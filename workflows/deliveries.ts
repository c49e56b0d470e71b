/**
 * External delivery (e-mail, WeCom/DingTalk robot) of the care procedures' notifications: after
 * an event with recipients is recorded (inbox rows in the read model), the outbox sends it on the
 * configured channels. Never holds up a procedure's timers; awaited before the workflow ends.
 * Introduced behind the patch 'care-deliveries', so histories recorded before it replay unchanged.
 */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { DeliveryActivities } from '../contracts/deliveries';

const { deliverNotifications } = proxyActivities<DeliveryActivities>({
  // one attempt sends one event's few messages; the heartbeat (every few seconds while it works,
  // notifications/outbox.ts) lets a killed worker's attempt be retried within seconds, when its
  // claims' 10 s leases have run out. After the last attempt the worker's sweep keeps re-sending.
  startToCloseTimeout: '5 minutes',
  // a killed worker's attempt is retried 10 s after its last beat, when its claims' 10 s leases ran out (test/faults: worker-kill)
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 100 },
});

export function careDeliveries() {
  const pending: Array<Promise<void>> = [];
  return {
    /** starts the delivery of one recorded event's notifications */
    deliver(eventKey: string): void {
      if (!patched('care-deliveries')) return;
      pending.push(
        deliverNotifications({ eventKey }).then(
          () => undefined,
          (err: unknown) =>
            log.warn('notification delivery gave up', {
              eventKey,
              error: err instanceof Error ? err.message : String(err),
            }),
        ),
      );
    },
    /** every delivery started so far has finished (sent or given up) */
    async settled(): Promise<void> {
      await Promise.all(pending);
    },
  };
}
