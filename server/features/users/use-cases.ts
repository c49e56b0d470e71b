/**
 * User administration (school admins of one school): list, create, edit, activate/deactivate,
 * reset a password, and import a CSV file. Every use case is scoped to the actor's school and
 * audited; deactivation and a password reset sign the user out everywhere. Called by the JSON API
 * (api.ts), the pages (pages.ts) and tests alike.
 */
import { randomUUID } from 'node:crypto';
import { z } from '../../../domain/zod';
import { hashPassword } from '../../../db/passwords';
import {
  setPasswordHash,
  setUserActive,
  usernameInSchool,
  writeImportedUsers,
} from '../../../db/repositories/user-admin';
import type { User } from '../../../db/store';
import type { AppDeps } from '../../platform/deps';
import type { SessionUser } from '../../platform/auth/context';
import { deleteUserSessions } from '../../platform/auth/sessions';
import { decodeCsv, parseCsvAsync } from '../../platform/csv';
import { BadRequestError } from '../../platform/errors';
import { validateImport } from './import-rows';
import {
  createSchema,
  generatePassword,
  mapLimit,
  parse,
  passwordSchema,
  roleCollegeProblem,
  toPublicUser,
  updateSchema,
  UserNotFoundError,
  type ImportResult,
  type PublicUser,
} from './rules';

export {
  generatePassword,
  MAX_IMPORT_ROWS,
  MIN_PASSWORD_LENGTH,
  toPublicUser,
  UserNotFoundError,
  type CreateUserInput,
  type ImportResult,
  type PublicUser,
  type UpdateUserInput,
} from './rules';

export function createUserAdmin(deps: AppDeps) {
  const { store, knex } = deps;
  const now = deps.now ?? Date.now;

  /** The user with this id in the actor's school, or UserNotFoundError. */
  async function getUser(actor: SessionUser, id: string): Promise<User> {
    const username = await usernameInSchool(knex, id, actor.schoolId);
    const user = username && (await store.findUserByUsername(username));
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
      await setUserActive(knex, id, active);
      if (!active) await deleteUserSessions(knex, id);
      await audit(actor, active ? 'user.activated' : 'user.deactivated', id);
      return toPublicUser(await getUser(actor, id));
    },

    /** Sets a new password and signs the user out everywhere. */
    async resetPassword(actor: SessionUser, id: string, password: unknown): Promise<void> {
      const { password: pw } = parse(z.object({ password: passwordSchema }), { password });
      await getUser(actor, id);
      await setPasswordHash(knex, id, await hashPassword(pw));
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
      const rows = await validateImport(deps, actor, await parseCsvAsync(decodeCsv(bytes)));
      const hashes = await mapLimit(rows, 4, async (r) => {
        const password = r.password ?? (r.existing ? null : generatePassword());
        return { password, hash: password === null ? null : await hashPassword(password) };
      });
      const at = now();
      await writeImportedUsers(
        knex,
        actor.schoolId,
        at,
        rows.map((r, i) => ({
          existingId: r.existing?.id,
          newId: randomUUID(),
          username: r.username,
          displayName: r.displayName,
          role: r.role,
          collegeId: r.collegeId,
          email: r.email,
          passwordHash: hashes[i]!.hash,
        })),
      );
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
}

export type UserAdmin = ReturnType<typeof createUserAdmin>;
