/** The calendar_feeds table: one private iCalendar feed per user, known by its token's hash (server/features/exports). */
import type { Knex } from 'knex';
import type { Role } from '../../domain/schema';

export interface FeedRow {
  user_id: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

/** The active user a feed token belongs to. */
export interface FeedOwner {
  id: string;
  school_id: string;
  college_id: string | null;
  role: Role;
  display_name: string;
}

export async function getFeed(knex: Knex, userId: string): Promise<FeedRow | undefined> {
  return (await knex('calendar_feeds').where({ user_id: userId }).first()) as FeedRow | undefined;
}

/** A new token for the user's feed (the previous one, if any, stops working). */
export async function saveFeed(knex: Knex, userId: string, tokenHash: string, at: number): Promise<void> {
  await knex('calendar_feeds')
    .insert({ user_id: userId, token_hash: tokenHash, created_at: at, revoked_at: null })
    .onConflict('user_id')
    .merge(['token_hash', 'created_at', 'revoked_at']);
}

/** Revokes the user's active feed; the number of feeds revoked (0 or 1). */
export async function revokeFeed(knex: Knex, userId: string, at: number): Promise<number> {
  return knex('calendar_feeds').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: at });
}

/** The active user whose active feed has this token hash. */
export async function feedOwner(knex: Knex, tokenHash: string): Promise<FeedOwner | undefined> {
  return (await knex('calendar_feeds as f')
    .join('users as u', 'u.id', 'f.user_id')
    .where('f.token_hash', tokenHash)
    .whereNull('f.revoked_at')
    .where('u.active', true)
    .first('u.id', 'u.school_id', 'u.college_id', 'u.role', 'u.display_name')) as FeedOwner | undefined;
}
