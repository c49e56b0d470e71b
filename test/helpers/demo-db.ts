/**
 * A throw-away SQLite read model with the demo school and the 2024 autumn template and calendar
 * registered (and, when a semester id is given, that semester created from them): the set-up the
 * workflow tests share.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { DEMO_SCHOOL, seedDemoSchool } from '../../db/demo';
import { createKnex, migrateLatest } from '../../db/knex';
import { createStore, type Store } from '../../db/store';
import { createSemester, registerDataFiles } from '../../server/features/semesters/use-cases/setup';

const ROOT = path.resolve(__dirname, '..', '..');

export interface DemoDb {
  db: Knex;
  store: Store;
  dir: string;
  template: { id: string; version: number };
  close(): Promise<void>;
}

/**
 * opts.taskModel as webFixture's: 'per-task' for tests that start task workflows of their own.
 * opts.register: false leaves the template and calendar to the test (`template` is then empty).
 */
export async function demoDb(
  prefix: string,
  opts: { semesterId?: string; taskModel?: 'per-task' | 'ladder'; register?: false } = {},
): Promise<DemoDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rx-${prefix}-`));
  const db = createKnex({ sqliteFile: path.join(dir, 'app.sqlite') });
  await migrateLatest(db);
  const store = createStore(db);
  await seedDemoSchool(store);
  const template = opts.register === false ? { id: '', version: 0 } : (await registerAutumn(store)).template;
  if (opts.semesterId && opts.register !== false)
    await autumnSemester(store, template, opts.semesterId, opts.taskModel);
  return {
    db,
    store,
    dir,
    template: { id: template.id, version: template.version },
    async close() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Semester `id` of the demo school on `template` and the 2024 autumn calendar (the product's task model unless given). */
export function autumnSemester(
  store: Store,
  template: { id: string; version: number },
  id: string,
  taskModel?: 'per-task' | 'ladder',
) {
  return createSemester(store, {
    id,
    schoolId: DEMO_SCHOOL.id,
    templateId: template.id,
    templateVersion: template.version,
    calendarId: '2024-autumn',
    taskModel,
  });
}

/** Registers the 2024 autumn checklist and calendar (the files under checklists/ and calendars/). */
export function registerAutumn(store: Store) {
  return registerDataFiles(store, {
    templateFile: path.join(ROOT, 'checklists', 'runxin-2024-autumn.json'),
    calendarFile: path.join(ROOT, 'calendars', '2024-autumn.json'),
  });
}

/** The use cases' deps over `d` for a worker on `queue` of `env`, at the server's current time. */
export const serverDeps = async (d: DemoDb, env: TestWorkflowEnvironment, queue: string) => ({
  knex: d.db,
  store: d.store,
  client: env.client,
  taskQueue: queue,
  now: await env.currentTimeMs(),
});

/** Every text-like column (`table.column`) of every table of a SQLite database that holds any of `needles`. */
export async function columnsHolding(db: Knex, needles: string[]): Promise<string[]> {
  const tables = (await db('sqlite_master').where({ type: 'table' }).pluck('name')) as string[];
  const found: string[] = [];
  for (const table of tables) {
    const columns = (await db.raw(`pragma table_info("${table}")`)) as Array<{ name: string; type: string }>;
    for (const c of columns.filter((x) => !/int|real|bool|float|double/i.test(x.type))) {
      const hits = await db(table)
        .where((q) => {
          for (const needle of needles) void q.orWhere(c.name, 'like', `%${needle}%`);
        })
        .count({ n: '*' });
      if (Number((hits[0] as { n: number }).n) > 0) found.push(`${table}.${c.name}`);
    }
  }
  return found;
}
