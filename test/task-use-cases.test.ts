/**
 * The task rules that moved from the routes into the use cases (issue 13 part 3), called directly:
 * no HTTP, no Temporal, a store that answers only what the rule reads.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import type { Store, TaskInstanceRow } from '../db/store';
import { completeWithEvidence, filterTasks, returnTask, TaskRejectedError } from '../server/features/tasks/use-cases';
import { taskRow } from './helpers/tasks';

const NOW = Date.UTC(2026, 9, 15);
const row = (over: Partial<TaskInstanceRow> = {}): TaskInstanceRow => taskRow(NOW, over);
const storeOf = (rows: TaskInstanceRow[]) =>
  ({
    getTaskInstance: async (id: string) => rows.find((r) => r.id === id),
    getSemester: async () => undefined,
    listTaskInstances: async () => rows,
  }) as unknown as Store;
/** a client and a database that fail the test when touched */
const untouched = new Proxy({}, { get: () => expect.fail('the rule should refuse before Temporal or SQL') });
const leader = { userId: 'u1', role: 'college_leader' as const, collegeId: 'c1' };

describe('returnTask', () => {
  it('When the reason is longer than 2000 characters, then it is refused before the ladder is asked', async () => {
    const store = storeOf([row({ status: 'completed' })]);
    await expect(returnTask(untouched as Client, store, 't1', leader, 'x'.repeat(2001))).rejects.toThrow(
      new TaskRejectedError('the reason is longer than 2000 characters'),
    );
    await expect(returnTask(untouched as Client, store, 't1', leader, '  ')).rejects.toThrow(
      'a reason is required to return a completion',
    );
  });
});

describe('completeWithEvidence', () => {
  it('When a file is not an image or PDF, then it is refused by name and nothing is stored', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'evidence-'));
    const file = path.join(dir, 'upload');
    await fs.writeFile(file, 'not a picture');
    const deps = {
      client: undefined,
      store: storeOf([row()]),
      knex: untouched as Knex,
      evidenceDir: dir,
      now: () => NOW,
    };
    const c = {
      row: row(),
      actor: { userId: 'u2', role: 'counsellor' as const, collegeId: 'c1' },
      note: 'done',
      uploads: [{ fieldname: 'files', originalname: 'notes.txt', path: file, size: 13 }],
    };
    await expect(completeWithEvidence(deps, c)).rejects.toThrow('"notes.txt" is not a JPEG, PNG or PDF file');
    await expect(completeWithEvidence(deps, { ...c, uploads: [] })).rejects.toThrow(
      'Temporal is not configured for this server',
    );
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('filterTasks', () => {
  it("When 'overdue' is asked, then an open task past due counts, as the overview counts it; 'escalated' is any level from 1", async () => {
    const rows = [
      row({ id: 'late', dueAt: NOW - 1 }),
      row({ id: 'fine' }),
      row({ id: 'marked', status: 'overdue', escalationLevel: 2 }),
    ];
    const store = storeOf(rows);
    const ids = async (f: Parameters<typeof filterTasks>[3]) =>
      (await filterTasks(store, 's1', 'c1', f, NOW)).map((r) => r.id);
    expect(await ids({ status: 'overdue' })).toEqual(['late', 'marked']);
    expect(await ids({ level: 'escalated' })).toEqual(['marked']);
    expect(await ids({})).toEqual(['late', 'fine', 'marked']);
  });
});
