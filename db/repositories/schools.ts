/**
 * Schools and their colleges (reference data).
 */
import type { Knex } from 'knex';
import { fromDb, toDb, upsertRow, type Codec, type Upsert } from './codec';
import type { CollegeRow, SchoolRow } from '../tables';

export interface School {
  id: string;
  name: string;
  nameEn: string;
  timezone: string;
  createdAt: number;
}

export interface College {
  id: string;
  schoolId: string;
  name: string;
  nameEn: string;
  sortOrder: number;
  active: boolean;
  createdAt: number;
}

export type SchoolInput = Upsert<School, 'createdAt'>;
export type CollegeInput = Upsert<College, 'sortOrder' | 'active' | 'createdAt'>;

export const schoolCodec: Codec<School, SchoolRow> = {
  id: ['id', 'text'],
  name: ['name', 'text'],
  nameEn: ['name_en', 'text'],
  timezone: ['timezone', 'text'],
  createdAt: ['created_at', 'int'],
};

export const collegeCodec: Codec<College, CollegeRow> = {
  id: ['id', 'text'],
  schoolId: ['school_id', 'text'],
  name: ['name', 'text'],
  nameEn: ['name_en', 'text'],
  sortOrder: ['sort_order', 'int'],
  active: ['active', 'bool'],
  createdAt: ['created_at', 'int'],
};

export async function upsertSchool(db: Knex, s: SchoolInput): Promise<void> {
  await upsertRow(db, 'schools', { created_at: Date.now(), ...toDb(schoolCodec, s) }, ['id'], ['created_at']);
}

export async function getSchool(db: Knex, id: string): Promise<School | undefined> {
  const row = (await db('schools').where({ id }).first()) as SchoolRow | undefined;
  return row && fromDb(schoolCodec, row);
}

export async function upsertCollege(db: Knex, c: CollegeInput): Promise<void> {
  await upsertRow(db, 'colleges', { created_at: Date.now(), ...toDb(collegeCodec, c) }, ['id'], ['created_at']);
}

/** Active colleges of a school, in display order. */
export async function listColleges(db: Knex, schoolId: string): Promise<College[]> {
  const rows = (await db('colleges')
    .where({ school_id: schoolId, active: true })
    .orderBy(['sort_order', 'name'])) as CollegeRow[];
  return rows.map((r) => fromDb(collegeCodec, r));
}

export async function getCollege(db: Knex, id: string): Promise<College | undefined> {
  const row = (await db('colleges').where({ id }).first()) as CollegeRow | undefined;
  return row && fromDb(collegeCodec, row);
}
