/**
 * Failed notification deliveries for the school admin (issue 15): the e-mails and group-robot
 * messages that could not be sent (with the last error), and a re-send per row or for all.
 * The web process holds no channel credentials: a re-send queues the row again (failed → pending)
 * and the worker's outbox sweep (notifications/outbox.ts sweep, every SWEEP_EVERY_MS) sends it,
 * with the same idempotency key. Failed rows are also re-sent on their own by that sweep; the
 * page shows what still fails.
 */
import type { Knex } from 'knex';
import {
  countUnsent,
  getDeliveryState,
  listFailedDeliveries,
  requeueFailedDelivery,
  type FailedDeliveryRow,
} from '../../../db/repositories/outbox';
import type { Store } from '../../../db/store';
import { NotFoundError } from '../../platform/errors';
import { ConflictError } from '../../platform/errors';

const LIST_LIMIT = 500;

/** A conflict with the row's state (already sent, being sent): 409. */
export class DeliveryStateError extends ConflictError {
  override name = 'DeliveryStateError';
}

/** A failed delivery as the admin sees it: the row's target without the robot's key, and when it was last tried. */
export type FailedDelivery = Omit<FailedDeliveryRow, 'claimedAt'> & {
  /** the e-mail address, or the robot's host (never its URL or token) */
  target: string;
  lastAttemptAt: number | null;
};

export interface DeliveryDeps {
  knex: Knex;
  store: Store;
  now?: () => number;
}

/** The failed deliveries (newest first, at most 500) and how many rows are not yet sent in all. */
export async function listFailed(deps: DeliveryDeps): Promise<{ deliveries: FailedDelivery[]; unsent: number }> {
  const rows = await listFailedDeliveries(deps.knex, LIST_LIMIT);
  const unsent = await countUnsent(deps.knex);
  return {
    unsent,
    deliveries: rows.map(({ claimedAt, ...r }) => ({
      ...r,
      target: r.channel === 'webhook' ? r.target.split('#')[0]! : r.target,
      lastAttemptAt: claimedAt,
    })),
  };
}

/** Queues one delivery again: failed → pending (the worker's sweep sends it); an already queued one stays queued. */
export async function resend(
  deps: DeliveryDeps,
  id: number,
  actor: string,
): Promise<{ id: number; status: 'pending' }> {
  const row = await getDeliveryState(deps.knex, id);
  if (!row) throw new NotFoundError(`unknown delivery ${id}`);
  if (row.status === 'sent') throw new DeliveryStateError(`delivery ${id} was already sent; it is not sent again`);
  if (row.status === 'sending') throw new DeliveryStateError(`delivery ${id} is being sent right now`);
  if (row.status === 'failed') {
    const at = deps.now ? deps.now() : Date.now();
    if (await requeueFailedDelivery(deps.knex, id)) {
      await deps.store.appendAudit({
        eventKey: `delivery-resend:${id}:${at}`,
        subjectType: 'notification_delivery',
        subjectId: String(id),
        action: 'delivery_resend',
        actor,
        at,
        details: { eventKey: row.event_key },
      });
    }
  }
  return { id, status: 'pending' };
}

/** Queues every listed failed delivery again; returns how many were queued (those sent or picked up meanwhile are not). */
export async function resendAll(deps: DeliveryDeps, actor: string): Promise<number> {
  const { deliveries } = await listFailed(deps);
  let queued = 0;
  for (const d of deliveries) {
    try {
      await resend(deps, d.id, actor);
      queued++;
    } catch (e) {
      if (!(e instanceof DeliveryStateError)) throw e; // sent or picked up meanwhile
    }
  }
  return queued;
}
