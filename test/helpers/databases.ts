/**
 * The two drivers the store tests run on: SQLite (a file in a temp directory) and PostgreSQL (a
 * fresh rx_test_<random> database on the server of TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test,
 * created for the run and dropped at the end). When PostgreSQL cannot be reached, its suite is
 * skipped with a warning saying why: the project is CommonJS, so no top-level await, so
 * reachability is probed in beforeAll (connect below) and each test then skips itself.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { adminStatement, databaseUrlOn } from '../../db/connections';
import { createKnex, describeDb, type DbOptions } from '../../db/knex';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Driver {
  name: 'sqlite' | 'postgres';
  /** creates an empty database; returns why the driver cannot run here instead, if so. */
  setup(): Promise<DbOptions | { unavailable: string }>;
  teardown(): Promise<void>;
}

/** SQLite in a fresh temp directory `rx-<prefix>-…`, at `file` inside it (its directories are created by createKnex). */
export function sqliteDriver(prefix: string, file = 'app.sqlite'): Driver {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rx-${prefix}-`));
  return {
    name: 'sqlite',
    setup: async () => ({ sqliteFile: path.join(dir, file) }),
    teardown: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh rx_test_<random> database per run, dropped by teardown. */
export function postgresDriver(): Driver {
  const dbName = `rx_test_${crypto.randomBytes(6).toString('hex')}`;
  let created = false;
  return {
    name: 'postgres',
    setup: async () => {
      try {
        await adminStatement(PG_ADMIN_URL, 'select 1');
      } catch (err) {
        return {
          unavailable: `${describeDb({ databaseUrl: PG_ADMIN_URL })} is not reachable: ${(err as Error).message}`,
        };
      }
      await adminStatement(PG_ADMIN_URL, `create database "${dbName}"`);
      created = true;
      return { databaseUrl: databaseUrlOn(PG_ADMIN_URL, dbName) };
    },
    teardown: async () => {
      if (created) await adminStatement(PG_ADMIN_URL, `drop database if exists "${dbName}"`);
    },
  };
}

/** SQLite (see sqliteDriver) and PostgreSQL, for describe.each. */
export const bothDrivers = (prefix: string, sqliteFile?: string): Driver[] => [
  sqliteDriver(prefix, sqliteFile),
  postgresDriver(),
];

/**
 * Sets the driver's database up and connects to it (not migrated); undefined, after a warning
 * naming `suite`, when the driver cannot run here.
 */
export async function connect(driver: Driver, suite: string): Promise<{ db: Knex; opts: DbOptions } | undefined> {
  const opts = await driver.setup();
  if ('unavailable' in opts) {
    console.warn(`[${suite}] skipping the ${driver.name} suite: ${opts.unavailable}`);
    return undefined;
  }
  return { db: createKnex(opts), opts };
}
