/**
 * The outbox's channels from configuration, and the Temporal activity over the outbox
 * (notifications/outbox.ts); register it on the worker beside createActivities().
 */
import { Context } from '@temporalio/activity';
import { createEmailChannel } from './email';
import type { ChannelConfig } from './config';
import { createWebhookChannel } from './webhook';
import type { Channels, DeliverOptions, DeliveryResult } from './outbox-types';

/** The channels a configuration turns on (none when nothing is configured). */
export function createChannels(config: ChannelConfig): Channels {
  return {
    ...(config.email ? { email: createEmailChannel(config.email) } : {}),
    ...(config.webhook ? { webhook: createWebhookChannel(config.webhook) } : {}),
  };
}

/** The running activity's heartbeat, or undefined when called outside an activity (tests, scripts). */
function activityHeartbeat(): (() => void) | undefined {
  try {
    const ctx = Context.current();
    return () => ctx.heartbeat();
  } catch {
    return undefined;
  }
}

/** What the activity needs of an Outbox. */
interface Deliverer {
  deliver(eventKey: string, options?: DeliverOptions): Promise<DeliveryResult>;
}

/** Temporal activities over the outbox; register them on the worker beside createActivities(). */
export function createDeliveryActivities(deps: { outbox: Deliverer }) {
  return {
    /**
     * Sends the event's e-mails and webhook message; throws (so Temporal retries) when one fails.
     * Heartbeats while it works: the workflows give it a heartbeat timeout, so a killed worker's
     * attempt is retried within seconds, and its claims' short leases have run out by then.
     */
    async deliverNotifications(req: { eventKey: string }): Promise<DeliveryResult> {
      const heartbeat = activityHeartbeat();
      return deps.outbox.deliver(req.eventKey, heartbeat ? { heartbeat } : {});
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
