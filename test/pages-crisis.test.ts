/**
 * The crisis pages over real HTTP and a real read model (issue 14, item 2): the report form has
 * no default situation and names each problem on the form in Chinese with the values kept; the
 * case page shows each step as done, due or overdue with countdowns to the next deadline and the
 * next check-in, a live part that refreshes without a student read, and the timeline in words; a
 * refused step is shown on its form in Chinese with what was entered.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { countdownText } from '../server/platform/i18n';
import { addCrisisCase, addCrisisEvent, addStudent, type CrisisRecord } from './helpers/records';
import { login, webFixture, type Session, type WebFixture } from './helpers/web';

let fx: WebFixture;
const NOW = Date.UTC(2024, 9, 15, 4);
const MIN = 60_000;
/** what the fake Temporal client's Updates answer (a workflow's refusal) */
let refusal = "record the parents' authorisation before the hospital (seed 003 §7)";

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
const visible = (page: string) =>
  decode(
    page
      .replace(/<details>[\s\S]*?<\/details>/g, '')
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, ' '),
  );
type CaseState = Pick<CrisisRecord, 'status' | 'escalationLevel'>;
const csrfOf = (page: string) => decode(/name="_csrf" value="([^"]+)"/.exec(page)![1]!);

async function post(s: Session, path: string, form: Record<string, string>): Promise<Response> {
  const page = await (await s.fetch('/crises/new')).text();
  return s.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfOf(page), ...form }).toString(),
    csrf: false,
  });
}

/** The report form for the fixture's student C2024001 (钱危机), with `fields`. */
const report = (s: Session, fields: Record<string, string>) =>
  post(s, '/crises', { studentNo: 'C2024001', studentName: '钱危机', ...fields });

beforeAll(async () => {
  const client = {
    workflow: {
      getHandle: () => ({
        executeUpdate: async () => {
          throw new WorkflowUpdateFailedError(
            'Workflow Update failed',
            ApplicationFailure.create({ message: refusal, nonRetryable: true }),
          );
        },
      }),
    },
  } as unknown as Client;
  fx = await webFixture({ now: () => NOW, client });
  await addStudent(fx.knex, {
    id: 'stu-c',
    collegeId: 'literature',
    studentNo: 'C2024001',
    name: '钱危机',
    className: '汉语言1班',
    createdAt: NOW,
  });
  const crisis = { studentId: 'stu-c', collegeId: 'literature', reportedBy: 'literature-counsellor', updatedAt: NOW };
  /** a case reported `minutes` ago, 5 minutes after it occurred */
  const addCase = (id: string, situation: string, place: string, minutes: number, state: CaseState) => {
    const at = { occurredAt: NOW - (minutes + 5) * MIN, reportedAt: NOW - minutes * MIN };
    return addCrisisCase(fx.knex, { ...crisis, id, situation, place, ...at, ...state });
  };
  // a risk of self-harm reported 40 minutes ago: on scene, guardian, one check-in 10 minutes ago
  await addCase('case-s', 'self_harm_risk', '5 号楼', 40, { status: 'supervising', escalationLevel: 0 });
  const ev = (action: string, at: number, actor = 'literature-counsellor') =>
    addCrisisEvent(fx.store, 'case-s', { action, at, actor, eventKey: `case-s/${action}/${at}` });
  await ev('reported', NOW - 40 * MIN);
  await ev('on-scene', NOW - 35 * MIN);
  await ev('guardian-assigned', NOW - 30 * MIN);
  await ev('check-in', NOW - 10 * MIN);
  await ev('workflow-restarted', NOW - 5 * MIN, 'admin');
  // an injury reported 2 hours ago: nobody on scene, the leader and the school alerted
  await addCase('case-i', 'injury', '操场', 120, { status: 'open', escalationLevel: 2 });
  await addCrisisEvent(fx.store, 'case-i', { action: 'reported', actor: 'literature-counsellor', at: NOW - 120 * MIN });
  await addCrisisEvent(fx.store, 'case-i', {
    action: 'on-scene-missed',
    actor: 'timer',
    at: NOW - 90 * MIN,
    eventKey: 'case-i/missed',
  });
});
afterAll(async () => {
  await fx.close();
});

describe('the report form', () => {
  test('When it is opened, then no situation is chosen in advance', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const page = await (await staff.fetch('/crises/new')).text();
    const select = /<select name="situation"[^>]*>([\s\S]*?)<\/select>/.exec(page)![1]!;
    expect(select).toMatch(/^<option value="">请选择<\/option>/);
    expect(select).not.toContain('selected');
  });
  test('When it is sent without a situation and a place, then the form comes back (400) naming both in Chinese, with the values kept', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const neither = { situation: '', place: '' };
    const res = await report(staff, { className: '汉语言1班', ...neither, occurredAt: '2024-10-15 11:30' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const page = await res.text();
    expect(page).toContain('id="error-situation"');
    expect(visible(page)).toContain('请选择情况类别。');
    expect(visible(page)).toContain('请填写地点。');
    expect(page).toMatch(/name="studentNo" [^>]*value="C2024001"/);
    expect(decode(page)).toContain('value="钱危机"');
    expect(decode(page)).toContain('value="2024-10-15 11:30"');
    expect(visible(page)).not.toMatch(/required|situation must/);
  });
  test('When the time lies in the future or the situation is unknown, then those are named and the chosen values stay', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const res = await report(staff, { situation: 'injury', place: '操场', occurredAt: '2024-10-16T12:00' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(visible(page)).toContain('发生时间无效');
    expect(page).toContain('<option value="injury" selected>');
    const bad = await report(staff, { situation: 'flood', place: '操场' });
    expect(visible(await bad.text())).toContain('请选择情况类别。');
  });
});

describe('the case page', () => {
  test('When a supervised case is opened, then each step shows done / due with countdowns to the next deadline and check-in, and the timeline is in words', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const res = await staff.fetch('/crises/case-s');
    expect(res.status).toBe(200);
    const page = await res.text();
    const state = (step: string) => new RegExp(`<tr data-step="${step}" data-state="(\\w+)"`).exec(page)?.[1];
    expect(state('on-scene')).toBe('done');
    expect(state('school-notified')).toBe('due');
    expect(state('action')).toBe('none');
    expect(state('guardian')).toBe('done');
    expect(state('check-in')).toBe('due');
    expect(state('hand-over')).toBe('due');
    expect(state('five-ones')).toBe('waiting');
    // school departments due at reported + 60 min = 20 minutes from now; next check-in at the last one + 2 h
    expect(visible(page)).toMatch(/下一个时限：确认已通知学校部门[^，]*，\s*还剩 20 分钟/);
    expect(page).toContain(`data-deadline="${NOW + 20 * MIN}"`);
    expect(visible(page)).toMatch(/下一次报平安：[^，]*，\s*还剩 1 小时 50 分钟/);
    expect(page).toContain(`data-deadline="${NOW + 110 * MIN}"`);
    // the timeline: names, not codes (the code stays in an attribute)
    const timeline = visible(/<table id="timeline">[\s\S]*?<\/table>/.exec(page)![0]);
    for (const name of ['个案上报', '确认到场', '指定监护人', '监护报平安', '流程已重新启动'])
      expect(timeline).toContain(name);
    expect(timeline).not.toMatch(/[a-z]{3,}/);
    expect(page).toContain('<tr data-code="on-scene">');
    // the live part refreshes every 30 s from a fragment
    expect(page).toContain('<div id="live" data-live="30" data-live-src="/crises/case-s?fragment=live">');
  });
  test('When a deadline has passed, then the step is overdue with the time over, and the escalation reads in words', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const page = await (await staff.fetch('/crises/case-i')).text();
    expect(page).toContain('<tr data-step="on-scene" data-state="overdue">');
    expect(visible(page)).toContain('已超时 1 小时 30 分钟');
    expect(page).toContain('class="countdown overdue"');
    expect(visible(page)).toContain('二级预警（已上报学校）');
    expect(page).not.toContain('data-step="check-in"');
    expect(visible(page)).toContain('到场超时（一级预警）');
  });
  test('When the live part is fetched, then it carries the progress and timeline but no student and adds no student view', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const views = async () => (await fx.store.listAudit({ subjectType: 'student', subjectId: 'stu-c' })).length;
    const before = await views();
    const frag = await (await staff.fetch('/crises/case-s?fragment=live')).text();
    expect(frag).toContain('<div id="live"');
    expect(frag).toContain('data-step="check-in"');
    expect(frag).not.toContain('钱危机');
    expect(await views()).toBe(before);
  });
  test('When a step is refused by the workflow, then its form says why in Chinese and keeps what was entered', async () => {
    const staff = await login(fx.base, 'literature-counsellor');
    const page = await (await staff.fetch('/crises/case-s')).text();
    refusal = "record the parents' authorisation before the hospital (seed 003 §7)";
    const res = await staff.fetch('/crises/case-s/action', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfOf(page), action: 'taken-to-hospital' }).toString(),
      csrf: false,
    });
    expect(res.status).toBe(409);
    const again = await res.text();
    const form = /<form class="card step" id="step-action"[\s\S]*?<\/form>/.exec(again)![0];
    expect(visible(form)).toContain('送医前须先记录家长授权。');
    expect(form).toContain('<option value="taken-to-hospital" selected>');
    refusal = 'name the responsible leader, the team, the plan and the follow-up talks';
    const five = await staff.fetch('/crises/case-s/five-ones', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrfOf(page),
        leaderUserId: 'literature-college-leader',
        team: '张三,李四',
        plan: '持续关注',
        followUp: '',
      }).toString(),
      csrf: false,
    });
    const fiveForm = /<form class="card step" id="step-five-ones"[\s\S]*?<\/form>/.exec(await five.text())![0];
    expect(visible(fiveForm)).toContain('请填写负责领导、工作小组、工作方案和后续跟踪计划。');
    expect(decode(fiveForm)).toContain('value="张三,李四"');
    expect(decode(fiveForm)).toContain('持续关注</textarea>');
  });
  test('countdown words', () => {
    expect(countdownText(NOW + 65 * MIN, NOW, 'zh-CN')).toBe('还剩 1 小时 5 分钟');
    expect(countdownText(NOW - 12 * MIN, NOW, 'zh-CN')).toBe('已超时 12 分钟');
    expect(countdownText(NOW + 2 * 1440 * MIN + 3 * 60 * MIN, NOW, 'zh-CN')).toBe('还剩 2 天 3 小时');
    expect(countdownText(NOW + 30 * MIN, NOW, 'en')).toBe('30 min left');
  });
});
