/**
 * Temporal history and the purge (issue 16 part 1, PIPL Art. 47). A history cannot be edited; the
 * purge deletes the student's care workflows' histories on a real server
 * (test/archive-purge.devserver.test.ts; the time-skipping server here cannot delete, so they stay
 * for this test to read), and this test proves that until then they hold nothing readable: one
 * student goes through every care workflow (screening follow-up with a high-risk interview, crisis
 * case with its 24-hour supervision, pairing, the archive's purge timer), driven by the app's own
 * use cases with the app's signing client and payload codec, and staff type the student's name and
 * number into every free text (interview record, check-in note, hand-over, "five ones" plan, talk
 * note, end reason).
 * The raw histories, read through a client WITHOUT the codec, hold:
 *  - no payload in plain JSON: inputs, results, Update arguments, activity inputs and results,
 *    memos and failures are all `binary/encrypted` (codec/aes-gcm.ts);
 *  - the only unencoded payloads are the search attributes (none of ours is set on these workflows),
 *    the headers of the app's signature (workflows/proof.ts; the SDK does not pass headers through
 *    the codec), checked to hold ids, digests and signatures only, and the SDK's patch markers
 *    (the id of a patched() change, a constant of the code);
 *  - neither the name nor the student number anywhere in the raw bytes, the workflow ids, the
 *    search attributes or the memo.
 * The check can see what is there: the codec, given the key, finds the name in the ciphertext.
 */
import { randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codecDataConverter, createCodec, ENCRYPTED_ENCODING, METADATA_KEY_ID } from '../codec/aes-gcm';
import { createStudentKeyring, StudentKeyDestroyedError } from '../codec/student-keys';
import { appClient, keyFromSeed, loadLegacyBefore, type Integrity } from '../codec/signing';
import { purgeArchiveWorkflowId } from '../contracts/archive';
import { createOutbox } from '../notifications/outbox';
import { allActivities } from '../server/worker';
import { closeArchive } from '../server/features/archive/use-cases';
import { assignPairing, endPairing, recordPairingTalk } from '../server/features/care/use-cases';
import { actOnCase, reportCase } from '../server/features/crisis/use-cases';
import { importWarnings, recordInterview } from '../server/features/screening/use-cases';
import type { SessionUser } from '../server/platform/auth/context';
import { demoDb, type DemoDb } from './helpers/demo-db';
import { timeSkippingEnv, uniqueQueue, workflowBundle } from './helpers/temporal';
import { staffUser as user } from './helpers/actors';

const DAY = 86_400_000;
const NAME = '欧阳明哲';
const NO = '2024889901';
const KEYS = { current: 'k1', keys: { k1: randomBytes(32) } };
const counsellor = user('literature-counsellor', 'counsellor', 'literature');
const teacher = user('literature-class-teacher', 'class_teacher', 'literature');
const leader = user('literature-college-leader', 'college_leader', 'literature');

const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');
/** The keys a header of the app's signature may hold (workflows/proof.ts): ids, digests, instants, signatures. */
const HEADER_KEYS = new Set(
  'claims sigs v kind workflowId workflowType inputDigest argsDigest exp name updateId actor userId role collegeId mode proof startedAt kid sig key pub'.split(
    ' ',
  ),
);

interface Found {
  path: string;
  payload: temporal.api.common.v1.IPayload;
}
/** Every payload of a decoded history, with where it sits. */
function payloadsOf(node: unknown, path: string, out: Found[]): Found[] {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return out;
  const o = node as Record<string, unknown>;
  if (
    'metadata' in o &&
    (o.data instanceof Uint8Array || o.data == null) &&
    typeof o.metadata === 'object' &&
    !Array.isArray(o.metadata)
  ) {
    out.push({ path, payload: o as temporal.api.common.v1.IPayload });
    return out;
  }
  for (const [k, v] of Object.entries(o)) payloadsOf(v, `${path}.${k}`, out);
  return out;
}
function headerKeys(v: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => headerKeys(x, into));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      into.add(k);
      headerKeys(x, into);
    }
  return into;
}

/** A workflow's history as the server stores it (read with the test server's own client: no codec). */
async function rawHistory(workflowId: string): Promise<temporal.api.history.v1.History> {
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId },
  });
  return temporal.api.history.v1.History.decode(temporal.api.history.v1.History.encode(history!).finish());
}
/** The encrypted payloads of a history. */
function encryptedOf(history: temporal.api.history.v1.History, workflowId: string): Found[] {
  return payloadsOf(temporal.api.history.v1.History.toObject(history, { defaults: false }), workflowId, []).filter(
    (f) => text(f.payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING,
  );
}

let env: TestWorkflowEnvironment;
let d: DemoDb;
beforeAll(async () => {
  env = await timeSkippingEnv();
  d = await demoDb('archive-history');
});
afterAll(async () => {
  await d?.close();
  await env?.teardown();
});

describe('Temporal history of every care workflow of a student', () => {
  test('When staff typed the student’s name and number into every free text, then the raw histories hold only encrypted payloads and opaque ids, and neither name nor number appears anywhere', async () => {
    const queue = uniqueQueue('archive-history');
    const integrity: Integrity = {
      keys: { current: keyFromSeed(randomBytes(32)), previous: [] },
      legacyBefore: await loadLegacyBefore(d.db),
    };
    // the app's keyring: a student's care workflows are encrypted with the student's own key
    const keyring = createStudentKeyring(d.db, KEYS);
    const dataConverter = codecDataConverter(KEYS, keyring);
    const client = appClient({ connection: env.connection, dataConverter }, integrity, () => env.currentTimeMs());
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queue,
      workflowBundle: await workflowBundle(),
      dataConverter,
      activities: allActivities({ knex: d.db, client, outbox: createOutbox({ knex: d.db, channels: {} }) }),
    });
    const ids: string[] = [];
    let plaintextSeen = false;
    let student = '';
    /** the encrypted payloads of the care workflows' histories, read before the purge */
    const before: Found[] = [];
    await worker.runUntil(async () => {
      const deps = async () => ({
        knex: d.db,
        store: d.store,
        client,
        taskQueue: queue,
        now: await env.currentTimeMs(),
      });
      const typed = `${NAME}（${NO}）`;
      // screening: a red warning, a high-risk interview (key-care, ledger, a proposed pairing)
      const csv = `学号,姓名,学院,班级,预警等级\r\n${NO},${NAME},文学院,汉语言2401,红色`;
      await importWarnings(await deps(), counsellor, Buffer.from(csv), 'w.csv');
      const warning = (await d.db('screening_warnings').first('id', 'student_id')) as {
        id: string;
        student_id: string;
      };
      const studentId = warning.student_id;
      await recordInterview(await deps(), counsellor, warning.id, {
        rapport: `${typed} 配合`,
        emotions: `${typed} 持续低落`,
        socialFunctioning: '回避社交',
        coping: '独处',
        riskOfExtremeThoughts: `${typed} 有消极念头`,
        assessment: 'high_risk',
        needsCounselling: true,
        needsCrisisIntervention: true,
      });
      // crisis: a risk of self-harm (the 24-hour supervision), every step with the name typed in
      const { caseId } = await reportCase(await deps(), teacher, {
        studentNo: NO,
        studentName: NAME,
        className: '汉语言2401',
        collegeId: 'literature',
        situation: 'self_harm_risk',
        place: `${NAME}的宿舍`,
        occurredAt: await env.currentTimeMs(),
      });
      const act = async (u: SessionUser, step: Parameters<typeof actOnCase>[3], body: Record<string, unknown>) =>
        actOnCase({ client, knex: d.db }, u, caseId, step, body);
      await act(counsellor, 'on-scene', {});
      await act(leader, 'school-notified', { departments: 'counselling-centre,security-office,clinic' });
      await act(counsellor, 'guardian', { guardianUserId: counsellor.id });
      await act(counsellor, 'check-in', { note: `${typed} 情绪平稳` });
      await act(leader, 'hand-over', { receivedBy: `${NAME}的母亲`, witnessedBy: `${NAME}的室友,${counsellor.id}` });
      await client.workflow.getHandle(`supervision.${caseId}`).result(); // the hand-over ends it
      await act(leader, 'five-ones', {
        leaderUserId: leader.id,
        team: `${counsellor.id},${NAME}的班长`,
        plan: `${typed} 每周谈心`,
        followUp: `${NAME} 每月随访`,
      });
      // pairing: the proposed one gets its teacher, a talk, ended
      const pairing = (await d.db('pairings').where({ student_id: studentId }).first('id')) as { id: string };
      await assignPairing(await deps(), leader, 'literature', { pairingId: pairing.id, teacherUserId: teacher.id });
      await recordPairingTalk(await deps(), teacher, pairing.id, `与${typed}谈心 30 分钟`);
      await endPairing(await deps(), leader, pairing.id, `${NAME} 转学`);
      // the student leaves: the archive's purge timer, run to the purge
      const leftOn = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Asia/Shanghai' }).toISODate()!;
      await closeArchive(await deps(), leader, studentId, { leftOn, reason: 'transferred' });
      ids.push(
        `screening.${warning.id}`,
        `crisis.${caseId}`,
        `supervision.${caseId}`,
        `pairing.${pairing.id}`,
        purgeArchiveWorkflowId(studentId),
      );
      for (const id of ids.slice(0, 4)) await client.workflow.getHandle(id).result();
      student = studentId;
      for (const id of ids.slice(0, 4)) before.push(...encryptedOf(await rawHistory(id), id));
      const plain = await createCodec(KEYS, keyring).decode(before.map((f) => f.payload as Payload));
      plaintextSeen = plain.some((p) => Buffer.from(p.data ?? []).includes(Buffer.from(NAME)));
      await env.sleep(366 * DAY); // past the retention (365 days by default): the purge timer fires
      expect(await client.workflow.getHandle(ids[4]!).result()).toEqual({ purged: true });
    });

    const raw = env.client; // the test server's own client: no codec
    let headersSeen = 0;
    for (const workflowId of ids) {
      expect(workflowId).not.toContain(NAME);
      expect(workflowId).not.toContain(NO);
      const { history } = await raw.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId },
      });
      const bytes = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
      expect(bytes.includes(Buffer.from(NAME)), `${workflowId}: the name in the raw history`).toBe(false);
      expect(bytes.includes(Buffer.from(NO)), `${workflowId}: the student number in the raw history`).toBe(false);
      expect(bytes.includes(Buffer.from(workflowId))).toBe(true); // the check sees what is there
      const decoded = temporal.api.history.v1.History.decode(bytes);
      const found = payloadsOf(temporal.api.history.v1.History.toObject(decoded, { defaults: false }), workflowId, []);
      expect(found.length).toBeGreaterThan(2);
      for (const { path, payload } of found) {
        const encoding = text(payload.metadata?.[METADATA_ENCODING_KEY]);
        if (/\.header\.fields\./.test(path)) {
          // the app's signature: plain JSON of ids, digests, instants and signatures only
          headersSeen += 1;
          const keys = headerKeys(JSON.parse(text(payload.data)), new Set());
          expect(
            [...keys].filter((k) => !HEADER_KEYS.has(k)),
            path,
          ).toEqual([]);
        } else if (/\.markerRecordedEventAttributes\.details\.patch-data\./.test(path)) {
          // a patch marker (patched()): the SDK writes the patch's id, a constant of the code
          const marker = JSON.parse(text(payload.data)) as unknown;
          const keys = typeof marker === 'string' ? [] : Object.keys(marker as object);
          expect(
            keys.filter((k) => !['patchId', 'patch_id', 'id', 'deprecated'].includes(k)),
            path,
          ).toEqual([]);
        } else if (/\.searchAttributes\./.test(path)) {
          expect(text(payload.data), path).not.toMatch(new RegExp(`${NAME}|${NO}`));
        } else {
          expect(encoding, `${path} is not encrypted`).toBe(ENCRYPTED_ENCODING);
        }
      }
      // memo and search attributes as the server describes the workflow
      const described = await raw.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: { workflowId },
      });
      const info = described.workflowExecutionInfo!;
      for (const p of [
        ...Object.values(info.memo?.fields ?? {}),
        ...Object.values(info.searchAttributes?.indexedFields ?? {}),
      ])
        expect(text(p.data)).not.toMatch(new RegExp(`${NAME}|${NO}`));
    }
    expect(headersSeen).toBeGreaterThan(0); // the signature's headers were there, and checked

    // crypto-shredding (codec/student-keys.ts): every encrypted payload of the care workflows names
    // the student's own key, never the payload key
    expect(before.length).toBeGreaterThan(20);
    for (const { path, payload } of before)
      expect(text(payload.metadata?.[METADATA_KEY_ID]), path).toBe(`student:${student}`);
    expect(await d.db('student_payload_keys').where({ student_id: student }).first()).toBeUndefined();
    // before the purge, the key gave the typed name back (so the searches above could find it)
    expect(plaintextSeen).toBe(true);
    // after it, no codec can read them: not this process's keyring (the purge made it forget),
    // not a new process's (the salt is gone), not the payload key alone
    const payloads = before.map((f) => f.payload as Payload);
    await expect(createCodec(KEYS, keyring).decode(payloads)).rejects.toBeInstanceOf(StudentKeyDestroyedError);
    await expect(createCodec(KEYS, createStudentKeyring(d.db, KEYS)).decode(payloads)).rejects.toBeInstanceOf(
      StudentKeyDestroyedError,
    );
    await expect(createCodec(KEYS).decode(payloads)).rejects.toThrow(/student's key/);
    // one payload at a time: none of them decodes
    for (const p of payloads.slice(0, 5))
      await expect(createCodec(KEYS, keyring).decode([p])).rejects.toThrow(/destroyed/);
  }, 60_000);
});
