/**
 * The payload codec (AES-256-GCM): round trip, tampering, rotation, key configuration; the task
 * workflow's history on the time-skipping server holds only ciphertext; the Web UI's codec
 * endpoint over HTTP with its access rules.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import express from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DAY, HOUR, keyCareTask, memoryTaskActivities } from './helpers/tasks';
import { testWorker } from './helpers/worker';
import type { TaskEvent } from '../activities';
import {
  codecDataConverter,
  createCodec,
  DEV_KEY_ID,
  ENCRYPTED_ENCODING,
  loadCodecKeys,
  METADATA_KEY_ID,
} from '../codec/aes-gcm';
import { createCodecRouter } from '../server/platform/codec-endpoint';
import type { Role } from '../domain/schema';
import { evidenceSchema } from '../domain/schema';
import type { SessionUser } from '../server/platform/auth/context';
import { taskWorkflow } from '../workflows';
import { taskStateQuery, type TaskInput } from '../contracts';
import { timeSkippingEnv, uniqueQueue } from './helpers/temporal';

const STUDENT = '张小明';
/** how JSON.stringify with escaping (e.g. a protobuf JSON encoder) would write the name */
const STUDENT_ESCAPED = '\\u5f20\\u5c0f\\u660e';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const keys = { current: 'a', keys: { a: keyA } };

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const toPayload = (v: unknown) => defaultPayloadConverter.toPayload(v);
const fromPayload = (p: Payload) => defaultPayloadConverter.fromPayload(p);

describe('AES-GCM codec', () => {
  test('When a payload is encoded and decoded, then it comes back byte for byte and the ciphertext hides it', async () => {
    const codec = createCodec(keys);
    const original = toPayload({ student: STUDENT, note: '重点关爱' });
    const [enc] = await codec.encode([original]);
    expect(text(enc!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(enc!.metadata![METADATA_KEY_ID])).toBe('a');
    expect(Buffer.from(enc!.data!).includes(Buffer.from(STUDENT))).toBe(false);
    expect(enc!.data!.length).toBe(12 + temporal.api.common.v1.Payload.encode(original).finish().length + 16);
    const [dec] = await codec.decode([enc!]);
    expect(temporal.api.common.v1.Payload.encode(dec!).finish()).toEqual(
      temporal.api.common.v1.Payload.encode(original).finish(),
    );
    expect(fromPayload(dec!)).toEqual({ student: STUDENT, note: '重点关爱' });
  });

  test('When the same payload is encoded twice, then the ciphertexts differ (random IV)', async () => {
    const codec = createCodec(keys);
    const p = toPayload(STUDENT);
    const [a] = await codec.encode([p]);
    const [b] = await codec.encode([p]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  test('When one byte of the ciphertext, IV or tag is altered, then decoding fails (GCM tag)', async () => {
    const codec = createCodec(keys);
    const [enc] = await codec.encode([toPayload(STUDENT)]);
    for (const at of [0, 14, enc!.data!.length - 1]) {
      const data = Buffer.from(enc!.data!);
      data[at]! ^= 0x01;
      await expect(codec.decode([{ ...enc!, data }])).rejects.toThrow(/key id "a".*authentication failed/);
    }
  });

  test('When payloads are not encrypted, then decode passes them through', async () => {
    const plain = toPayload({ x: 1 });
    expect(await createCodec(keys).decode([plain])).toEqual([plain]);
  });

  test('When the current key rotates from A to B, then old payloads still decode and new ones use B', async () => {
    const [old] = await createCodec({ current: 'a', keys: { a: keyA } }).encode([toPayload('old')]);
    const rotated = createCodec({ current: 'b', keys: { a: keyA, b: keyB } });
    const [fresh] = await rotated.encode([toPayload('new')]);
    expect(text(fresh!.metadata![METADATA_KEY_ID])).toBe('b');
    expect((await rotated.decode([old!, fresh!])).map(fromPayload)).toEqual(['old', 'new']);
    // once A is retired, its payloads name the missing key
    await expect(createCodec({ current: 'b', keys: { b: keyB } }).decode([old!])).rejects.toThrow(
      'unknown payload key id "a"',
    );
  });

  test('When the key id is unknown, then the error names it and not the data', async () => {
    const [enc] = await createCodec({ current: 'k-2024', keys: { 'k-2024': keyA } }).encode([toPayload(STUDENT)]);
    const err = await createCodec(keys)
      .decode([enc!])
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toContain('"k-2024"');
    expect(err?.message).not.toContain(STUDENT);
  });
});

describe('loadCodecKeys', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-codec-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const b64 = (k: Buffer) => k.toString('base64');
  const errorOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  test('When PAYLOAD_KEYS and PAYLOAD_KEY_CURRENT are set, then every key loads and the current one is chosen', () => {
    const loaded = loadCodecKeys({ PAYLOAD_KEYS: `a:${b64(keyA)}, b:${b64(keyB)}`, PAYLOAD_KEY_CURRENT: 'b' });
    expect(loaded.current).toBe('b');
    expect(loaded.keys.a!.equals(keyA) && loaded.keys.b!.equals(keyB)).toBe(true);
    expect(loadCodecKeys({ PAYLOAD_KEYS: `only:${b64(keyA)}` }).current).toBe('only');
  });

  test('When the configuration is wrong, then the error names the variable and never contains key material', () => {
    const short = randomBytes(16);
    const cases: [NodeJS.ProcessEnv, string, string[]][] = [
      [{ PAYLOAD_KEYS: `a:${b64(short)}` }, 'PAYLOAD_KEYS', [b64(short)]],
      [{ PAYLOAD_KEYS: `a:${b64(keyA)},${b64(keyB)}` }, 'PAYLOAD_KEYS', [b64(keyA), b64(keyB)]],
      [
        { PAYLOAD_KEYS: `a:${b64(keyA)},a:${b64(keyB)}`, PAYLOAD_KEY_CURRENT: 'a' },
        'PAYLOAD_KEYS',
        [b64(keyA), b64(keyB)],
      ],
      [{ PAYLOAD_KEYS: `a:${b64(keyA)}!!`, PAYLOAD_KEY_CURRENT: 'a' }, 'PAYLOAD_KEYS', [b64(keyA)]],
      [{ PAYLOAD_KEYS: `a:${b64(keyA)},b:${b64(keyB)}` }, 'PAYLOAD_KEY_CURRENT', [b64(keyA), b64(keyB)]],
      [{ PAYLOAD_KEYS: `a:${b64(keyA)}`, PAYLOAD_KEY_CURRENT: 'c' }, 'PAYLOAD_KEY_CURRENT', [b64(keyA)]],
      [{ NODE_ENV: 'production' }, 'PAYLOAD_KEYS', []],
    ];
    for (const [env, variable, secrets] of cases) {
      const message = errorOf(() => loadCodecKeys(env, { devKeyFile: path.join(dir, 'unused') }));
      expect(message).toContain(variable);
      for (const s of secrets) {
        expect(message).not.toContain(s);
        expect(message).not.toContain(s.slice(0, 12));
      }
    }
  });

  test('When PAYLOAD_KEYS is unset in development, then a development key is created once (0600) and reused', () => {
    const file = path.join(dir, 'data', 'payload-dev-key');
    const first = loadCodecKeys({ NODE_ENV: 'development' }, { devKeyFile: file });
    expect(first.current).toBe(DEV_KEY_ID);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = loadCodecKeys({}, { devKeyFile: file });
    expect(again.keys[DEV_KEY_ID]!.equals(first.keys[DEV_KEY_ID]!)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['payload-dev-key']); // no temporary files left
  });
});

describe('task workflow history with the codec (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('When a task about a student runs, then its history holds only ciphertext and the codec recovers the name', async () => {
    const dataConverter = codecDataConverter(keys);
    const client = new Client({ connection: env.connection, dataConverter });
    const queue = uniqueQueue('codec');
    const events: TaskEvent[] = [];
    const worker = await testWorker(env, queue, memoryTaskActivities(events), { dataConverter });
    const now = await env.currentTimeMs();
    const openAt = now + HOUR;
    const dueAt = openAt + 5 * DAY;
    const input = keyCareTask(
      { openAt, dueAt },
      { titleZh: `跟进学生${STUDENT}的关爱情况`, titleEn: 'Follow up a student' },
    );

    await worker.runUntil(async () => {
      const handle = await client.workflow.start(taskWorkflow, {
        args: [input],
        taskQueue: queue,
        workflowId: input.taskId,
      });
      await env.sleep(2 * HOUR);
      expect((await handle.query(taskStateQuery)).status).toBe('open'); // the query answer is decoded too
      expect(events.map((e) => e.action)).toEqual(['opened']);
      expect(events[0]!.task.titleZh).toContain(STUDENT); // the activity got the plaintext
      await handle.terminate('test done');
    });

    const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: input.taskId },
    });
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
    expect(bytes.includes(Buffer.from(STUDENT, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from(STUDENT_ESCAPED, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from(JSON.stringify(STUDENT), 'utf8'))).toBe(false);

    // the start input and the activity's input are both encrypted, and decode to the task
    const started = history!.events!.find(
      (e) => e.workflowExecutionStartedEventAttributes,
    )!.workflowExecutionStartedEventAttributes!;
    const scheduled = history!.events!.find(
      (e) => e.activityTaskScheduledEventAttributes,
    )!.activityTaskScheduledEventAttributes!;
    for (const payloads of [started.input!.payloads!, scheduled.input!.payloads!]) {
      expect(payloads.every((p) => text(p.metadata![METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING)).toBe(true);
    }
    const [decoded] = await createCodec(keys).decode(started.input!.payloads! as Payload[]);
    expect((fromPayload(decoded!) as TaskInput).titleZh).toBe(input.titleZh);
  });
});

describe('failure messages with the codec (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('When an activity fails with a student’s name in its message, then the history holds only ciphertext and the client still reads the message', async () => {
    const dataConverter = codecDataConverter(keys);
    const client = new Client({ connection: env.connection, dataConverter });
    const queue = uniqueQueue('codec-failure');
    const worker = await testWorker(
      env,
      queue,
      {
        recordTaskEvent() {
          // a message a careless change could write: it must not reach the history in plain text
          throw ApplicationFailure.create({
            type: 'UnknownTaskError',
            message: `no task for ${STUDENT}`,
            nonRetryable: true,
          });
        },
        async deliverNotifications() {
          return { sent: 0, skipped: 0 };
        },
      },
      { dataConverter },
    );
    const now = await env.currentTimeMs();
    const input = keyCareTask(
      { openAt: now - HOUR, dueAt: now + DAY },
      { remindAts: [], level2At: now + 3 * DAY, evidence: evidenceSchema.parse({}) },
    );
    const failure = await worker.runUntil(async () => {
      const handle = await client.workflow.start(taskWorkflow, {
        args: [input],
        taskQueue: queue,
        workflowId: input.taskId,
      });
      return handle.result().then(
        () => null,
        (e: unknown) => e as WorkflowFailedError,
      );
    });
    // the client decodes the failure chain: the message is there for those who hold the key
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const messages: string[] = [];
    for (let e: unknown = failure; e instanceof Error; e = (e as Error & { cause?: unknown }).cause)
      messages.push(e.message);
    expect(messages.some((m) => m.includes(STUDENT))).toBe(true);

    const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: input.taskId },
    });
    const failed = history!.events!.find(
      (e) => e.activityTaskFailedEventAttributes,
    )!.activityTaskFailedEventAttributes!;
    expect(failed.failure!.message).toBe('Encoded failure');
    expect(text(failed.failure!.encodedAttributes!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
    expect(bytes.includes(Buffer.from(STUDENT, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from(STUDENT_ESCAPED, 'utf8'))).toBe(false);
  });
});

describe('codec endpoint over HTTP', () => {
  const UI = 'http://127.0.0.1:8233';
  const decodes: [string, number][] = [];
  let server: Server;
  let base: string;

  const user = (role: Role): SessionUser => ({
    id: `u-${role}`,
    username: role,
    displayName: role,
    role,
    collegeId: role === 'school_admin' ? null : 'college-a',
    schoolId: 'demo-school',
  });

  beforeAll(async () => {
    const app = express();
    // stands in for the session middleware: the role comes from a header
    app.use((req, _res, next) => {
      const role = req.get('x-test-role') as Role | undefined;
      if (role) req.user = user(role);
      next();
    });
    app.use(
      createCodecRouter({
        codec: createCodec(keys),
        allowedRoles: ['school_admin'],
        uiOrigin: UI,
        onDecode: (u, count) => void decodes.push([u.id, count]),
      }),
    );
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  const post = (op: 'encode' | 'decode', payloads: Payload[], headers: Record<string, string> = {}) =>
    fetch(`${base}/codec/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ payloads: payloads.map(toJson) }),
    });

  test('When the Web UI sends its preflight, then the UI origin, credentials and headers are allowed', async () => {
    const res = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-namespace');
  });

  test('When the caller is signed out or not the counselling centre, then 401 or 403 and nothing is decoded', async () => {
    const [enc] = await createCodec(keys).encode([toPayload(STUDENT)]);
    const before = decodes.length;
    expect((await post('decode', [enc!])).status).toBe(401);
    const res = await post('decode', [enc!], { 'x-test-role': 'counsellor' });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain(STUDENT);
    expect((await post('encode', [toPayload('x')], { 'x-test-role': 'college_leader' })).status).toBe(403);
    expect(decodes.length).toBe(before);
  });

  test('When a school admin decodes from the Web UI, then the payloads come back decoded and the read is audited', async () => {
    const [enc] = await createCodec(keys).encode([toPayload({ student: STUDENT })]);
    const plain = toPayload('not encrypted');
    const res = await post('decode', [enc!, plain], {
      'x-test-role': 'school_admin',
      origin: UI,
      'x-namespace': 'default',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    const back = body.payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data, 'base64'),
    }));
    expect(back.map(fromPayload)).toEqual([{ student: STUDENT }, 'not encrypted']);
    expect(decodes.at(-1)).toEqual(['u-school_admin', 2]);
  });

  test('When a school admin encodes, then the answer is encrypted with the current key', async () => {
    const res = await post('encode', [toPayload(STUDENT)], { 'x-test-role': 'school_admin' });
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata[METADATA_KEY_ID]!, 'base64').toString()).toBe('a');
    expect(Buffer.from(payloads[0]!.data, 'base64').includes(Buffer.from(STUDENT))).toBe(false);
  });

  test('When a POST comes from another origin, or is not JSON, then it is refused', async () => {
    const [enc] = await createCodec(keys).encode([toPayload(STUDENT)]);
    const before = decodes.length;
    expect(
      (await post('decode', [enc!], { 'x-test-role': 'school_admin', origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await post('decode', [enc!], { 'x-test-role': 'school_admin', origin: 'null' })).status).toBe(403);
    expect((await post('decode', [enc!], { 'x-test-role': 'school_admin', origin: base })).status).toBe(200); // the app itself
    const form = await fetch(`${base}/codec/decode`, {
      method: 'POST',
      headers: { 'x-test-role': 'school_admin', 'content-type': 'text/plain' },
      body: '{"payloads":[]}',
    });
    expect(form.status).toBe(415);
    expect(decodes.length).toBe(before + 1);
  });

  test('When a payload names an unknown key, then 400 names the key id', async () => {
    const [enc] = await createCodec({ current: 'gone', keys: { gone: keyB } }).encode([toPayload(STUDENT)]);
    const res = await post('decode', [enc!], { 'x-test-role': 'school_admin' });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain('"gone"');
    expect(error).not.toContain(STUDENT);
  });
});
