/**
 * completeTask sends one completion of a task at a time from a process, and a request without an
 * idempotency key for a task the read model shows closed is answered from it, without an Update
 * (ADR 0005, seventh round: refused Updates beside accepted ones stalled a college ladder). Called
 * directly: a store that answers what the use case reads, a client that counts the Updates.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { TaskState } from '../contracts';
import type { Store, TaskInstanceRow } from '../db/store';
import { completeTask, TaskRejectedError } from '../server/features/tasks/use-cases';
import { taskRow } from './helpers/tasks';

const NOW = Date.UTC(2026, 9, 15);
const counsellor = { userId: 'u2', role: 'counsellor' as const, collegeId: 'c1' };
const request = { actor: counsellor, note: 'done', files: [] };

/** One task's read model row and a task workflow that completes it (as its Update's activity writes the row) or refuses as its validator does. */
const CHECKLIST = fs.readFileSync(path.join(__dirname, '..', 'checklists', 'runxin-2024-autumn.json'), 'utf8');
/** a ladder semester of the 2024 autumn checklist (version 3), as the read model holds it */
const semester = { id: 's1', templateId: 'runxin-2024-autumn', templateVersion: 3, taskModel: 'ladder' };

function world(
  status: TaskInstanceRow['status'] = 'open',
  gate?: { sent(): void; until: Promise<void> },
  over: Partial<TaskInstanceRow> = {},
) {
  const row = taskRow(NOW, { id: `t-${Math.random().toString(36).slice(2)}`, status, ...over });
  const updates: Array<{ workflowId: string; updateId?: string }> = [];
  const store = {
    getTaskInstance: async (id: string) => (id === row.id ? { ...row } : undefined),
    getSemester: async () => (over.semesterId === semester.id ? semester : undefined),
    getTemplate: async (id: string, version: number) =>
      id === semester.templateId && version === semester.templateVersion ? { body: CHECKLIST } : undefined,
  } as unknown as Store;
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        executeUpdate: async (_def: unknown, o: { updateId?: string }) => {
          updates.push({ workflowId, ...(o.updateId ? { updateId: o.updateId } : {}) });
          gate?.sent();
          await (gate?.until ?? new Promise((r) => setTimeout(r, 20)));
          if (row.status !== 'open') throw new Error('this task is already completed');
          row.status = 'completed';
          return { taskId: row.id, status: 'completed' } as TaskState;
        },
      }),
    },
  } as unknown as Client;
  return { row, store, client, updates };
}

describe('completeTask: one at a time, and closed tasks answered from the read model', () => {
  it('When the read model shows the task completed and the request has no idempotency key, then it is refused without an Update', async () => {
    const w = world('completed');
    await expect(completeTask(w.client, w.store, w.row.id, request)).rejects.toThrow(
      new TaskRejectedError('this task is already completed'),
    );
    const waived = world('waived');
    await expect(completeTask(waived.client, waived.store, waived.row.id, request)).rejects.toThrow(
      new TaskRejectedError('this task was waived and is closed'),
    );
    expect([...w.updates, ...waived.updates]).toEqual([]);
  });

  it('When two requests for one task come at once, then the second waits for the first and is refused without an Update of its own', async () => {
    const w = world();
    const [first, second] = await Promise.allSettled([
      completeTask(w.client, w.store, w.row.id, request),
      completeTask(w.client, w.store, w.row.id, request),
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: { taskId: w.row.id, status: 'completed' } });
    expect(second).toMatchObject({
      status: 'rejected',
      reason: new TaskRejectedError('this task is already completed'),
    });
    expect(w.updates).toEqual([{ workflowId: w.row.id }]);
  });

  it("When the evidence misses what the checklist asks, then it is refused in the workflow's words without an Update", async () => {
    // 2024-09-01-kickoff-meeting asks for a note and at least one file (checklists/runxin-2024-autumn.json)
    const w = world('open', undefined, { semesterId: 's1', templateTaskId: '2024-09-01-kickoff-meeting' });
    await expect(completeTask(w.client, w.store, w.row.id, request)).rejects.toThrow(
      new TaskRejectedError('evidence incomplete: at least 1 file(s) are required, 0 given'),
    );
    expect(w.updates).toEqual([]);
    // with its file, the same request goes to the college's ladder
    const file = { id: 'f1', kind: 'image' as const };
    await completeTask(w.client, w.store, w.row.id, { ...request, files: [file] });
    expect(w.updates).toEqual([{ workflowId: 'college-ladder.s1.c1' }]);
  });

  it('When a request carries an idempotency key, then a closed task is still asked of its workflow (the key’s first result)', async () => {
    const w = world('completed');
    // the fake workflow refuses: what matters is that the Update was sent, with its id
    await expect(completeTask(w.client, w.store, w.row.id, request, { updateId: 'key-1' })).rejects.toThrow();
    expect(w.updates).toEqual([{ workflowId: w.row.id, updateId: 'key-1' }]);
  });

  it('When requests for different tasks come at once, then none waits for another', async () => {
    // each task's Update answers only once the other task's Update was sent: were one to wait for
    // the other, neither would answer and the test would time out
    let aSent!: () => void;
    let bSent!: () => void;
    const aWasSent = new Promise<void>((r) => (aSent = r));
    const bWasSent = new Promise<void>((r) => (bSent = r));
    const a = world('open', { sent: () => aSent(), until: bWasSent });
    const b = world('open', { sent: () => bSent(), until: aWasSent });
    await Promise.all([
      completeTask(a.client, a.store, a.row.id, request),
      completeTask(b.client, b.store, b.row.id, request),
    ]);
    expect([...a.updates, ...b.updates]).toHaveLength(2);
  });
});
