/**
 * Issue 14, deliver 2: "a crisis alert leads nowhere". Every inbox entry is a link to its subject,
 * for every subject type the notifications table holds (tasks, crisis cases, screening warnings,
 * pairings, the daily digest of the school, the weekly kickoff of a college); and the navigation's
 * inbox link shows the number of unread entries.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, webFixture, type WebFixture } from '../helpers/web';
import { addStudent } from '../helpers/records';

let fx: WebFixture;
beforeAll(async () => {
  fx = await webFixture({}, { plan: false });
});
afterAll(async () => {
  await fx?.close();
});

const USER = 'literature-counsellor';

async function notify(
  subjectType: string,
  subjectId: string,
  title: string,
  readAt: number | null = null,
): Promise<void> {
  const user = await fx.store.findUserByUsername(USER);
  await fx.knex('notifications').insert({
    event_key: `inbox-links:${subjectType}:${subjectId}`,
    recipient_user_id: user!.id,
    channel: 'inbox',
    kind: 'test',
    subject_type: subjectType,
    subject_id: subjectId,
    title,
    body: '正文',
    created_at: Date.now(),
    read_at: readAt,
  });
}

describe('inbox entries lead to their subject', () => {
  test('When the inbox holds an entry of each subject type, then each entry is a link to its page', async () => {
    const student = { id: 'inbox-links-student', collegeId: 'literature', studentNo: '2024990001', name: '林一' };
    await addStudent(fx.knex, student);
    await fx.knex('pairings').insert({
      id: 'pairing-1',
      college_id: 'literature',
      student_id: student.id,
      status: 'proposed',
      source: 'manual',
      created_by: 'test',
      created_at: Date.now(),
    });
    await notify('task', 'task-1', '任务提醒');
    await notify('crisis', 'case-1', '危机个案');
    await notify('screening', 'warning-1', '筛查预警');
    await notify('pairing', 'pairing-1', '结对帮扶');
    await notify('school', 'demo-school', '每日汇总');
    await notify('college', 'literature', '每周启动', Date.now());
    await notify('unit-concern', 'report-1', '班级心理委员反映情况', Date.now());
    const s = await login(fx.base, USER);
    const body = await (await s.fetch('/inbox')).text();
    const link = (title: string) => new RegExp(`<a href="([^"]+)"[^>]*>${title}</a>`).exec(body)?.[1];
    expect(link('任务提醒')).toBe('/tasks/task-1');
    expect(link('危机个案')).toBe('/crises/case-1');
    expect(link('筛查预警')).toBe('/screening/warnings/warning-1');
    expect(link('结对帮扶')).toBe('/care?college=literature');
    expect(link('每日汇总')).toBe('/');
    expect(link('每周启动')).toBe('/colleges/literature');
    expect(link('班级心理委员反映情况')).toBe('/units/concerns#concern-report-1');
    // five unread (the weekly kickoff and the concern are read): the navigation's badge says so, on every page
    for (const p of ['/inbox', '/tasks/mine']) {
      const html = await (await s.fetch(p)).text();
      expect(/<span class="badge" id="inbox-badge"[^>]*>(\d+)<\/span>/.exec(html)?.[1], p).toBe('5');
    }
  });
});
