/**
 * Throw-away PostgreSQL databases, as the tests and the benchmarks make them: one statement on an
 * admin connection (create or drop a database, a probe), and the URL of another database on the
 * same server.
 */
import { createKnex } from './knex';

/** Runs one statement on the database at `adminUrl`, given up after `ms` (so a silent host cannot hang the run). */
export async function adminStatement(adminUrl: string, sql: string, ms = 5000): Promise<void> {
  const admin = createKnex({ databaseUrl: adminUrl });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms).unref(),
  );
  try {
    await Promise.race([admin.raw(sql), timeout]);
  } finally {
    await admin.destroy();
  }
}

/** The URL of database `name` on the server of `url` (same user, password, host, port and options). */
export function databaseUrlOn(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
