/**
 * The notification outbox against a real SQLite file, a real local SMTP server (smtp-server on
 * 127.0.0.1, port 0) and a real local HTTP receiver standing in for the WeCom/DingTalk robot.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createKnex, migrateLatest } from '../db/knex';
import { createStore, type Store } from '../db/store';
import { loadChannelConfig, type ChannelConfig } from '../notifications/config';
import {
  createChannels,
  createDeliveryActivities,
  createOutbox,
  deliveryKey,
  type Channels,
  type OutboxOptions,
} from '../notifications/outbox';
import { createWebhookChannel, webhookBody } from '../notifications/webhook';
import { localSmtp } from './helpers/smtp';

const T0 = Date.UTC(2025, 0, 1);
const FROM = '心理健康工作督办 <noreply@example.edu.cn>';
const TOKEN = 'robot-token-0123456789';

// ---------------------------------------------------------------------------------------------
// A real SMTP server that keeps what it receives

interface ReceivedMail {
  rcptTo: string[];
  user: string | undefined;
  headers: Record<string, string>;
  subject: string;
  text: string;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=). */
function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
      enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : decodeQp(data.replace(/_/g, ' ')),
    );
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const clean = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < clean.length; i++) {
    if (clean[i] === '=' && /^[0-9A-F]{2}$/i.test(clean.slice(i + 1, i + 3))) {
      bytes.push(parseInt(clean.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(clean[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseMail(raw: string): { headers: Record<string, string>; subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.slice(split + 4);
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  const text =
    cte === 'base64'
      ? Buffer.from(body, 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? decodeQp(body)
        : body;
  return { headers, subject: decodeWords(headers.subject ?? ''), text };
}

const mails: ReceivedMail[] = [];
const smtp = localSmtp(({ rcptTo, user, raw }) => mails.push({ rcptTo, user, ...parseMail(raw) }));

// ---------------------------------------------------------------------------------------------
// A real HTTP receiver standing in for the group robot

interface Post {
  path: string;
  query: URLSearchParams;
  body: unknown;
}

const posts: Post[] = [];
/** answers for the next posts, in order; afterwards 200 {"errcode":0,"errmsg":"ok"}. */
const answers: Array<{ status: number; body: string }> = [];
let answerDelayMs = 0;

const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    posts.push({
      path: url.pathname,
      query: url.searchParams,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
    });
    const answer = answers.shift() ?? { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
    setTimeout(
      () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body),
      answerDelayMs,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Database, users and a task

let dir: string;
let dbFile: string;
let db: Knex;
let store: Store;
let config: ChannelConfig;
const opened: Array<{ close(): void }> = [];

function listen(
  server: { listen(port: number, host: string, cb: () => void): unknown },
  address: () => AddressInfo,
): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(address().port)));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-notify-'));
  dbFile = path.join(dir, 'app.sqlite');
  db = createKnex({ sqliteFile: dbFile });
  await migrateLatest(db);
  store = createStore(db);
  await store.upsertSchool({ id: 'sch', name: '示例大学', nameEn: 'Example University', timezone: 'Asia/Shanghai' });
  await store.upsertCollege({ id: 'col-a', schoolId: 'sch', name: '文学院', nameEn: 'Arts' });
  const user = (
    id: string,
    role: 'college_leader' | 'class_teacher' | 'counsellor' | 'psych_counsellor',
    email: string | null,
    active = true,
  ) =>
    store.upsertUser({ id, schoolId: 'sch', collegeId: 'col-a', username: id, displayName: id, role, email, active });
  await user('u-teach', 'class_teacher', 'teach@example.edu.cn');
  await user('u-lead', 'college_leader', 'lead@example.edu.cn');
  await user('u-no-email', 'counsellor', null);
  await user('u-inactive', 'psych_counsellor', 'gone@example.edu.cn', false);
  const body = '{}';
  const sha = crypto.createHash('sha256').update(body).digest('hex');
  await store.saveTemplate({
    id: 'tpl',
    version: 1,
    kind: 'semester-checklist',
    titleZh: '清单',
    titleEn: 'Checklist',
    body,
    sha256: sha,
  });
  await store.saveCalendar({ id: 'cal', nameZh: '学期', body, sha256: sha });
  await store.upsertSemester({ id: 'sem', schoolId: 'sch', calendarId: 'cal', templateId: 'tpl', templateVersion: 1 });
  await store.upsertPlannedTasks([
    {
      id: 'task-1',
      semesterId: 'sem',
      collegeId: 'col-a',
      templateTaskId: 't1',
      month: '2025-01',
      kind: 'once',
      ownerRole: 'class_teacher',
      titleZh: '心理委员培训',
      titleEn: 'Training',
      openAt: T0,
      dueAt: T0 + 86_400_000,
    },
  ]);

  const smtpPort = await listen(smtp, () => smtp.server.address() as AddressInfo);
  const httpPort = await listen(receiver, () => receiver.address() as AddressInfo);
  config = {
    email: { url: `smtp://rx-mailer:s3cret@127.0.0.1:${smtpPort}`, from: FROM },
    webhook: { url: `http://127.0.0.1:${httpPort}/cgi-bin/webhook/send?key=${TOKEN}`, kind: 'wecom' },
  };
});

afterAll(async () => {
  for (const o of opened) o.close();
  await db?.destroy();
  await new Promise((r) => smtp.close(() => r(undefined)));
  await new Promise((r) => receiver.close(r));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  mails.length = 0;
  posts.length = 0;
  answers.length = 0;
  answerDelayMs = 0;
  for (const table of ['notification_deliveries', 'notifications', 'audit_events']) await db(table).del();
});

function outbox(over: Partial<OutboxOptions> = {}, channels: Channels = createChannels(config)) {
  const o = createOutbox({ knex: db, channels, pollMs: 20, ...over });
  opened.push(o);
  return o;
}

/** One task transition notifying `recipients` (inbox rows), as activities/recordTaskEvent does. */
async function event(eventKey: string, recipients: string[], kind = 'escalation_l1'): Promise<void> {
  await store.applyTaskTransition({
    taskId: 'task-1',
    patch: { status: 'overdue', escalationLevel: 1 },
    audit: { eventKey, action: 'overdue', actor: 'timer', at: T0 },
    notifications: recipients.map((recipientUserId) => ({
      recipientUserId,
      kind,
      title: '逾期：「心理委员培训」',
      body: '文学院：任务「心理委员培训」已于 2025-01-02 17:00 到期仍未完成，已上报学院领导（一级预警）。',
    })),
  });
}

async function deliveries(eventKey: string) {
  return (await db('notification_deliveries').where({ event_key: eventKey }).orderBy('id')) as Array<
    Record<string, unknown>
  >;
}

// ---------------------------------------------------------------------------------------------

describe('deliver', () => {
  test('When an event notifies two users, then each gets one e-mail and the group robot one message', async () => {
    const key = 'task-1/overdue:1';
    await event(key, ['u-teach', 'u-lead']);
    const result = await outbox().deliver(key);

    expect(result).toEqual({ sent: 3, skipped: 0 });
    expect(mails.map((m) => m.rcptTo).sort()).toEqual([['lead@example.edu.cn'], ['teach@example.edu.cn']]);
    const ids = (await db('notifications').where({ event_key: key }).orderBy('id')) as Array<{
      id: number;
      recipient_user_id: string;
    }>;
    const emailOf: Record<string, string> = { 'u-teach': 'teach@example.edu.cn', 'u-lead': 'lead@example.edu.cn' };
    for (const m of mails) {
      const n = ids.find((i) => emailOf[i.recipient_user_id] === m.rcptTo[0])!;
      expect(m.headers['message-id']).toBe(`<rx.task-1/overdue%3A1.n${n.id}@example.edu.cn>`);
      expect(m.subject).toBe('逾期：「心理委员培训」');
      expect(m.text).toContain('已上报学院领导（一级预警）');
      expect(m.headers['auto-submitted']).toBe('auto-generated');
      expect(m.user).toBe('rx-mailer'); // the credentials from SMTP_URL were used
    }
    expect(posts).toHaveLength(1);
    expect(posts[0]!.query.get('key')).toBe(TOKEN);

    const rows = await deliveries(key);
    expect(rows.map((r) => [r.channel, r.status, r.attempts, r.dedupe_key])).toEqual([
      ['email', 'sent', 1, `email:${ids[0]!.id}`],
      ['email', 'sent', 1, `email:${ids[1]!.id}`],
      ['webhook', 'sent', 1, `webhook:${key}`],
    ]);
    for (const r of rows) expect(typeof r.sent_at).toBe('number');
    const webhookRow = rows[2]!;
    expect(String(webhookRow.target)).toMatch(/^127\.0\.0\.1:\d+#sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
  });

  test('When the webhook is posted, then its body is the WeCom/DingTalk text shape', async () => {
    await event('e-shape', ['u-teach']);
    await outbox().deliver('e-shape');
    expect(posts[0]!.body).toEqual({
      msgtype: 'text',
      text: {
        content: `逾期：「心理委员培训」\n文学院：任务「心理委员培训」已于 2025-01-02 17:00 到期仍未完成，已上报学院领导（一级预警）。\n[#${deliveryKey('webhook:e-shape')}]`,
      },
    });
    const keyed = webhookBody('wecom', { title: 't', text: '督'.repeat(2000), key: 'rx-0123456789abcdef' });
    expect(Buffer.byteLength(keyed.text.content, 'utf8')).toBeLessThanOrEqual(2048);
    expect(keyed.text.content.endsWith('…\n[#rx-0123456789abcdef]')).toBe(true); // the key line survives the cut
    const long = webhookBody('wecom', { title: 't', text: '督'.repeat(2000) });
    expect(Buffer.byteLength(long.text.content, 'utf8')).toBeLessThanOrEqual(2048);
    expect(webhookBody('dingtalk', { title: 'a', text: 'b' })).toEqual({ msgtype: 'text', text: { content: 'a\nb' } });
  });

  test('When deliver runs again, then nothing more is sent', async () => {
    await event('e-again', ['u-teach', 'u-lead']);
    const o = outbox();
    expect(await o.deliver('e-again')).toEqual({ sent: 3, skipped: 0 });
    expect(await o.deliver('e-again')).toEqual({ sent: 0, skipped: 3 });
    expect(await outbox().deliver('e-again')).toEqual({ sent: 0, skipped: 3 });
    expect(mails).toHaveLength(2);
    expect(posts).toHaveLength(1);
    expect(await o.pending()).toBe(0);
  });

  test('When two deliverers on separate connections run at once, then each message is sent exactly once', async () => {
    await event('e-race', ['u-teach', 'u-lead']);
    answerDelayMs = 100; // the robot is slow: the other deliverer must wait for it, not resend
    const otherDb = createKnex({ sqliteFile: dbFile });
    try {
      const a = outbox();
      const b = outbox({ knex: otherDb });
      const results = await Promise.all([a.deliver('e-race'), b.deliver('e-race'), a.deliver('e-race')]);
      expect(results.reduce((n, r) => n + r.sent, 0)).toBe(3);
      for (const r of results) expect(r.sent + r.skipped).toBe(3);
    } finally {
      await otherDb.destroy();
    }
    expect(mails).toHaveLength(2);
    expect(posts).toHaveLength(1);
    expect((await deliveries('e-race')).map((r) => r.attempts)).toEqual([1, 1, 1]);
  });

  test('When the robot answers 500, then deliver throws naming it; the retry sends only the webhook', async () => {
    await event('e-500', ['u-teach', 'u-lead']);
    answers.push({ status: 500, body: 'internal error' });
    const o = outbox();
    await expect(o.deliver('e-500')).rejects.toThrow(
      /1 message\(s\) not sent.*\(webhook\): wecom webhook 127\.0\.0\.1:\d+: HTTP 500 internal error/,
    );
    expect(mails).toHaveLength(2);
    expect(await o.pending()).toBe(1);
    const failed = (await deliveries('e-500')).find((r) => r.channel === 'webhook')!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, sent_at: null });
    expect(String(failed.last_error)).toContain('HTTP 500');
    expect(String(failed.last_error)).not.toContain(TOKEN);

    expect(await o.deliver('e-500')).toEqual({ sent: 1, skipped: 2 });
    expect(mails).toHaveLength(2); // the e-mails were not sent again
    expect(posts).toHaveLength(2);
    expect((await deliveries('e-500')).find((r) => r.channel === 'webhook')).toMatchObject({
      status: 'sent',
      attempts: 2,
      last_error: null,
    });
    expect(await o.pending()).toBe(0);
  });

  test('When the robot answers 200 with a non-zero errcode, then that is a failure too', async () => {
    await event('e-errcode', ['u-teach']);
    answers.push({ status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' });
    const activities = createDeliveryActivities({ outbox: outbox() });
    await expect(activities.deliverNotifications({ eventKey: 'e-errcode' })).rejects.toThrow(
      /errcode 93000 invalid webhook url/,
    );
    expect(await activities.deliverNotifications({ eventKey: 'e-errcode' })).toEqual({ sent: 1, skipped: 1 });
    expect(mails).toHaveLength(1);
  });

  test('When the SMTP server is unreachable, then deliver throws and the webhook still goes out', async () => {
    await event('e-smtp-down', ['u-teach']);
    const channels = createChannels({ ...config, email: { url: 'smtp://127.0.0.1:1', from: FROM } });
    await expect(outbox({}, channels).deliver('e-smtp-down')).rejects.toThrow(/\(email\): .*ECONNREFUSED/);
    expect(posts).toHaveLength(1);
    expect((await deliveries('e-smtp-down')).map((r) => [r.channel, r.status])).toEqual([
      ['email', 'failed'],
      ['webhook', 'sent'],
    ]);
  });

  test('When a recipient has no e-mail or is inactive, then they get no e-mail but keep the inbox row', async () => {
    await event('e-partial', ['u-teach', 'u-no-email', 'u-inactive']);
    expect(await outbox().deliver('e-partial')).toEqual({ sent: 2, skipped: 0 });
    expect(mails.map((m) => m.rcptTo)).toEqual([['teach@example.edu.cn']]);
    expect(posts).toHaveLength(1);
    expect(await store.listNotifications('u-no-email')).toHaveLength(1);
    expect(await store.listNotifications('u-inactive')).toHaveLength(1);
  });

  test('When no channel is configured, then deliver is a no-op', async () => {
    await event('e-none', ['u-teach']);
    const o = outbox({}, createChannels(loadChannelConfig({})));
    expect(await o.deliver('e-none')).toEqual({ sent: 0, skipped: 0 });
    expect(await deliveries('e-none')).toEqual([]);
    expect(mails).toHaveLength(0);
    expect(posts).toHaveLength(0);
  });

  test('When only some kinds go to the webhook, then other events send e-mail only', async () => {
    await event('e-reminder', ['u-teach'], 'reminder');
    expect(await outbox({ webhookKinds: ['escalation_l1', 'escalation_l2'] }).deliver('e-reminder')).toEqual({
      sent: 1,
      skipped: 0,
    });
    expect(posts).toHaveLength(0);
  });

  test('When a claim is fresh, then deliver waits for it and fails; once stale, it is taken over', async () => {
    await event('e-stale', ['u-teach']);
    let clock = T0;
    const o = outbox({ now: () => clock, inFlightWaitMs: 100 });
    answers.push({ status: 500, body: '' });
    await expect(o.deliver('e-stale')).rejects.toThrow(/HTTP 500/);
    // another deliverer claims the webhook row (and, later, turns out to have died)
    await db('notification_deliveries')
      .where({ event_key: 'e-stale', channel: 'webhook' })
      .update({ status: 'sending', claimed_at: clock });

    let polls = 0;
    const waiting = outbox({ now: () => (polls++ > 3 ? clock + 200 : clock), inFlightWaitMs: 100 });
    await expect(waiting.deliver('e-stale')).rejects.toThrow(/still being sent by another deliverer/);
    expect(posts).toHaveLength(1);

    clock += 5 * 60_000 + 1;
    expect(await o.deliver('e-stale')).toEqual({ sent: 1, skipped: 1 });
    expect(posts).toHaveLength(2);
    expect((await deliveries('e-stale')).find((r) => r.channel === 'webhook')).toMatchObject({
      status: 'sent',
      attempts: 2,
    }); // the simulated claim did not count an attempt
  });
});

describe('webhook channel', () => {
  test('When DingTalk signing is configured, then the post carries timestamp and sign', async () => {
    const secret = 'SEC0123456789';
    const url = config.webhook!.url.replace(`key=${TOKEN}`, `access_token=${TOKEN}`);
    await createWebhookChannel({ url, kind: 'dingtalk', secret }).send({ title: '标题', text: '正文' });
    const q = posts[0]!.query;
    expect(q.get('access_token')).toBe(TOKEN);
    const expected = crypto
      .createHmac('sha256', secret)
      .update(`${q.get('timestamp')}\n${secret}`)
      .digest('base64');
    expect(q.get('sign')).toBe(expected);
    expect(posts[0]!.body).toEqual({ msgtype: 'text', text: { content: '标题\n正文' } });
  });
});

describe('loadChannelConfig', () => {
  test('When nothing is set, then every external channel is off', () => {
    expect(loadChannelConfig({})).toEqual({});
  });

  test('When the variables are set, then both channels are on with their defaults', () => {
    expect(
      loadChannelConfig({
        SMTP_URL: 'smtps://u:p@smtp.example.edu.cn:465',
        WEBHOOK_URL: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
      }),
    ).toEqual({
      email: { url: 'smtps://u:p@smtp.example.edu.cn:465', from: '心理健康工作督办 <noreply@localhost>' },
      webhook: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', kind: 'wecom' },
    });
  });

  test.each([
    [{ WEBHOOK_URL: 'ftp://x' }, 'WEBHOOK_URL'],
    [{ SMTP_URL: 'http://user:hunter2@mail.example.cn' }, 'SMTP_URL'],
    [{ SMTP_URL: 'not a url' }, 'SMTP_URL'],
    [{ WEBHOOK_KIND: 'slack' }, 'WEBHOOK_KIND'],
    [{ SMTP_FROM: 'nobody' }, 'SMTP_FROM'],
    [{ WEBHOOK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=t', WEBHOOK_SECRET: 's' }, 'WEBHOOK_SECRET'],
  ])('When %o is invalid, then the error names %s and shows no secret', (env, variable) => {
    expect(() => loadChannelConfig(env)).toThrow(
      new RegExp(`^invalid notification channel configuration:\\n  ${variable}: `),
    );
    expect(() => loadChannelConfig(env)).not.toThrow(/hunter2/);
  });
});
