/**
 * The private calendar feed: a token per user, shown once (only its hash is stored), rotated or
 * revoked by its user; the feed lists the open tasks that user answers for.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { feedOwner, revokeFeed, saveFeed, type FeedOwner } from '../../../../db/repositories/exports';
import type { Store, TaskInstanceRow, TaskStatus } from '../../../../db/store';
import { NotFoundError } from '../../semesters/use-cases';
import { schoolZone } from './tables';

export { getFeed, type FeedRow } from '../../../../db/repositories/exports';

const NOT_CLOSED: TaskStatus[] = ['planned', 'open', 'overdue'];

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** A new feed token for the user (the previous one stops working); only its hash is stored. */
export async function createFeedToken(knex: Knex, userId: string, now: number): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  await saveFeed(knex, userId, sha256(token), now);
  return token;
}

/** Revokes the user's feed; whether there was an active one. */
export async function revokeUserFeed(knex: Knex, userId: string, now: number): Promise<boolean> {
  return (await revokeFeed(knex, userId, now)) > 0;
}

/**
 * The feed of a token: its owner, the school's zone, the college names and the tasks. School admin:
 * the school's open tasks escalated to the school (level 2); college leader: every open task of the
 * college; staff: the college's open tasks of their role. Waived ones stay in the feed as CANCELLED,
 * so a client that already shows them strikes them out.
 */
export async function feedOf(knex: Knex, store: Store, token: string) {
  const owner: FeedOwner | undefined = await feedOwner(knex, sha256(token));
  if (!owner) throw new NotFoundError('unknown calendar feed');
  const tasks: TaskInstanceRow[] = [];
  for (const s of await store.listSemesters(owner.school_id)) {
    if (s.status === 'closed') continue;
    if (owner.role !== 'school_admin' && !owner.college_id) continue;
    const rows = await store.listTaskInstances({
      semesterId: s.id,
      status: [...NOT_CLOSED, 'waived'],
      ...(owner.role === 'school_admin' ? {} : { collegeId: owner.college_id ?? '' }),
    });
    tasks.push(
      ...rows.filter((t) =>
        owner.role === 'school_admin'
          ? t.escalationLevel >= 2
          : owner.role === 'college_leader' || t.ownerRole === owner.role,
      ),
    );
  }
  const zone = await schoolZone(store, owner.school_id);
  const collegeName = new Map((await store.listColleges(owner.school_id)).map((c) => [c.id, c.name]));
  return { owner, tasks, zone, collegeName };
}
