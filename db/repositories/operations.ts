/** The reads of the school admin's operations pages that db/store.ts does not have (server/routes/admin.ts). */
import type { Knex } from 'knex';

export interface DataProblem {
  table: string;
  rowId: string;
  column: string;
  value: string;
  foundAt: number;
}

/** Stored values that are not plausible dates (listed by the data_problems migration), for correction. */
export async function listDataProblems(knex: Knex): Promise<DataProblem[]> {
  const rows = (await knex('data_problems')
    .orderBy('id')
    .select('table_name', 'row_id', 'column_name', 'value', 'found_at')) as Array<Record<string, unknown>>;
  return rows.map((p) => ({
    table: String(p.table_name),
    rowId: String(p.row_id),
    column: String(p.column_name),
    value: String(p.value),
    foundAt: Number(p.found_at),
  }));
}

/** How many students a teacher pairs with now (active pairings). */
export async function activePairingCount(knex: Knex, teacherUserId: string): Promise<number> {
  const row = (await knex('pairings')
    .where({ teacher_user_id: teacherUserId, status: 'active' })
    .count({ n: '*' })
    .first()) as { n: number | string };
  return Number(row.n);
}
