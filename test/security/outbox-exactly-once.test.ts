/**
 * Exactly-once delivery under faults (issue 15, "Deliver" 1): against a real SQLite read model, a
 * real SMTP server and a real HTTP receiver standing in for the WeCom/DingTalk robot.
 * - every robot message carries a stable key (a `[#…]` line and an Idempotency-Key header);
 * - a database failure between the send and the mark-sent never sends twice;
 * - a claim's lease is short, renewed while a slow send runs, and taken over once stale;
 * - the delivery activity heartbeats;
 * - failed rows are re-sent when the channel comes back, and the school admin sees and re-sends them.
 * No assertion depends on how long anything takes: waits are for conditions.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Knex } from 'knex';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { createKnex } from '../../db/knex';
import type { ChannelConfig } from '../../notifications/config';
import { createChannels, createDeliveryActivities, createOutbox, type OutboxOptions } from '../../notifications/outbox';
import { login, webFixture, type WebFixture } from '../helpers/web';

const FROM = '心理健康工作督办 <noreply@example.edu.cn>';

// a real SMTP server that keeps the Message-IDs it receives
const mails: Array<{ to: string[]; messageId: string }> = [];
let smtpDown = false;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  disableReverseLookup: true,
  onRcptTo(_address, _session, callback) {
    callback(
      smtpDown ? Object.assign(new Error('mailbox unavailable: service down'), { responseCode: 451 }) : undefined,
    );
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      mails.push({
        to: session.envelope.rcptTo.map((a) => a.address),
        messageId: /^message-id:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? '',
      });
      callback();
    });
  },
});

// a real HTTP receiver standing in for the group robot
const posts: Array<{ headers: http.IncomingHttpHeaders; content: string }> = [];
/** runs when a post has arrived, before it is answered (the answer waits for it) */
let onPost: (() => Promise<void> | void) | undefined;
let robotStatus = 200;
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: { content: string } };
    const status = robotStatus;
    if (status === 200) posts.push({ headers: req.headers, content: body.text.content });
    void Promise.resolve(onPost?.()).then(() =>
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(status === 200 ? '{"errcode":0,"errmsg":"ok"}' : 'unavailable'),
    );
  });
});

let fx: WebFixture;
let db: Knex;
let other: Knex; // a second connection to the same file, for the faults
let config: ChannelConfig;
let seq = 0;
let taskId: string;
const opened: Array<{ close(): void }> = [];

const listen = (server: { listen(port: number, host: string, cb: () => void): unknown }, address: () => AddressInfo) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve(address().port)));

beforeAll(async () => {
  fx = await webFixture();
  db = fx.knex;
  other = createKnex({ sqliteFile: path.join(fx.dir, 'app.sqlite') });
  taskId = (await fx.store.listTaskInstances({ semesterId: fx.semesterId, collegeId: 'literature' }))[0]!.id;
  const smtpPort = await listen(smtp, () => smtp.server.address() as AddressInfo);
  const httpPort = await listen(receiver, () => receiver.address() as AddressInfo);
  config = {
    email: { url: `smtp://127.0.0.1:${smtpPort}`, from: FROM },
    webhook: { url: `http://127.0.0.1:${httpPort}/cgi-bin/webhook/send?key=robot-token`, kind: 'wecom' },
  };
});

afterAll(async () => {
  for (const o of opened) o.close();
  await other?.destroy();
  await new Promise((r) => smtp.close(() => r(undefined)));
  await new Promise((r) => receiver.close(r));
  await fx?.close();
});

beforeEach(() => {
  mails.length = 0;
  posts.length = 0;
  onPost = undefined;
  robotStatus = 200;
  smtpDown = false;
});

function outbox(over: Partial<OutboxOptions> = {}) {
  const o = createOutbox({ knex: db, channels: createChannels(config), pollMs: 20, ...over });
  opened.push(o);
  return o;
}

/** A new task event notifying the literature college leader (inbox row), as recordTaskEvent does. */
async function event(): Promise<string> {
  const eventKey = `${taskId}/exactly-once:${++seq}`;
  await fx.store.applyTaskTransition({
    taskId,
    patch: {},
    audit: { eventKey, action: 'reminder', actor: 'timer', at: Date.now() },
    notifications: [
      {
        recipientUserId: 'literature-college-leader',
        kind: 'escalation_l1',
        title: '逾期：「心理委员培训」',
        body: '文学院：任务已到期仍未完成。',
      },
    ],
  });
  return eventKey;
}

const rows = async (eventKey: string) =>
  (await db('notification_deliveries').where({ event_key: eventKey }).orderBy('id')) as Array<Record<string, unknown>>;
const webhookRow = async (eventKey: string) => (await rows(eventKey)).find((r) => r.channel === 'webhook')!;

describe('idempotency keys', () => {
  test('When a robot message is posted, then its body ends with a [#key] line and the Idempotency-Key header carries the same stable key', async () => {
    const key = await event();
    await outbox().deliver(key);
    expect(posts).toHaveLength(1);
    const header = posts[0]!.headers['idempotency-key'];
    expect(header).toMatch(/^rx-[0-9a-f]{16}$/);
    expect(posts[0]!.content.split('\n').at(-1)).toBe(`[#${String(header)}]`);
    expect(posts[0]!.content.startsWith('逾期：「心理委员培训」\n')).toBe(true);
    // the e-mail's Message-ID names the notification
    expect(mails).toHaveLength(1);
    expect(mails[0]!.messageId).toMatch(/^<rx\..+\.n\d+@example\.edu\.cn>$/);

    // the same delivery row gives the same key when sent again (e.g. re-sent by the admin)
    await db('notification_deliveries').where({ event_key: key, channel: 'webhook' }).update({ status: 'failed' });
    await outbox().deliver(key);
    expect(posts.map((p) => p.headers['idempotency-key'])).toEqual([header, header]);
  });
});

describe('a database failure between send and mark-sent', () => {
  test('When the mark-sent fails once, then it is retried in-process and the message is sent once', async () => {
    const key = await event();
    const errors: string[] = [];
    onPost = async () => {
      await other.raw('ALTER TABLE notification_deliveries RENAME TO notification_deliveries_away');
    };
    const o = outbox({
      markRetry: { attempts: 20, initialMs: 5, maxMs: 20 },
      onDbError: async (what, err) => {
        errors.push(`${what}: ${err.message}`);
        onPost = undefined;
        if (await other.schema.hasTable('notification_deliveries_away'))
          await other.raw('ALTER TABLE notification_deliveries_away RENAME TO notification_deliveries');
      },
    });
    expect(await o.deliver(key)).toEqual({ sent: 2, skipped: 0 });
    expect(errors.some((e) => /^mark-sent: .*no such table/.test(e))).toBe(true);
    expect(posts).toHaveLength(1);
    expect(await webhookRow(key)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  test('When the database stays down past the in-process retries, then the next delivery marks the accepted message without sending it again', async () => {
    const key = await event();
    let away = false;
    onPost = async () => {
      await other.raw('ALTER TABLE notification_deliveries RENAME TO notification_deliveries_away');
      away = true;
      onPost = undefined;
    };
    const o = outbox({ markRetry: { attempts: 3, initialMs: 1, maxMs: 2 } });
    await expect(o.deliver(key)).rejects.toThrow(/no such table/);
    expect(away).toBe(true);
    await other.raw('ALTER TABLE notification_deliveries_away RENAME TO notification_deliveries');
    // the row is still 'sending' in the database; the retry knows the robot accepted it
    expect(await webhookRow(key)).toMatchObject({ status: 'sending' });
    expect(await o.deliver(key)).toEqual({ sent: 0, skipped: 2 });
    expect(posts).toHaveLength(1);
    expect(await webhookRow(key)).toMatchObject({ status: 'sent' });
  });
});

describe('claims and leases', () => {
  test('When a deliverer died holding a claim, then the claim is taken over once its short lease has passed', async () => {
    const key = await event();
    const o = outbox({ leaseMs: 10_000 });
    await o.deliver(key); // creates and sends the rows
    const before = posts.length;
    // a deliverer claimed the webhook row 11 s ago and died (no renewal since)
    await db('notification_deliveries')
      .where({ event_key: key, channel: 'webhook' })
      .update({ status: 'sending', claimed_at: Date.now() - 11_000 });
    expect(await o.deliver(key)).toEqual({ sent: 1, skipped: 1 });
    expect(posts.length).toBe(before + 1);
    expect(await webhookRow(key)).toMatchObject({ status: 'sent' });
  });

  test('When a send is slow, then its lease is renewed and a second deliverer waits instead of sending again', async () => {
    const key = await event();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived = false;
    onPost = async () => {
      arrived = true;
      await released;
    };
    const heartbeats: number[] = [];
    const a = outbox({ leaseMs: 300, renewEveryMs: 30 });
    const first = a.deliver(key, { heartbeat: () => heartbeats.push(1) });
    await vi.waitFor(() => expect(arrived).toBe(true), { timeout: 10_000, interval: 10 });
    const claimedAt = Number((await webhookRow(key)).claimed_at);
    // wait until the claim was renewed past its first lease: without renewal it would be stale now
    await vi.waitFor(async () => expect(Number((await webhookRow(key)).claimed_at)).toBeGreaterThan(claimedAt + 300), {
      timeout: 10_000,
      interval: 20,
    });
    const b = outbox({ leaseMs: 300, inFlightWaitMs: 100 });
    await expect(b.deliver(key)).rejects.toThrow(/still being sent by another deliverer/);
    release();
    expect(await first).toEqual({ sent: 2, skipped: 0 }); // the e-mail, then the slow robot message
    expect(posts).toHaveLength(1);
    expect(heartbeats.length).toBeGreaterThan(0);
    expect(await webhookRow(key)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  test('When the delivery activity runs a slow send, then it heartbeats to Temporal', async () => {
    const key = await event();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    onPost = () => released;
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => {
      beats++;
      if (beats === 2) release();
    });
    const activities = createDeliveryActivities({ outbox: outbox({ leaseMs: 300, renewEveryMs: 20 }) });
    expect(await env.run(activities.deliverNotifications, { eventKey: key })).toEqual({ sent: 2, skipped: 0 });
    expect(beats).toBeGreaterThanOrEqual(2);
  });
});

describe('claims of a live deliverer during a database outage', () => {
  test('When a claim is 30 s old (its deliverer could renew nothing while the database was down), then the sweep leaves it; at 3 minutes it takes it over and sends once', async () => {
    const key = await event();
    smtpDown = true;
    robotStatus = 503;
    const o = outbox();
    await expect(o.deliver(key)).rejects.toThrow(/not sent/);
    smtpDown = false;
    robotStatus = 200;
    const before = { mails: mails.length, posts: posts.length };
    // as a deliverer on another replica holds them, mid-send when the database went away
    await db('notification_deliveries')
      .where({ event_key: key })
      .update({ status: 'sending', claimed_at: Date.now() - 30_000 });
    expect(await o.sweep()).toMatchObject({ sent: 0 });
    expect({ mails: mails.length, posts: posts.length }).toEqual(before);
    // a claim nobody renewed for minutes: its deliverer is gone, the sweep sends it, once
    await db('notification_deliveries')
      .where({ event_key: key })
      .update({ claimed_at: Date.now() - 3 * 60_000 });
    expect(await o.sweep()).toMatchObject({ sent: 2, failed: 0 });
    expect((await rows(key)).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect({ mails: mails.length, posts: posts.length }).toEqual({ mails: before.mails + 1, posts: before.posts + 1 });
  });
});

describe('failed rows', () => {
  test('When the channels come back, then the sweep re-sends the failed rows once each, without waiting for the event activity', async () => {
    const key = await event();
    smtpDown = true;
    robotStatus = 503;
    const o = outbox();
    await expect(o.deliver(key)).rejects.toThrow(/2 message\(s\) not sent/);
    expect((await rows(key)).map((r) => r.status)).toEqual(['failed', 'failed']);
    // still down: the sweep sends nothing and keeps the rows failed
    expect(await o.sweep()).toMatchObject({ sent: 0 });
    expect((await rows(key)).map((r) => r.status)).toEqual(['failed', 'failed']);
    smtpDown = false;
    robotStatus = 200;
    expect(await o.sweep()).toMatchObject({ sent: 2, failed: 0 });
    expect((await rows(key)).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(await o.sweep()).toMatchObject({ sent: 0, failed: 0 });
    expect(mails).toHaveLength(1);
    expect(posts).toHaveLength(1);
    // the event's own retry finds them sent
    expect(await o.deliver(key)).toEqual({ sent: 0, skipped: 2 });
  });

  test('When the worker runs its sweeper, then failed rows go out on their own once the channel is back', async () => {
    const key = await event();
    robotStatus = 503;
    const o = outbox();
    await expect(o.deliver(key)).rejects.toThrow(/HTTP 503/);
    robotStatus = 200;
    const stop = o.startSweeper(50);
    try {
      await vi.waitFor(async () => expect(await webhookRow(key)).toMatchObject({ status: 'sent' }), {
        timeout: 10_000,
        interval: 20,
      });
    } finally {
      await stop();
    }
    expect(posts).toHaveLength(1);
  });

  test('When the school admin re-sends a failed delivery, then it is queued and sent once; others are refused', async () => {
    const key = await event();
    robotStatus = 503;
    const o = outbox();
    await expect(o.deliver(key)).rejects.toThrow(/HTTP 503/);
    robotStatus = 200;
    const id = Number((await webhookRow(key)).id);

    const admin = await login(fx.base, 'admin');
    const list = await admin.fetch('/api/admin/deliveries/failed');
    expect(list.status).toBe(200);
    const body = (await list.json()) as {
      deliveries: Array<{ id: number; channel: string; status: string; lastError: string; eventKey: string }>;
    };
    const listed = body.deliveries.find((d) => d.id === id)!;
    expect(listed).toMatchObject({ channel: 'webhook', status: 'failed', eventKey: key });
    expect(listed.lastError).toMatch(/HTTP 503/);
    expect(JSON.stringify(body)).not.toContain('robot-token');
    const page = await admin.fetch('/admin/deliveries');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`data-delivery="${id}"`);

    for (const who of ['literature-counsellor', 'literature-college-leader']) {
      const s = await login(fx.base, who);
      expect((await s.fetch(`/api/admin/deliveries/${id}/resend`, { method: 'POST' })).status).toBe(403);
      expect((await s.fetch('/api/admin/deliveries/failed')).status).toBe(403);
    }
    expect((await admin.fetch(`/api/admin/deliveries/${id}/resend`, { method: 'POST', csrf: false })).status).toBe(403);
    expect((await admin.fetch('/api/admin/deliveries/999999/resend', { method: 'POST' })).status).toBe(404);
    expect((await admin.fetch('/api/admin/deliveries/abc/resend', { method: 'POST' })).status).toBe(400);

    const res = await admin.fetch(`/api/admin/deliveries/${id}/resend`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ delivery: { id, status: 'pending' } });
    expect(await webhookRow(key)).toMatchObject({ status: 'pending' });
    const audit = await fx.store.listAudit({ subjectType: 'notification_delivery', subjectId: String(id) });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['delivery_resend', 'admin']]);

    expect(await o.sweep()).toMatchObject({ sent: 1 });
    expect(posts).toHaveLength(1);
    // a sent delivery is not re-sent: 409
    const again = await admin.fetch(`/api/admin/deliveries/${id}/resend`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/already sent/);
  });
});
