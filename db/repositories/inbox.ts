/** The reads and writes of the in-app inbox page that db/store.ts does not have (server/features/tasks). */
import type { Knex } from 'knex';

/** The college of each pairing (an inbox entry about a pairing links to its college's care page). */
export async function pairingColleges(knex: Knex, pairingIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < pairingIds.length; i += 500) {
    const rows = (await knex('pairings')
      .whereIn('id', pairingIds.slice(i, i + 500))
      .select('id', 'college_id')) as Array<{ id: string; college_id: string }>;
    for (const row of rows) out.set(row.id, row.college_id);
  }
  return out;
}

/** Every unread entry of a user read at once. */
export async function markAllNotificationsRead(knex: Knex, userId: string, at: number): Promise<void> {
  await knex('notifications').where({ recipient_user_id: userId }).whereNull('read_at').update({ read_at: at });
}
