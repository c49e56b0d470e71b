/**
 * Semester calendars (reference data), not versioned.
 */
import type { Knex } from 'knex';
import { fromDb, insertIfAbsent, toDb, type Codec, type Upsert } from './codec';
import type { CalendarRow } from '../tables';

export interface CalendarRecord {
  id: string;
  nameZh: string;
  /** the calendar JSON text. */
  body: string;
  sha256: string;
  createdAt: number;
}

export type CalendarInput = Upsert<CalendarRecord, 'createdAt'>;

export const calendarCodec: Codec<CalendarRecord, CalendarRow> = {
  id: ['id', 'text'],
  nameZh: ['name_zh', 'text'],
  body: ['body', 'text'],
  sha256: ['sha256', 'text'],
  createdAt: ['created_at', 'int'],
};

/** Calendars are not versioned: a changed body (a corrected holiday, say) replaces the stored one. */
export async function saveCalendar(db: Knex, c: CalendarInput): Promise<'inserted' | 'unchanged' | 'updated'> {
  const row = { created_at: Date.now(), ...toDb(calendarCodec, c) };
  if (await insertIfAbsent(db, 'calendars', row, ['id'])) return 'inserted';
  const existing = await getCalendar(db, c.id);
  if (existing?.sha256 === c.sha256) return 'unchanged';
  await db('calendars').where({ id: c.id }).update({ name_zh: c.nameZh, body: c.body, sha256: c.sha256 });
  return 'updated';
}

export async function getCalendar(db: Knex, id: string): Promise<CalendarRecord | undefined> {
  const row = (await db('calendars').where({ id }).first()) as CalendarRow | undefined;
  return row && fromDb(calendarCodec, row);
}
