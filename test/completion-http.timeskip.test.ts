/**
 * Completing a task over HTTP with evidence uploads, through the real task workflow's Update on
 * the time-skipping server: accepted files are kept and served to permitted users only; a
 * rejected completion keeps nothing; wrong types and oversized files are refused by name.
 */
import fs from 'node:fs';
import type { TaskInstanceRow } from '../db/store';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { plannedTask } from './helpers/tasks';
import { login, type WebFixture } from './helpers/web';
import { taskActivities, workerStack, type WorkerStack } from './helpers/worker';

/** a valid 1×1 PNG */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

let stack: WorkerStack;
let fx: WebFixture;

beforeAll(async () => {
  // this file starts task workflows (workflows/task.ts) of its own: a per-task semester
  stack = await workerStack('http-complete', {
    taskModel: 'per-task',
    activities: (f, e) => taskActivities(f, e.client),
  });
  ({ fx } = stack);
});
afterAll(() => stack?.close());

// stack.startTask starts the workflow of a planned row (its dates are in 2024: it opens and falls overdue at once)
const row = (college: string, templateTaskId: string) => plannedTask(fx, college, templateTaskId);

function form(fields: Record<string, string>, files: Array<[string, string, Buffer, string]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [field, name, buf, type] of files) f.append(field, new Blob([buf], { type }), name);
  return f;
}

const evidenceCount = async (taskId: string) =>
  Number((await fx.knex('evidence_files').where({ task_id: taskId }).count({ n: '*' }))[0]!.n);

describe('POST /api/tasks/:id/complete', () => {
  test('When staff complete with a note and a photo, then the task is completed (late), and the photo is kept and served to their college only', async () => {
    const task = await row('literature', '2024-10-01-update-key-care-list');
    await stack.startTask(task);
    const staff = await login(fx.base, 'literature-counsellor');
    const res = await staff.fetch(`/api/tasks/${encodeURIComponent(task.id)}/complete`, {
      method: 'POST',
      body: form({ note: '本月新增 2 名关注学生' }, [['files', '名单照片.png', PNG, 'image/png']]),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { task: { status: string; late: boolean } }).task).toMatchObject({
      status: 'completed',
      late: true,
    });
    const detail = (await (await staff.fetch(`/api/tasks/${encodeURIComponent(task.id)}`)).json()) as {
      task: TaskInstanceRow;
      evidence: Array<{ url: string; name: string }>;
    };
    expect(detail.task).toMatchObject({
      status: 'completed',
      note: '本月新增 2 名关注学生',
      completedBy: 'literature-counsellor',
    });
    expect(detail.evidence.map((e) => e.name)).toEqual(['名单照片.png']);
    const leader = await login(fx.base, 'literature-college-leader');
    const file = await leader.fetch(detail.evidence[0]!.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
    const other = await login(fx.base, 'science-college-leader');
    expect((await other.fetch(detail.evidence[0]!.url)).status).toBe(403);
    // completing it again is refused with the reason, and the new upload is not kept
    const again = await staff.fetch(`/api/tasks/${encodeURIComponent(task.id)}/complete`, {
      method: 'POST',
      body: form({ note: '再次' }, [['files', 'x.png', PNG, 'image/png']]),
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'this task is already completed' });
    expect(await evidenceCount(task.id)).toBe(1);
  });

  test('When the evidence rules are not met, then the workflow refuses with its reason and nothing uploaded is kept', async () => {
    const task = await row('literature', '2025-01-06-semester-summary'); // needs a note, one file, the summary document
    await stack.startTask(task);
    const leader = await login(fx.base, 'literature-college-leader');
    const res = await leader.fetch(`/api/tasks/${encodeURIComponent(task.id)}/complete`, {
      method: 'POST',
      body: form({ note: '总结' }, [['files', 'photo.png', PNG, 'image/png']]),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe(
      'evidence incomplete: the Semester summary of mental-health education work (本学期心理健康教育工作总结) document is required',
    );
    expect(await evidenceCount(task.id)).toBe(0);
    expect(fs.readdirSync(fx.deps.evidenceDir).length).toBe(1); // only the first test's photo
    const ok = await leader.fetch(`/api/tasks/${encodeURIComponent(task.id)}/complete`, {
      method: 'POST',
      body: form({ note: '总结' }, [['doc_summary', '学期总结.pdf', PDF, 'application/pdf']]),
    });
    expect(ok.status).toBe(200);
    expect(await evidenceCount(task.id)).toBe(1);
  });

  test('When a file is not an image or PDF, or too large, then it is refused by name and nothing is kept', async () => {
    const task = await row('literature', '2024-11-01-update-key-care-list');
    await stack.startTask(task);
    const staff = await login(fx.base, 'literature-counsellor');
    const exe = await staff.fetch(`/api/tasks/${encodeURIComponent(task.id)}/complete`, {
      method: 'POST',
      body: form({ note: 'x' }, [['files', 'tool.png', Buffer.from('MZ\x90\x00binary'), 'image/png']]),
    });
    expect(exe.status).toBe(400);
    expect(await exe.json()).toEqual({ error: '"tool.png" is not a JPEG, PNG or PDF file' });
    const big = await staff.fetch(`/api/tasks/${encodeURIComponent(task.id)}/complete`, {
      method: 'POST',
      body: form({ note: 'x' }, [
        ['files', 'huge.pdf', Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024)]), 'application/pdf'],
      ]),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toBe('file too large (files): the limit is 10 MB per file');
    expect(await evidenceCount(task.id)).toBe(0);
    expect((await fx.store.getTaskInstance(task.id))?.status).not.toBe('completed');
  });

  test('When staff of another college try to complete it, then it is 403 and the workflow is not asked', async () => {
    const task = await row('literature', '2024-12-01-update-key-care-list');
    await stack.startTask(task);
    const other = await login(fx.base, 'science-counsellor');
    const res = await other.fetch(`/api/tasks/${encodeURIComponent(task.id)}/complete`, {
      method: 'POST',
      body: form({ note: 'x' }, []),
    });
    expect(res.status).toBe(403);
    expect((await fx.store.getTaskInstance(task.id))?.status).not.toBe('completed');
  });
});
