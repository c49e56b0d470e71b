/**
 * External delivery (e-mail, WeCom/DingTalk robot) of the care procedures' notifications: after
 * an event with recipients is recorded (inbox rows in the read model), the outbox sends it on the
 * configured channels. Never holds up a procedure's timers; awaited before the workflow ends.
 * Introduced behind the patch 'care-deliveries', so histories recorded before it replay unchanged.
 */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { DeliveryActivities } from '../contracts/deliveries';
import type { EventStep } from '../contracts/events';

const { deliverNotifications } = proxyActivities<DeliveryActivities>({
  // one attempt sends one event's few messages; the heartbeat (every few seconds while it works,
  // notifications/outbox.ts) lets a killed worker's attempt be retried within seconds, when its
  // claims' 10 s leases have run out. After the last attempt the worker's sweep keeps re-sending.
  startToCloseTimeout: '5 minutes',
  // a killed worker's attempt is retried 10 s after its last beat, when its claims' 10 s leases ran out (test/faults: worker-kill)
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 100 },
});

/**
 * Delivers one recorded event's notifications; a delivery that gives up is logged, never fails the
 * workflow. `settled` is called as soon as it has finished either way (before the log line).
 */
export function deliverLogged(eventKey: string, settled: () => void = () => undefined): Promise<void> {
  return deliverNotifications({ eventKey }).then(
    () => settled(),
    (err: unknown) => {
      settled();
      log.warn('notification delivery gave up', {
        eventKey,
        error: err instanceof Error ? err.message : String(err),
      });
    },
  );
}

export function careDeliveries() {
  const pending: Array<Promise<void>> = [];
  return {
    /** starts the delivery of one recorded event's notifications */
    deliver(eventKey: string): void {
      if (!patched('care-deliveries')) return;
      pending.push(deliverLogged(eventKey));
    },
    /** every delivery started so far has finished (sent or given up) */
    async settled(): Promise<void> {
      await Promise.all(pending);
    },
  };
}

/** The fields every care procedure's event has besides the ids of its subject (activities/crisis.ts, pairing.ts). */
type CareEventStep = EventStep<string>;

/**
 * A care procedure's `record(step, action, at, actor, notify, details)`: the event is written by
 * its activity (`write`, with the subject's ids as `ids()` returns them at that moment: a pairing's
 * teacher changes), then, when it has recipients, the
 * delivery of its notifications starts. `deliveries.settled()` is awaited before the workflow ends.
 */
export function careRecorder<E extends CareEventStep>(
  write: (e: E) => Promise<{ eventKey?: string }>,
  ids: () => Omit<E, keyof CareEventStep>,
) {
  const deliveries = careDeliveries();
  const record = async (
    step: string,
    action: string,
    at: number,
    actor: string,
    notify: E['notify'],
    details?: Record<string, unknown>,
  ) => {
    const { eventKey } = await write({ ...ids(), step, action, at, actor, notify, details } as E);
    if (notify && eventKey) deliveries.deliver(eventKey);
  };
  return { record, deliveries };
}
