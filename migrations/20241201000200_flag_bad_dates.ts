/**
 * data_problems: stored values that are not plausible instants, found by a scan (issue 10,
 * finding 6). Before the date rule (domain/dates.ts) a request could store, say, an occurredAt of
 * 1e308; such a row broke every page and export that showed it. The pages now show it as 无效日期;
 * this migration lists every such value (table, row, column, the value as text, when found) for
 * the school admin (GET /api/admin/data-problems) and changes nothing: correcting a date is a
 * person's decision.
 *
 * Plausible: an integer number of epoch ms from 2000-01-01 up to 2100-01-01 (UTC). The rule is
 * written out here, not imported, so that this migration keeps meaning what it meant.
 */
import type { Knex } from 'knex';

const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

/** Every table with instants (epoch ms), its row key and its instant columns. */
export const DATE_COLUMNS: Array<{ table: string; key: string; columns: string[] }> = [
  { table: 'semesters', key: 'id', columns: ['created_at', 'started_at'] },
  { table: 'task_instances', key: 'id', columns: ['open_at', 'due_at', 'completed_at', 'updated_at'] },
  { table: 'audit_events', key: 'id', columns: ['at'] },
  { table: 'notifications', key: 'id', columns: ['created_at', 'read_at'] },
  { table: 'students', key: 'id', columns: ['created_at'] },
  { table: 'crisis_cases', key: 'id', columns: ['occurred_at', 'reported_at', 'updated_at'] },
  { table: 'screening_batches', key: 'id', columns: ['imported_at'] },
  { table: 'screening_warnings', key: 'id', columns: ['interview_due_at', 'interviewed_at'] },
  { table: 'key_care_entries', key: 'id', columns: ['added_at', 'updated_at', 'removed_at'] },
  { table: 'ledger_entries', key: 'id', columns: ['interview_at', 'created_at', 'updated_at'] },
  { table: 'ledger_follow_ups', key: 'id', columns: ['at'] },
  { table: 'pairings', key: 'id', columns: ['created_at', 'started_at', 'last_talk_at', 'ended_at'] },
];

const plausible = (v: unknown): boolean => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= MIN_MS && n < MAX_MS;
};

/** Scans every instant column and records the implausible values not yet listed; returns how many were added. */
export async function flagBadDates(knex: Knex, now = Date.now()): Promise<number> {
  let added = 0;
  for (const { table, key, columns } of DATE_COLUMNS) {
    if (!(await knex.schema.hasTable(table))) continue;
    for (const column of columns) {
      if (!(await knex.schema.hasColumn(table, column))) continue;
      // the database finds the candidates (out of range, or not a whole number); JS confirms
      const rows = (await knex(table)
        .whereNotNull(column)
        .andWhere((q) =>
          q.where(column, '<', MIN_MS).orWhere(column, '>=', MAX_MS).orWhereRaw('?? <> round(??)', [column, column]),
        )
        .select({ rowId: key, value: column })) as Array<{ rowId: unknown; value: unknown }>;
      for (const r of rows) {
        if (plausible(r.value)) continue;
        const row = { table_name: table, row_id: String(r.rowId), column_name: column };
        if (await knex('data_problems').where(row).first('id')) continue;
        await knex('data_problems').insert({ ...row, value: String(r.value).slice(0, 100), found_at: now });
        added++;
      }
    }
  }
  return added;
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('data_problems', (t) => {
    t.increments('id').primary();
    t.text('table_name').notNullable();
    t.text('row_id').notNullable();
    t.text('column_name').notNullable();
    /** the stored value as text, unchanged in its table */
    t.text('value').notNullable();
    t.bigInteger('found_at').notNullable();
    t.unique(['table_name', 'row_id', 'column_name']);
  });
  await flagBadDates(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('data_problems');
}
