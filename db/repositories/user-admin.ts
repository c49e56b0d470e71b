/** The users table's writes of user administration (server/features/users/use-cases.ts holds the rules). */
import type { Knex } from 'knex';

/** The username of the user with this id in this school, if any. */
export async function usernameInSchool(db: Knex, id: string, schoolId: string): Promise<string | undefined> {
  const row = (await db('users').where({ id, school_id: schoolId }).first('username')) as
    { username: string } | undefined;
  return row?.username;
}

export async function setUserActive(db: Knex, id: string, active: boolean): Promise<void> {
  await db('users').where({ id }).update({ active });
}

export async function setPasswordHash(db: Knex, id: string, passwordHash: string): Promise<void> {
  await db('users').where({ id }).update({ password_hash: passwordHash });
}

/** Which of these usernames exist (in any school), asked 500 at a time. */
export async function existingUsernames(db: Knex, usernames: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < usernames.length; i += 500) {
    const rows = (await db('users')
      .whereIn('username', usernames.slice(i, i + 500))
      .select('username')) as Array<{ username: string }>;
    for (const r of rows) out.add(r.username);
  }
  return out;
}

export interface ImportedUser {
  /** the existing user's id, or undefined to create one */
  existingId: string | undefined;
  newId: string;
  username: string;
  displayName: string;
  role: string;
  collegeId: string | null;
  /** undefined: leave the e-mail alone */
  email: string | null | undefined;
  /** null: keep the stored hash (an existing user) or none (a new one) */
  passwordHash: string | null;
}

/** Creates or updates every imported user in one transaction. */
export async function writeImportedUsers(db: Knex, schoolId: string, at: number, rows: ImportedUser[]): Promise<void> {
  await db.transaction(async (trx) => {
    for (const r of rows) {
      const fields = {
        display_name: r.displayName,
        role: r.role,
        college_id: r.collegeId,
        ...(r.email !== undefined ? { email: r.email } : {}),
      };
      if (r.existingId) {
        await trx('users')
          .where({ id: r.existingId })
          .update({ ...fields, ...(r.passwordHash ? { password_hash: r.passwordHash } : {}) });
      } else {
        await trx('users').insert({
          ...fields,
          id: r.newId,
          school_id: schoolId,
          username: r.username,
          password_hash: r.passwordHash,
          active: true,
          created_at: at,
        });
      }
    }
  });
}
