/**
 * What every repository shares: the codecs that map a camelCase shape to its table's snake_case
 * columns (db/tables.ts) and normalise what the drivers differ on (SQLite booleans come back as
 * 0/1), and the generic idempotent writes (upsert by key, insert if absent) and chunking.
 */
import type { Knex } from 'knex';

/** T with the keys K optional: what an upsert accepts (the database fills the rest). */
export type Upsert<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type Kind = 'text' | 'int' | 'bool' | 'json';
/** camelCase field of T -> [snake_case column of the table row R, how to read it back] */
export type Codec<T, R = DbRow> = { [K in keyof T]-?: readonly [column: Extract<keyof R, string>, kind: Kind] };
export type DbRow = Record<string, unknown>;

export function fromDb<T, R extends object>(codec: Codec<T, R>, row: R): T {
  const out: Record<string, unknown> = {};
  for (const [field, [column, kind]] of Object.entries(codec) as Array<[string, readonly [string, Kind]]>) {
    out[field] = readValue((row as DbRow)[column], kind);
  }
  return out as T;
}

function readValue(value: unknown, kind: Kind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'int':
      return Number(value); // defensive: a pg knex not made by createKnex returns int8 as string
    case 'bool':
      return value === true || value === 1 || value === '1';
    case 'json':
      return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    default:
      return value;
  }
}

/** Only the fields present (not undefined) become columns, so an upsert leaves the rest alone. */
export function toDb<T, R>(codec: Codec<T, R>, obj: Partial<T>): DbRow {
  const out: DbRow = {};
  for (const [field, value] of Object.entries(obj)) {
    const spec = (codec as Record<string, readonly [string, Kind] | undefined>)[field];
    if (!spec || value === undefined) continue;
    out[spec[0]] = spec[1] === 'json' ? JSON.stringify(value) : value;
  }
  return out;
}

/** Keeps SQLite below its bound-variable limit (999 on old builds) whatever the column count. */
export const SQLITE_MAX_VARIABLES = 900;

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Inserts `row`, or on conflict updates the columns it carries except the conflict keys and
 * `insertOnly` (e.g. created_at). Columns absent from `row` are never touched.
 */
export async function upsertRow(
  db: Knex,
  table: string,
  row: DbRow,
  conflict: string[],
  insertOnly: string[] = [],
): Promise<void> {
  const mergeColumns = Object.keys(row).filter((c) => !conflict.includes(c) && !insertOnly.includes(c));
  const insert = db(table).insert(row).onConflict(conflict);
  await (mergeColumns.length > 0 ? insert.merge(mergeColumns) : insert.ignore());
}

/** INSERT … ON CONFLICT DO NOTHING; true when the row was inserted. */
export async function insertIfAbsent(
  db: Knex | Knex.Transaction,
  table: string,
  row: DbRow,
  conflict: string[],
): Promise<boolean> {
  const inserted = (await db(table).insert(row).onConflict(conflict).ignore().returning(conflict)) as unknown[];
  return inserted.length > 0;
}
