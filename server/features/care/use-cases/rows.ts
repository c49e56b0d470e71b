/** Which college a care row belongs to (the pages' redirect back after a form). */
import { collegeOfCareRow } from '../../../../db/repositories/care';
import { NotFoundError } from '../../../platform/errors';
import type { CareDeps } from './common';

const ROW_NAMES = { key_care_entries: 'key-care entry', ledger_entries: 'ledger entry', pairings: 'pairing' } as const;

/** The college a row belongs to; 404 when unknown. The use case acting on the row authorizes. */
export async function collegeOfRow(
  deps: Pick<CareDeps, 'knex'>,
  table: keyof typeof ROW_NAMES,
  id: string,
): Promise<string> {
  const collegeId = await collegeOfCareRow(deps.knex, table, id);
  if (!collegeId) throw new NotFoundError(`unknown ${ROW_NAMES[table]} ${id}`);
  return collegeId;
}
