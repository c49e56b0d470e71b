/**
 * The worker's app metrics, gathered where the worker builds its activities and channels (so the
 * activities and the outbox stay as they are):
 * - escalation lag: when applyLadderStep (ladder model) or recordTaskEvent (per-task model) has
 *   written an overdue or level-2 step, now − the step's instant;
 * - delivery failures: every channel send that throws.
 */
import type { Channels } from '../../notifications/outbox';
import type { WorkerMetrics } from './metrics';

const LEVEL_OF: Record<string, string> = { overdue: '1', escalated: '2' };

interface StepLike {
  action: string;
  at: number;
}

type Fn = (...args: never[]) => Promise<unknown>;

/** The same activities; applyLadderStep and recordTaskEvent also observe the escalation lag of what they wrote. */
export function instrumentActivities<A extends Record<string, Fn>>(
  activities: A,
  metrics: WorkerMetrics,
  now: () => number = Date.now,
): A {
  const out: Record<string, Fn> = { ...activities };
  const ladder = activities.applyLadderStep as unknown as
    ((req: { steps: StepLike[] }) => Promise<{ applied: number }>) | undefined;
  if (ladder) {
    out.applyLadderStep = (async (req: { steps: StepLike[] }) => {
      const result = await ladder(req);
      // one transaction: the steps are written now (applied > 0) or were written by an earlier attempt
      if (result.applied > 0) {
        const t = now();
        for (const s of req.steps) {
          const level = LEVEL_OF[s.action];
          if (level) metrics.escalationLag.observe({ level, model: 'ladder' }, Math.max(0, t - s.at) / 1000);
        }
      }
      return result;
    }) as unknown as Fn;
  }
  const perTask = activities.recordTaskEvent as unknown as ((e: StepLike) => Promise<{ applied: boolean }>) | undefined;
  if (perTask) {
    out.recordTaskEvent = (async (e: StepLike) => {
      const result = await perTask(e);
      const level = LEVEL_OF[e.action];
      if (result.applied && level)
        metrics.escalationLag.observe({ level, model: 'per-task' }, Math.max(0, now() - e.at) / 1000);
      return result;
    }) as unknown as Fn;
  }
  return out as A;
}

/** The same channels; a send that throws is counted in runxin_delivery_failures_total and rethrown. */
export function instrumentChannels(channels: Channels, metrics: WorkerMetrics): Channels {
  const out: Channels = {};
  for (const name of ['email', 'webhook'] as const) {
    const ch = channels[name];
    if (!ch) continue;
    const send = ch.send.bind(ch) as (...args: unknown[]) => Promise<unknown>;
    const countedSend = async (...args: unknown[]) => {
      try {
        return await send(...args);
      } catch (err) {
        metrics.deliveryFailures.inc({ channel: name });
        throw err;
      }
    };
    const wrapped = new Proxy(ch, {
      get(target, prop) {
        if (prop === 'send') return countedSend;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    (out as Record<string, unknown>)[name] = wrapped;
  }
  return out;
}
