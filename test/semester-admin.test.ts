/**
 * Semester administration over HTTP: create a semester from uploaded (or stored) files, preview
 * its dated plan month by month, start it; bad files are refused naming the file and the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, recordingClient, webFixture, type WebFixture } from './helpers/web';

const ROOT = path.resolve(__dirname, '..');
const TOKEN = 'ops-token-for-tests-0123456789abcdef';
const started: Array<{ workflowId: string; args: unknown }> = [];
/** Records workflow starts; the real start path runs in semester.devserver.test.ts. */
const fakeClient = recordingClient(({ workflowId, args }) => started.push({ workflowId, args }));

let fx: WebFixture;
beforeAll(async () => {
  fx = await webFixture({ client: fakeClient, adminApiToken: TOKEN }, { plan: false });
});
afterAll(async () => {
  await fx.close();
});

const file = (name: string, text: string) => new Blob([text], { type: 'application/json' });
const templateText = fs.readFileSync(path.join(ROOT, 'checklists', 'runxin-2024-autumn.json'), 'utf8');
const calendarText = fs.readFileSync(path.join(ROOT, 'calendars', '2024-autumn.json'), 'utf8');

describe('POST /api/semesters', () => {
  test('When the school admin uploads a template and a calendar, then the semester is created and its plan previews month by month', async () => {
    const admin = await login(fx.base, 'admin');
    const f = new FormData();
    f.append('id', 'autumn-upload');
    f.append('templateFile', file('t.json', templateText), 'runxin.json');
    f.append('calendarFile', file('c.json', calendarText), 'autumn.json');
    const res = await admin.fetch('/api/semesters', { method: 'POST', body: f });
    expect(res.status).toBe(201);
    const plan = (await (await admin.fetch('/api/semesters/autumn-upload/plan')).json()) as {
      colleges: number;
      tasksPerCollege: number;
      months: Array<{ month: string; tasks: unknown[] }>;
    };
    expect(plan.colleges).toBe(8);
    expect(plan.tasksPerCollege).toBe(54);
    expect(plan.months.map((m) => m.month)).toEqual(['2024-09', '2024-10', '2024-11', '2024-12', '2025-01']);
    const page = await (await admin.fetch('/admin/semesters/autumn-upload')).text();
    expect(page).toContain('<h2>2024 年 9 月 ('); // months in words (issue 14)
    expect(page).toContain('id="start"');
  });

  test('When a template file is broken, then it is refused naming the file, the field and the problem', async () => {
    const admin = await login(fx.base, 'admin');
    const broken = JSON.parse(templateText) as { tasks: Array<Record<string, unknown>> };
    broken.tasks[2]!.kind = 'sometimes';
    const f = new FormData();
    f.append('id', 'autumn-broken');
    f.append('templateFile', file('t.json', JSON.stringify(broken)), 'my-checklist.json');
    f.append('calendarId', '2024-autumn');
    const res = await admin.fetch('/api/semesters', { method: 'POST', body: f });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^my-checklist\.json: tasks\[2\]\.kind: Invalid enum value/,
    );
    expect((await admin.fetch('/api/semesters/autumn-broken/plan')).status).toBe(404);
  });

  test('When a file is larger than 1 MB, then it is refused as too large', async () => {
    const admin = await login(fx.base, 'admin');
    const f = new FormData();
    f.append('id', 'autumn-big');
    f.append('templateFile', file('t.json', ' '.repeat(1024 * 1024 + 10)), 'big.json');
    const res = await admin.fetch('/api/semesters', { method: 'POST', body: f });
    expect(res.status).toBe(413);
  });

  test('When stored files are picked and the semester is started, then its workflow starts once per call and it is marked running', async () => {
    const admin = await login(fx.base, 'admin');
    const res = await admin.fetch('/api/semesters', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'autumn-stored', templateId: 'runxin-2024-autumn', calendarId: '2024-autumn' }),
    });
    expect(res.status).toBe(201);
    const start = await admin.fetch('/api/semesters/autumn-stored/start', { method: 'POST' });
    expect(start.status).toBe(202);
    expect(await start.json()).toEqual({ semester: 'autumn-stored', workflowId: 'semester.autumn-stored' });
    expect(started.at(-1)!.workflowId).toBe('semester.autumn-stored');
    expect((await fx.store.getSemester('autumn-stored'))?.status).toBe('running');
  });

  test('When automation uses the ops bearer token, then it may start a semester without a session; a wrong token is 401', async () => {
    const ok = await fetch(`${fx.base}/api/semesters/autumn-upload/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.status).toBe(202);
    const wrong = await fetch(`${fx.base}/api/semesters/autumn-upload/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
  });
});
