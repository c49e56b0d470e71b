/**
 * The rules of user administration: what a valid account is (username, name, role and college,
 * e-mail, password), what the API shows of it, and the columns of the CSV import.
 */
import { randomInt } from 'node:crypto';
import { z } from '../../../domain/zod';
import type { College, User } from '../../../db/store';
import { ROLES, type Role } from '../../../domain/schema';
import { controlCharProblem } from '../../../domain/text';
import { BadRequestError, NotFoundError } from '../../platform/errors';

export const MIN_PASSWORD_LENGTH = 10;
/** scrypt costs ~30 ms per password: 1,000 rows keep an import well under a minute. */
export const MAX_IMPORT_ROWS = 1000;

export class UserNotFoundError extends NotFoundError {
  override name = 'UserNotFoundError';
}

/** A user as the API shows it: never the password hash. */
export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  collegeId: string | null;
  email: string | null;
  active: boolean;
  createdAt: number;
}

export const toPublicUser = (u: User): PublicUser => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  collegeId: u.collegeId,
  email: u.email,
  active: u.active,
  createdAt: u.createdAt,
});

// ---------------------------------------------------------------------------------------------
// Validation

export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Form fields arrive as strings: '' means "none". */
const optionalText = z
  .string()
  .trim()
  .nullish()
  .transform((s) => (s ? s : null));

/** A display name: one line, no control characters (domain/text.ts). */
const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'is empty')
  .max(100)
  .superRefine((s, ctx) => {
    const problem = controlCharProblem(s);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

export const createSchema = z.object({
  username: z.string().trim().regex(USERNAME, 'must be 2–64 letters, digits, . _ @ or -'),
  displayName: displayNameSchema,
  role: z.enum(ROLES),
  collegeId: optionalText,
  email: optionalText.refine((s) => s === null || EMAIL.test(s), 'is not an e-mail address'),
  password: z.string().min(MIN_PASSWORD_LENGTH, `must have at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
});
export type CreateUserInput = z.input<typeof createSchema>;

export const updateSchema = z.object({
  displayName: displayNameSchema.optional(),
  role: z.enum(ROLES).optional(),
  collegeId: optionalText.optional(),
  email: optionalText.refine((s) => s === null || EMAIL.test(s), 'is not an e-mail address').optional(),
});
export type UpdateUserInput = z.input<typeof updateSchema>;

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must have at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200);

export function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new BadRequestError(r.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '));
}

/** The problem with this role and college in this school, or null. */
export function roleCollegeProblem(role: Role, collegeId: string | null, colleges: College[]): string | null {
  if (role === 'school_admin') return collegeId === null ? null : 'a school administrator belongs to no college';
  if (collegeId === null) return `the role ${role} needs a college`;
  return colleges.some((c) => c.id === collegeId) ? null : `unknown college "${collegeId}"`;
}

/** Readable, unambiguous (no 0/O, 1/l/I), ~82 bits. */
export function generatePassword(length = 14): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** Runs fn over items with at most `limit` at a time (scrypt uses the 4-thread libuv pool). */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export type Column = 'username' | 'displayName' | 'role' | 'college' | 'email' | 'password';
export const HEADER_NAMES: Record<string, Column> = {
  username: 'username',
  用户名: 'username',
  displayname: 'displayName',
  姓名: 'displayName',
  role: 'role',
  角色: 'role',
  college: 'college',
  学院: 'college',
  email: 'email',
  邮箱: 'email',
  password: 'password',
  初始密码: 'password',
};
export const REQUIRED_COLUMNS: Array<[Column, string]> = [
  ['username', 'username/用户名'],
  ['displayName', 'displayName/姓名'],
  ['role', 'role/角色'],
];
export const ROLE_NAMES: Record<string, Role> = {
  ...Object.fromEntries(ROLES.map((r) => [r, r])),
  学校管理员: 'school_admin',
  学院领导: 'college_leader',
  心理辅导员: 'psych_counsellor',
  辅导员: 'counsellor',
  班主任: 'class_teacher',
  心理委员: 'class_psych_member',
  宿舍信息员: 'dorm_info_officer',
};

export interface ImportResult {
  created: number;
  updated: number;
  /** passwords generated for rows without one: shown once, never stored in clear */
  generatedPasswords: Array<{ username: string; password: string }>;
}

export interface ImportRow {
  line: number;
  username: string;
  displayName: string;
  role: Role;
  collegeId: string | null;
  /** undefined: the file has no email column (leave it alone) */
  email: string | null | undefined;
  password: string | null;
  existing: User | undefined;
}
