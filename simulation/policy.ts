/**
 * Simulation policies: when (if ever) simulated staff complete a task.
 *   on-time    one day before it is due (1 minute after the 1-day reminder), or just after it opens
 *   none       never
 *   late:D     D days after the due time (1 minute after, so an escalation due then is sent first)
 *   random:S   seeded: 60 % on-time, 25 % late by 1–3 days, 15 % never
 * The minute offsets make the order of a completion and a timer at the same instant unambiguous.
 */
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export type Policy =
  { kind: 'on-time' } | { kind: 'none' } | { kind: 'late'; days: number } | { kind: 'random'; seed: number };

export class PolicyError extends Error {
  override name = 'PolicyError';
}

export function parsePolicy(text: string): Policy {
  const t = text.trim();
  if (t === 'on-time') return { kind: 'on-time' };
  if (t === 'none') return { kind: 'none' };
  const late = /^late:(\d{1,3})$/.exec(t);
  if (late) return { kind: 'late', days: Number(late[1]) };
  const random = /^random:(\d{1,10})$/.exec(t);
  if (random) return { kind: 'random', seed: Number(random[1]) };
  throw new PolicyError(`unknown policy "${text}": use on-time, none, late:DAYS or random:SEED`);
}

/** "on-time,none,late:2" → policies cycled over the colleges. */
export function parsePolicies(text: string): Policy[] {
  const list = text.split(',').map(parsePolicy);
  if (!list.length) throw new PolicyError('no policy given');
  return list;
}

export function policyLabel(p: Policy): string {
  return p.kind === 'late' ? `late:${p.days}` : p.kind === 'random' ? `random:${p.seed}` : p.kind;
}

/** mulberry32: a small seeded PRNG, so random:SEED gives the same run every time. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The completion instant of each task of one college, or null for never. `tasks` must be in a
 * stable order (the plan's), so random:SEED is reproducible.
 */
export function completionTimes(
  policy: Policy,
  tasks: ReadonlyArray<{ id: string; openAt: number; dueAt: number }>,
): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const rand = policy.kind === 'random' ? prng(policy.seed) : null;
  const onTime = (t: { openAt: number; dueAt: number }) => Math.max(t.openAt + MINUTE, t.dueAt - DAY + MINUTE);
  const late = (t: { dueAt: number }, days: number) => t.dueAt + days * DAY + MINUTE;
  for (const t of tasks) {
    switch (policy.kind) {
      case 'on-time':
        out.set(t.id, onTime(t));
        break;
      case 'none':
        out.set(t.id, null);
        break;
      case 'late':
        out.set(t.id, late(t, policy.days));
        break;
      case 'random': {
        const r = rand!();
        out.set(t.id, r < 0.6 ? onTime(t) : r < 0.85 ? late(t, 1 + Math.floor(rand!() * 3)) : null);
        break;
      }
    }
  }
  return out;
}
