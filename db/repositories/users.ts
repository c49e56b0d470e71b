/**
 * Users and their roles (reference data). A password hash is read only for login.
 */
import type { Knex } from 'knex';
import type { Role } from '../../domain/schema';
import { fromDb, toDb, upsertRow, type Codec, type Upsert } from './codec';
import type { UserRow } from '../tables';

export interface User {
  id: string;
  schoolId: string;
  collegeId: string | null;
  username: string;
  displayName: string;
  role: Role;
  email: string | null;
  /** only for login; never send it to a client. */
  passwordHash: string | null;
  active: boolean;
  createdAt: number;
}

export type UserInput = Upsert<User, 'collegeId' | 'email' | 'passwordHash' | 'active' | 'createdAt'>;

export const userCodec: Codec<User, UserRow> = {
  id: ['id', 'text'],
  schoolId: ['school_id', 'text'],
  collegeId: ['college_id', 'text'],
  username: ['username', 'text'],
  displayName: ['display_name', 'text'],
  role: ['role', 'text'],
  email: ['email', 'text'],
  passwordHash: ['password_hash', 'text'],
  active: ['active', 'bool'],
  createdAt: ['created_at', 'int'],
};

/** Upsert by id; fields left undefined (e.g. passwordHash) keep their stored value. */
export async function upsertUser(db: Knex, u: UserInput): Promise<void> {
  await upsertRow(db, 'users', { created_at: Date.now(), ...toDb(userCodec, u) }, ['id'], ['created_at']);
}

export async function findUserByUsername(db: Knex, username: string): Promise<User | undefined> {
  const row = (await db('users').where({ username }).first()) as UserRow | undefined;
  return row && fromDb(userCodec, row);
}

export async function getUser(db: Knex, id: string): Promise<User | undefined> {
  const row = (await db('users').where({ id }).first()) as UserRow | undefined;
  return row && fromDb(userCodec, row);
}

/**
 * Who a college's task can notify: the college's own users and the school's admins, in one query
 * (not the whole school's users, which at province size is thousands per instant of every ladder).
 */
export async function listCollegeAudience(db: Knex, schoolId: string, collegeId: string): Promise<User[]> {
  const rows = (await db('users')
    .where('school_id', schoolId)
    .where((q) => q.where('college_id', collegeId).orWhere('role', 'school_admin'))
    .orderBy(['display_name', 'id'])) as UserRow[];
  return rows.map((r) => fromDb(userCodec, r));
}

export async function listUsers(
  db: Knex,
  filter: { schoolId?: string; collegeId?: string; role?: Role } = {},
): Promise<User[]> {
  const q = db('users').orderBy(['display_name', 'id']);
  if (filter.schoolId !== undefined) q.where('school_id', filter.schoolId);
  if (filter.collegeId !== undefined) q.where('college_id', filter.collegeId);
  if (filter.role !== undefined) q.where('role', filter.role);
  return ((await q) as UserRow[]).map((r) => fromDb(userCodec, r));
}
