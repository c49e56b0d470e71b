/**
 * User administration (school admins only; the router checks the role): list, create, update,
 * activate/deactivate, reset a password, and import a CSV file. Every use case is scoped to the
 * acting admin's school: a user of another school is "not found". Deactivating a user or resetting
 * their password signs them out everywhere. Each change is written to the audit log (never a
 * password or its hash).
 */
import { randomInt, randomUUID } from 'node:crypto';
import iconv from 'iconv-lite';
import { z } from 'zod';
import { hashPassword } from '../../db/passwords';
import type { College, User } from '../../db/store';
import { ROLES, type Role } from '../../domain/schema';
import { controlCharProblem } from '../../domain/text';
import type { AppDeps } from '../deps';
import { BadRequestError, type SessionUser } from './context';
import { NotFoundError } from '../platform/errors';
import { deleteUserSessions } from './sessions';

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

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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

const createSchema = z.object({
  username: z.string().trim().regex(USERNAME, 'must be 2–64 letters, digits, . _ @ or -'),
  displayName: displayNameSchema,
  role: z.enum(ROLES),
  collegeId: optionalText,
  email: optionalText.refine((s) => s === null || EMAIL.test(s), 'is not an e-mail address'),
  password: z.string().min(MIN_PASSWORD_LENGTH, `must have at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
});
export type CreateUserInput = z.input<typeof createSchema>;

const updateSchema = z.object({
  displayName: displayNameSchema.optional(),
  role: z.enum(ROLES).optional(),
  collegeId: optionalText.optional(),
  email: optionalText.refine((s) => s === null || EMAIL.test(s), 'is not an e-mail address').optional(),
});
export type UpdateUserInput = z.input<typeof updateSchema>;

const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must have at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200);

function parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new BadRequestError(r.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '));
}

/** The problem with this role and college in this school, or null. */
function roleCollegeProblem(role: Role, collegeId: string | null, colleges: College[]): string | null {
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
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
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

// ---------------------------------------------------------------------------------------------
// CSV

/** A cell longer than this is refused (a name, a class, a college: far shorter). */
export const MAX_CSV_CELL = 2000;
/** A line (record) longer than this is refused. */
export const MAX_CSV_LINE = 20_000;
/** The async parser yields to the event loop after this many records. */
const CSV_RECORDS_PER_TURN = 1000;

const UNSUPPORTED_UTF16 =
  'unsupported encoding: UTF-16; save the file as UTF-8 or GBK (不支持的编码：请将文件另存为 UTF-8 或 GBK)';

/** UTF-16 by its byte order mark, or by NUL bytes (text in UTF-8 and GBK has none; UTF-16 has one in every other byte of ASCII). */
function looksUtf16(bytes: Buffer): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)))
    return true;
  const sample = bytes.subarray(0, 4096);
  let nul = 0;
  for (const byte of sample) if (byte === 0) nul++;
  return sample.length > 0 && nul / sample.length > 0.1;
}

/**
 * UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise GBK (Excel on Chinese
 * Windows). UTF-16 (Excel's "Unicode text") is refused with a message saying what to save as.
 */
export function decodeCsv(bytes: Buffer): string {
  if (looksUtf16(bytes)) throw new ImportError([UNSUPPORTED_UTF16]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes); // drops a leading BOM
  } catch {
    return iconv.decode(bytes, 'gbk');
  }
}

/**
 * RFC 4180 records, one at a time: comma-separated, fields in double quotes may hold commas,
 * newlines and `""`. Accepts LF and CRLF. A cell over MAX_CSV_CELL or a record over MAX_CSV_LINE
 * characters throws ImportError naming its line (record number, the header is line 1) as soon
 * as the limit is passed, so a huge cell costs no more than the limit.
 */
function* csvRecords(text: string): Generator<string[]> {
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let recordStart = 0;
  let line = 1;
  const tooLong = (what: string, max: number) =>
    new ImportError([`第 ${line} 行: a ${what} is longer than ${max} characters`]);
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (i - recordStart > MAX_CSV_LINE) throw tooLong('line', MAX_CSV_LINE);
    if (quoted) {
      // the run up to the next quote, in one slice
      const q = text.indexOf('"', i);
      const end = q === -1 ? n : q;
      if (field.length + (end - i) > MAX_CSV_CELL) throw tooLong('cell', MAX_CSV_CELL);
      field += text.slice(i, end);
      if (q === -1) {
        i = n;
        break;
      }
      if (text[q + 1] === '"') {
        field += '"';
        i = q + 2;
      } else {
        quoted = false;
        i = q + 1;
      }
      continue;
    }
    const c = text[i]!;
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      record.push(field);
      yield record;
      record = [];
      field = '';
      recordStart = i;
      line++;
    } else {
      // the run of plain characters, in one slice
      let end = i + 1;
      while (end < n && end - i <= MAX_CSV_CELL) {
        const d = text.charCodeAt(end);
        if (d === 44 || d === 10 || d === 13 || d === 34) break;
        end++;
      }
      if (field.length + (end - i) > MAX_CSV_CELL) throw tooLong('cell', MAX_CSV_CELL);
      field += text.slice(i, end);
      i = end;
    }
  }
  if (n - recordStart > MAX_CSV_LINE) throw tooLong('line', MAX_CSV_LINE);
  if (field !== '' || record.length > 0) {
    record.push(field);
    yield record;
  }
}

/** Every record of a CSV text (see csvRecords), at once: for small texts. */
export function parseCsv(text: string): string[][] {
  return [...csvRecords(text)];
}

/** Every record of a CSV text (see csvRecords), yielding to the event loop every 1,000 records: for uploaded files. */
export async function parseCsvAsync(text: string): Promise<string[][]> {
  const records: string[][] = [];
  for (const r of csvRecords(text)) {
    records.push(r);
    if (records.length % CSV_RECORDS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return records;
}

type Column = 'username' | 'displayName' | 'role' | 'college' | 'email' | 'password';
const HEADER_NAMES: Record<string, Column> = {
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
const REQUIRED_COLUMNS: Array<[Column, string]> = [
  ['username', 'username/用户名'],
  ['displayName', 'displayName/姓名'],
  ['role', 'role/角色'],
];
const ROLE_NAMES: Record<string, Role> = {
  ...Object.fromEntries(ROLES.map((r) => [r, r])),
  学校管理员: 'school_admin',
  学院领导: 'college_leader',
  心理辅导员: 'psych_counsellor',
  辅导员: 'counsellor',
  班主任: 'class_teacher',
};

export interface ImportResult {
  created: number;
  updated: number;
  /** passwords generated for rows without one: shown once, never stored in clear */
  generatedPasswords: Array<{ username: string; password: string }>;
}

/** 400 listing every problem, one per line: '第 3 行: unknown college "物理学院"'. */
export class ImportError extends BadRequestError {
  constructor(readonly problems: string[]) {
    super(`nothing was imported:\n${problems.join('\n')}`);
  }
  override name = 'ImportError';
}

/**
 * The header and the non-empty rows of a CSV import (header = line 1). Unknown, repeated or
 * missing columns, an empty file and too many rows throw ImportError naming the line.
 */
export function readCsvTable<C extends string>(
  records: string[][],
  headerNames: Record<string, C>,
  required: Array<[C, string]>,
  opts: { rowsName: string; maxRows: number },
): { columns: Map<C, number>; width: number; lines: Array<{ line: number; cells: string[] }> } {
  const problems: string[] = [];
  const [header, ...body] = records;
  if (!header || header.every((h) => h.trim() === '')) throw new ImportError(['the file is empty']);
  const columns = new Map<C, number>();
  header.forEach((h, i) => {
    const name = h.trim();
    if (name === '') return;
    const col = headerNames[name.toLowerCase()] ?? headerNames[name];
    if (!col) problems.push(`第 1 行: unknown column "${name}"`);
    else if (columns.has(col)) problems.push(`第 1 行: column "${name}" appears twice`);
    else columns.set(col, i);
  });
  for (const [col, label] of required) if (!columns.has(col)) problems.push(`第 1 行: missing column "${label}"`);
  if (problems.length > 0) throw new ImportError(problems);
  const lines = body
    .map((cells, i) => ({ line: i + 2, cells: cells.map((c) => c.trim()) }))
    .filter((l) => l.cells.some((c) => c !== ''));
  if (lines.length === 0) throw new ImportError([`the file has no ${opts.rowsName}`]);
  if (lines.length > opts.maxRows)
    throw new ImportError([`the file has ${lines.length} ${opts.rowsName}; at most ${opts.maxRows} per import`]);
  return { columns, width: header.length, lines };
}

interface ImportRow {
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

// ---------------------------------------------------------------------------------------------
// Use cases

export function createUserAdmin(deps: AppDeps) {
  const { store, knex } = deps;
  const now = deps.now ?? Date.now;

  /** The user with this id in the actor's school, or UserNotFoundError. */
  async function getUser(actor: SessionUser, id: string): Promise<User> {
    const row = (await knex('users').where({ id, school_id: actor.schoolId }).first('username')) as
      { username: string } | undefined;
    const user = row && (await store.findUserByUsername(row.username));
    if (!user) throw new UserNotFoundError(`unknown user ${id}`);
    return user;
  }

  /** subject: a user id, or for an import the school ({ school }) */
  async function audit(
    actor: SessionUser,
    action: string,
    subject: string | { school: string },
    details?: unknown,
  ): Promise<void> {
    const [subjectType, subjectId] = typeof subject === 'string' ? ['user', subject] : ['school', subject.school];
    await store.appendAudit({
      eventKey: `user-admin:${randomUUID()}`,
      subjectType,
      subjectId,
      action,
      actor: actor.id,
      at: now(),
      details,
    });
  }

  return {
    getUser,

    async list(actor: SessionUser): Promise<PublicUser[]> {
      return (await store.listUsers({ schoolId: actor.schoolId })).map(toPublicUser);
    },

    async create(actor: SessionUser, input: unknown): Promise<PublicUser> {
      const u = parse(createSchema, input);
      const problem = roleCollegeProblem(u.role, u.collegeId, await store.listColleges(actor.schoolId));
      if (problem) throw new BadRequestError(problem);
      if (await store.findUserByUsername(u.username))
        throw new BadRequestError(`the username "${u.username}" is taken`);
      const id = randomUUID();
      await store.upsertUser({
        id,
        schoolId: actor.schoolId,
        collegeId: u.collegeId,
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        email: u.email,
        passwordHash: await hashPassword(u.password),
        active: true,
        createdAt: now(),
      });
      await audit(actor, 'user.created', id, { username: u.username, role: u.role, collegeId: u.collegeId });
      return toPublicUser(await getUser(actor, id));
    },

    /** Changes role, college, name or e-mail; a change to school_admin without a college given drops the college. */
    async update(actor: SessionUser, id: string, input: unknown): Promise<PublicUser> {
      const patch = parse(updateSchema, input);
      const user = await getUser(actor, id);
      const role = patch.role ?? user.role;
      const collegeId =
        patch.collegeId !== undefined ? patch.collegeId : role === 'school_admin' ? null : user.collegeId;
      if (user.id === actor.id && role !== 'school_admin')
        throw new BadRequestError('you cannot take away your own administrator role');
      const problem = roleCollegeProblem(role, collegeId, await store.listColleges(actor.schoolId));
      if (problem) throw new BadRequestError(problem);
      await store.upsertUser({
        ...user,
        passwordHash: undefined, // keep the stored hash
        role,
        collegeId,
        displayName: patch.displayName ?? user.displayName,
        email: patch.email !== undefined ? patch.email : user.email,
      });
      await audit(actor, 'user.updated', id, { role, collegeId, displayName: patch.displayName, email: patch.email });
      return toPublicUser(await getUser(actor, id));
    },

    /** Deactivating signs the user out everywhere. */
    async setActive(actor: SessionUser, id: string, active: boolean): Promise<PublicUser> {
      const user = await getUser(actor, id);
      if (!active && user.id === actor.id) throw new BadRequestError('you cannot deactivate yourself');
      await knex('users').where({ id }).update({ active });
      if (!active) await deleteUserSessions(knex, id);
      await audit(actor, active ? 'user.activated' : 'user.deactivated', id);
      return toPublicUser(await getUser(actor, id));
    },

    /** Sets a new password and signs the user out everywhere. */
    async resetPassword(actor: SessionUser, id: string, password: unknown): Promise<void> {
      const { password: pw } = parse(z.object({ password: passwordSchema }), { password });
      await getUser(actor, id);
      await knex('users')
        .where({ id })
        .update({ password_hash: await hashPassword(pw) });
      await deleteUserSessions(knex, id);
      await audit(actor, 'user.password_reset', id);
    },

    /**
     * Imports a CSV file: validates every row first (any problem → ImportError listing all of them
     * by line, nothing written), then creates or updates every user in one transaction. An existing
     * username gets the file's name, role, college and (if the column exists) e-mail; its password
     * changes only when the file gives one. Line numbers count records, the header being line 1.
     */
    async importCsv(actor: SessionUser, bytes: Buffer): Promise<ImportResult> {
      const rows = await validateImport(actor, await parseCsvAsync(decodeCsv(bytes)));
      const hashes = await mapLimit(rows, 4, async (r) => {
        const password = r.password ?? (r.existing ? null : generatePassword());
        return { password, hash: password === null ? null : await hashPassword(password) };
      });
      const at = now();
      await knex.transaction(async (trx) => {
        for (const [i, r] of rows.entries()) {
          const { hash } = hashes[i]!;
          const fields = {
            display_name: r.displayName,
            role: r.role,
            college_id: r.collegeId,
            ...(r.email !== undefined ? { email: r.email } : {}),
          };
          if (r.existing) {
            await trx('users')
              .where({ id: r.existing.id })
              .update({ ...fields, ...(hash ? { password_hash: hash } : {}) });
          } else {
            await trx('users').insert({
              ...fields,
              id: randomUUID(),
              school_id: actor.schoolId,
              username: r.username,
              password_hash: hash,
              active: true,
              created_at: at,
            });
          }
        }
      });
      const created = rows.filter((r) => !r.existing).length;
      await audit(
        actor,
        'user.imported',
        { school: actor.schoolId },
        { created, updated: rows.length - created, usernames: rows.map((r) => r.username) },
      );
      return {
        created,
        updated: rows.length - created,
        generatedPasswords: rows.flatMap((r, i) =>
          r.password === null && !r.existing ? [{ username: r.username, password: hashes[i]!.password! }] : [],
        ),
      };
    },
  };

  async function validateImport(actor: SessionUser, records: string[][]): Promise<ImportRow[]> {
    const problems: string[] = [];
    const at = (line: number, msg: string) => problems.push(`第 ${line} 行: ${msg}`);

    const { columns, width, lines } = readCsvTable(records, HEADER_NAMES, REQUIRED_COLUMNS, {
      rowsName: 'user rows',
      maxRows: MAX_IMPORT_ROWS,
    });

    const colleges = await store.listColleges(actor.schoolId);
    const collegeByKey = new Map<string, College>();
    for (const c of colleges) for (const key of [c.id, c.name, c.nameEn]) collegeByKey.set(key, c);
    const existing = await usersByUsername(
      actor.schoolId,
      lines.map((l) => l.cells[columns.get('username')!] ?? ''),
    );
    const firstLine = new Map<string, number>();

    const rows: ImportRow[] = [];
    for (const { line, cells } of lines) {
      const cell = (col: Column) => (columns.has(col) ? (cells[columns.get(col)!] ?? '') : '');
      if (cells.length > width && cells.slice(width).some((c) => c !== '')) at(line, 'more fields than the header has');
      const username = cell('username');
      const displayName = cell('displayName');
      const role = ROLE_NAMES[cell('role')];
      const collegeText = cell('college');
      const college = collegeText ? collegeByKey.get(collegeText) : undefined;
      const email = columns.has('email') ? cell('email') || null : undefined;
      const password = cell('password') || null;
      const found = existing.ours.get(username);

      if (!USERNAME.test(username)) at(line, username ? `invalid username "${username}"` : 'username is empty');
      else if (firstLine.has(username))
        at(line, `username "${username}" appears again (first on line ${firstLine.get(username)})`);
      else firstLine.set(username, line);
      if (existing.elsewhere.has(username)) at(line, `username "${username}" belongs to another school`);
      if (!displayName) at(line, 'displayName/姓名 is empty');
      else if (displayName.length > 100) at(line, 'displayName/姓名 is longer than 100 characters');
      else if (controlCharProblem(displayName)) at(line, `displayName/姓名 ${controlCharProblem(displayName)}`);
      if (!role) at(line, cell('role') ? `unknown role "${cell('role')}"` : 'role/角色 is empty');
      if (collegeText && !college) at(line, `unknown college "${collegeText}"`);
      else if (role) {
        const problem = roleCollegeProblem(role, college?.id ?? null, colleges);
        if (problem) at(line, problem);
      }
      if (role && role !== 'school_admin' && username === actor.username)
        at(line, 'you cannot take away your own administrator role');
      if (email && !EMAIL.test(email)) at(line, `invalid e-mail "${email}"`);
      if (password !== null && password.length < MIN_PASSWORD_LENGTH)
        at(line, `password shorter than ${MIN_PASSWORD_LENGTH} characters`);
      if (role)
        rows.push({
          line,
          username,
          displayName,
          role,
          collegeId: college?.id ?? null,
          email,
          password,
          existing: found,
        });
    }
    if (problems.length > 0) throw new ImportError(problems);
    return rows;
  }

  /** This school's users by username, and the usernames among `usernames` taken by other schools. */
  async function usersByUsername(
    schoolId: string,
    usernames: string[],
  ): Promise<{ ours: Map<string, User>; elsewhere: Set<string> }> {
    const ours = new Map((await store.listUsers({ schoolId })).map((u) => [u.username, u]));
    const elsewhere = new Set<string>();
    const wanted = [...new Set(usernames.filter((u) => u !== '' && !ours.has(u)))];
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = (await knex('users')
        .whereIn('username', wanted.slice(i, i + 500))
        .select('username')) as Array<{ username: string }>;
      for (const r of rows) elsewhere.add(r.username);
    }
    return { ours, elsewhere };
  }
}

export type UserAdmin = ReturnType<typeof createUserAdmin>;
