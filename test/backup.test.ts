/**
 * Backup and restore (scripts/backup.ts, scripts/restore.ts, docs/operations.md), run as the
 * commands an operator types: the app database on SQLite and on PostgreSQL (new databases on the
 * shared server, dropped after), filled with the demo semester's tasks and a crisis case; and
 * the Temporal dev server's SQLite file, copied while the dev server runs, from which a new dev
 * server still knows the workflow.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection, Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_SCHOOL, seedDemoSchool } from '../db/demo';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore } from '../db/store';
import { loadCalendarFile, loadTemplateFile } from '../domain/load';
import { planSemester } from '../domain/planner';
import { createSemester, registerDataFiles } from '../server/features/semesters/use-cases/setup';
import { devServerArgs, freePort, waitForTemporal } from './helpers/processes';
import { temporalBinaries } from './helpers/temporal';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const TEMPLATE_FILE = path.join(ROOT, 'checklists', 'runxin-2024-autumn.json');
const CALENDAR_FILE = path.join(ROOT, 'calendars', '2024-autumn.json');
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-backup-'));
const createdDatabases: string[] = [];

/** The demo school, the 2024 autumn semester planned for three colleges, and one crisis case. */
async function fill(db: Knex): Promise<{ tasks: string[]; cases: string[] }> {
  await migrateLatest(db);
  const store = createStore(db);
  await seedDemoSchool(store);
  const { template } = await registerDataFiles(store, { templateFile: TEMPLATE_FILE, calendarFile: CALENDAR_FILE });
  await createSemester(store, {
    id: 'backup-2024-autumn',
    schoolId: DEMO_SCHOOL.id,
    templateId: template.id,
    templateVersion: template.version,
    calendarId: '2024-autumn',
  });
  const plan = planSemester({
    semesterId: 'backup-2024-autumn',
    template: loadTemplateFile(TEMPLATE_FILE).data,
    calendar: loadCalendarFile(CALENDAR_FILE).data,
    colleges: [{ id: 'literature' }, { id: 'science' }, { id: 'medicine' }],
  });
  await store.upsertPlannedTasks(plan.tasks.map(({ remindAts: _r, level2At: _l, ...t }) => t));
  const now = Date.now();
  await db('students').insert({
    id: 'stu-backup-1',
    school_id: DEMO_SCHOOL.id,
    college_id: 'literature',
    student_no: '2024990001',
    name: '林晓雨',
    class_name: '汉语言 2401',
    created_at: now,
  });
  await db('crisis_cases').insert({
    id: 'case-backup-1',
    student_id: 'stu-backup-1',
    college_id: 'literature',
    situation: 'self_harm_risk',
    place: '3 号宿舍楼',
    reported_by: 'literature-counsellor',
    occurred_at: now,
    reported_at: now,
    status: 'supervising',
    escalation_level: 0,
    updated_at: now,
  });
  return {
    tasks: ((await db('task_instances').pluck('id')) as string[]).sort(),
    cases: (await db('crisis_cases').pluck('id')) as string[],
  };
}

async function contents(db: Knex): Promise<{ tasks: string[]; cases: string[] }> {
  return {
    tasks: ((await db('task_instances').pluck('id')) as string[]).sort(),
    cases: (await db('crisis_cases').pluck('id')) as string[],
  };
}

function cli(script: 'backup' | 'restore', args: string[], env: Record<string, string | undefined>) {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
  return spawnSync(TSX, [path.join(ROOT, 'scripts', `${script}.ts`), ...args], {
    cwd: ROOT,
    env: e,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

function pgUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function pgAdmin(sql: string): Promise<void> {
  const admin = createKnex({ databaseUrl: PG_ADMIN_URL });
  try {
    await admin.raw(sql);
  } finally {
    await admin.destroy();
  }
}

afterAll(async () => {
  for (const name of createdDatabases)
    await pgAdmin(`drop database if exists "${name}" with (force)`).catch((e: unknown) =>
      console.error(`could not drop ${name}: ${String(e)}`),
    );
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the app database', () => {
  test('When a SQLite database with tasks and a crisis case is backed up and restored into a new file, then every task and case is there and the row counts match', async () => {
    const source = path.join(dir, 'source.sqlite');
    const db = createKnex({ sqliteFile: source });
    const before = await fill(db);
    expect(before.tasks.length).toBeGreaterThan(100);
    const out = path.join(dir, 'sqlite-backup');
    // the service keeps running: this connection stays open while the backup copies
    const b = cli('backup', ['--out', out], { SQLITE_FILE: source, DATABASE_URL: undefined });
    expect(b.stderr).toBe('');
    expect(b.stdout).toContain(`(tasks ${before.tasks.length}, crisis cases 1)`);
    await db('task_instances').where({ id: before.tasks[0] }).delete(); // a later change does not reach the backup
    await db.destroy();

    const target = path.join(dir, 'restored', 'app.sqlite');
    const r = cli('restore', ['--from', out], { SQLITE_FILE: target, DATABASE_URL: undefined });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(
      `restore: app sqlite; every table's row count matches the backup (tasks ${before.tasks.length}, crisis cases 1)`,
    );
    const restored = createKnex({ sqliteFile: target });
    try {
      expect(await contents(restored)).toEqual(before);
      expect(await restored('students').where({ id: 'stu-backup-1' }).first('name')).toEqual({ name: '林晓雨' });
    } finally {
      await restored.destroy();
    }

    // a second restore onto the same file is refused; so is a damaged backup and a second backup into the same directory
    const again = cli('restore', ['--from', out], { SQLITE_FILE: target, DATABASE_URL: undefined });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(
      `restore failed: app database: ${target} exists; stop the process that uses it and move it away first`,
    );
    expect(cli('backup', ['--out', out], { SQLITE_FILE: source, DATABASE_URL: undefined }).stderr).toContain(
      `backup failed: --out ${out} exists already`,
    );
    fs.appendFileSync(path.join(out, 'app.sqlite'), 'x');
    const damaged = cli('restore', ['--from', out], {
      SQLITE_FILE: path.join(dir, 'other.sqlite'),
      DATABASE_URL: undefined,
    });
    expect(damaged.stderr).toContain('SHA-256 differs from the manifest; the backup is damaged');
    expect(fs.existsSync(path.join(dir, 'other.sqlite'))).toBe(false);
    expect(cli('backup', ['--outt', 'x'], {}).stderr).toContain(
      'backup failed: unknown argument "--outt" (known: --out, --temporal-sqlite, --temporal-database-url)',
    );
  });

  test('When a PostgreSQL database is backed up with pg_dump and restored with pg_restore into a new database, then every task and case is there; a non-empty target is refused', async () => {
    const suffix = crypto.randomBytes(5).toString('hex');
    const [src, dst] = [`rx_backup_src_${suffix}`, `rx_backup_dst_${suffix}`];
    createdDatabases.push(src, dst);
    await pgAdmin(`create database "${src}"`);
    await pgAdmin(`create database "${dst}"`);
    const db = createKnex({ databaseUrl: pgUrl(src) });
    let before: { tasks: string[]; cases: string[] };
    try {
      before = await fill(db);
    } finally {
      await db.destroy();
    }
    const out = path.join(dir, 'pg-backup');
    const b = cli('backup', ['--out', out], { DATABASE_URL: pgUrl(src) });
    expect(b.stderr).toBe('');
    expect(fs.existsSync(path.join(out, 'app.pgdump'))).toBe(true);

    const r = cli('restore', ['--from', out], { DATABASE_URL: pgUrl(dst) });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(
      `every table's row count matches the backup (tasks ${before.tasks.length}, crisis cases 1)`,
    );
    const restored = createKnex({ databaseUrl: pgUrl(dst) });
    try {
      expect(await contents(restored)).toEqual(before);
    } finally {
      await restored.destroy();
    }
    const twice = cli('restore', ['--from', out], { DATABASE_URL: pgUrl(dst) });
    expect(twice.stderr).toMatch(
      new RegExp(`restore failed: database ${dst} is not empty \\(\\d+ tables\\); restore into a new database`),
    );
  });
});

describe('the Temporal dev server persistence', () => {
  let server: ChildProcess | undefined;
  const startDev = async (dbFile: string): Promise<{ address: string; stop: () => Promise<void> }> => {
    const port = await freePort();
    const proc = spawn(temporalBinaries().temporal, devServerArgs(port, dbFile), { stdio: 'ignore' });
    server = proc;
    const address = `127.0.0.1:${port}`;
    await waitForTemporal(address, {
      ms: 60_000,
      everyMs: 300,
      exited: () => (proc.exitCode === null ? undefined : `dev server on ${dbFile} did not start (${proc.exitCode})`),
    });
    return {
      address,
      stop: () =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null) return resolve();
          proc.once('exit', () => resolve());
          proc.kill('SIGTERM');
        }),
    };
  };
  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
  });
  let appFile = '';
  beforeAll(async () => {
    appFile = path.join(dir, 'temporal-test-app.sqlite');
    const db = createKnex({ sqliteFile: appFile });
    await migrateLatest(db);
    await db.destroy();
  });

  test("When the dev server's SQLite file is backed up while it runs and restored into a new file, then a dev server on the copy knows the workflow", async () => {
    const live = path.join(dir, 'temporal.sqlite');
    const first = await startDev(live);
    const connection = await Connection.connect({ address: first.address });
    const workflowId = `backup-probe-${crypto.randomBytes(4).toString('hex')}`;
    try {
      await new Client({ connection }).workflow.start('collegeLadderWorkflow', {
        workflowId,
        taskQueue: 'backup-probe-queue',
        args: [],
      });
    } finally {
      await connection.close();
    }
    const out = path.join(dir, 'temporal-backup');
    const b = cli('backup', ['--out', out, '--temporal-sqlite', live], {
      SQLITE_FILE: appFile,
      DATABASE_URL: undefined,
    });
    expect(b.stderr).toBe('');
    expect(b.stdout).toMatch(/backup: temporal sqlite temporal\.sqlite \d+ bytes/);
    await first.stop();

    const copy = path.join(dir, 'restored-temporal', 'temporal.sqlite');
    const r = cli('restore', ['--from', out, '--temporal-sqlite', copy], {
      SQLITE_FILE: path.join(dir, 'restored-temporal', 'app.sqlite'),
      DATABASE_URL: undefined,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('restore: app sqlite, temporal sqlite;');
    const second = await startDev(copy);
    const c2 = await Connection.connect({ address: second.address });
    try {
      const d = await new Client({ connection: c2 }).workflow.getHandle(workflowId).describe();
      expect(d.type).toBe('collegeLadderWorkflow');
      expect(d.status.name).toBe('RUNNING');
    } finally {
      await c2.close();
      await second.stop();
    }
  }, 120_000);
});
