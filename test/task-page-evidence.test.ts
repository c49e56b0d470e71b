/**
 * The task page's completion form says what evidence the checklist asks for before it is sent: a
 * task that needs files marks its file field required and says how many (the browser asks for
 * them on the phone instead of a round trip that loses the typed note); a task that needs a note
 * alone does not. The server checks again (test/task-complete-once.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, webFixture, type WebFixture } from './helpers/web';

let fx: WebFixture;
beforeAll(async () => {
  fx = await webFixture();
});
afterAll(async () => {
  await fx.close();
});

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
const fileField = (page: string) => /<label for="complete-files">([^<]*)<\/label><input ([^>]*)>/.exec(decode(page));

describe('the completion form', () => {
  test('When the checklist asks for a file, then the file field is required and its label says how many', async () => {
    const leader = await login(fx.base, 'literature-college-leader');
    // 2024-09-01-kickoff-meeting: a note and at least one file
    const id = (await fx.store.listTaskInstances({ collegeId: 'literature' })).find(
      (t) => t.templateTaskId === '2024-09-01-kickoff-meeting',
    )!.id;
    const zh = fileField(await (await leader.fetch(`/tasks/${encodeURIComponent(id)}`)).text());
    expect(zh?.[1]).toBe('佐证材料（图片或 PDF，至少 1 个）');
    expect(zh?.[2]).toMatch(/\brequired\b/);
    const en = fileField(await (await leader.fetch(`/tasks/${encodeURIComponent(id)}?lang=en`)).text());
    expect(en?.[1]).toBe('Evidence (images or PDF, at least 1)');
  });

  test('When the checklist asks for a note alone, then the file field stays optional', async () => {
    const counsellor = await login(fx.base, 'literature-counsellor');
    // 2024-09-02-dorm-visits: a note alone
    const id = (await fx.store.listTaskInstances({ collegeId: 'literature' })).find(
      (t) => t.templateTaskId === '2024-09-02-dorm-visits',
    )!.id;
    const zh = fileField(await (await counsellor.fetch(`/tasks/${encodeURIComponent(id)}`)).text());
    expect(zh?.[1]).toBe('佐证材料（图片或 PDF）');
    expect(zh?.[2]).not.toMatch(/\brequired\b/);
  });
});
