/** The idempotency_keys table (the rules are in server/platform/idempotency.ts): one row per user and key. */
import type { Knex } from 'knex';

export interface IdemKey {
  user_id: string;
  key: string;
}

export interface IdemRow extends IdemKey {
  fingerprint: string;
  status: number | null;
  body: string | null;
  created_at: number | string;
  claimed_at: number | string;
}

export async function deleteIdemKeysBefore(db: Knex, before: number): Promise<void> {
  await db('idempotency_keys').where('created_at', '<', before).delete();
}

/** Claims the key for a first run; false when a row exists already. */
export async function claimIdemKey(db: Knex, where: IdemKey, fingerprint: string, now: number): Promise<boolean> {
  const inserted = await db('idempotency_keys')
    .insert({ ...where, fingerprint, status: null, body: null, created_at: now, claimed_at: now })
    .onConflict(['user_id', 'key'])
    .ignore()
    .returning('key');
  return (inserted as unknown[]).length > 0;
}

export async function findIdemKey(db: Knex, where: IdemKey): Promise<IdemRow | undefined> {
  return (await db('idempotency_keys').where(where).first()) as IdemRow | undefined;
}

export async function reclaimIdemKey(db: Knex, where: IdemKey, at: number): Promise<void> {
  await db('idempotency_keys').where(where).update({ claimed_at: at });
}

/** Forgets a claim whose run failed (a retry runs again). */
export async function releaseIdemKey(db: Knex, where: IdemKey): Promise<void> {
  await db('idempotency_keys').where(where).whereNull('status').delete();
}

export async function saveIdemResponse(db: Knex, where: IdemKey, status: number, body: string): Promise<void> {
  await db('idempotency_keys').where(where).update({ status, body });
}
