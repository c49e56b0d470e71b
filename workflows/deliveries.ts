/**
 * External delivery (e-mail, WeCom/DingTalk robot) of the care procedures' notifications: after
 * an event with recipients is recorded (inbox rows in the read model), the outbox sends it on the
 * configured channels. Never holds up a procedure's timers; awaited before the workflow ends.
 * Introduced behind the patch 'care-deliveries', so histories recorded before it replay unchanged.
 */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { DeliveryActivities } from '../notifications/outbox';

const { deliverNotifications } = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 20 },
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
          (err: unknown) => log.warn('notification delivery gave up', { eventKey, error: err instanceof Error ? err.message : String(err) }),
        ),
      );
    },
    /** every delivery started so far has finished (sent or given up) */
    async settled(): Promise<void> {
      await Promise.all(pending);
    },
  };
}
