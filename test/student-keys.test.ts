/**
 * The per-student payload keys (codec/student-keys.ts, crypto-shredding for issue 16): which
 * payloads get a student's key, that the key is derived from the payload key and the stored salt
 * only, and what happens once the purge destroyed it. The whole walk through the care workflows and
 * the purge is test/archive-history.timeskip.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { knex, type Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createCodec, METADATA_KEY_ID } from '../codec/aes-gcm';
import { createStudentKeyring, forgetStudentKeys, StudentKeyDestroyedError } from '../codec/student-keys';
import { destroyStudentKey } from '../db/repositories/student-keys';
import { up } from '../migrations/20261204000100_student_payload_keys';

const KEYS = { current: 'k1', keys: { k1: randomBytes(32) } };
const payload = (s: string): Payload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(s) });
const keyIdOf = (p: Payload) => Buffer.from(p.metadata![METADATA_KEY_ID]!).toString();
const wf = (workflowId: string) => ({ type: 'workflow' as const, namespace: 'default', workflowId });

let db: Knex;
beforeEach(async () => {
  db = knex({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  await up(db);
  // the care tables' two columns the keyring reads
  for (const table of ['crisis_cases', 'screening_warnings', 'pairings', 'data_requests', 'unit_reports'])
    await db.schema.createTable(table, (t) => {
      t.text('id').primary();
      t.text('student_id');
    });
  await db('crisis_cases').insert({ id: 'c1', student_id: 's1' });
  await db('pairings').insert({ id: 'p1', student_id: 's1' });
  await db('unit_reports').insert({ id: 'r1', student_id: 's2' });
});
afterEach(async () => db.destroy());

describe('per-student payload keys', () => {
  test('A care workflow’s payloads (and its activities’) use the student’s key; other workflows keep the payload key', async () => {
    const codec = createCodec(KEYS, createStudentKeyring(db, KEYS));
    const [crisis] = await codec.encode([payload('"a"')], wf('crisis.c1'));
    const [supervision] = await codec.encode([payload('"b"')], wf('supervision.c1'));
    const [pairingActivity] = await codec.encode([payload('"c"')], {
      type: 'activity',
      namespace: 'default',
      workflowId: 'pairing.p1',
      isLocal: false,
    });
    const [concern] = await codec.encode([payload('"d"')], wf('unit-concern.r1'));
    const [ladder] = await codec.encode([payload('"e"')], wf('college-ladder.autumn.literature'));
    const [noRecord] = await codec.encode([payload('"f"')], wf('crisis.unknown'));
    const [noContext] = await codec.encode([payload('"g"')]);
    expect([crisis, supervision, pairingActivity].map((p) => keyIdOf(p!))).toEqual([
      'student:s1',
      'student:s1',
      'student:s1',
    ]);
    expect(keyIdOf(concern!)).toBe('student:s2');
    expect([ladder, noRecord, noContext].map((p) => keyIdOf(p!))).toEqual(['k1', 'k1', 'k1']);
    // one key row per student, made on first use
    expect(await db('student_payload_keys').orderBy('student_id').pluck('student_id')).toEqual(['s1', 's2']);
    const back = await codec.decode([crisis!, pairingActivity!, ladder!]);
    expect(back.map((p) => Buffer.from(p.data!).toString())).toEqual(['"a"', '"c"', '"e"']);
    // another process (a new keyring over the same database) reads it too
    const other = createCodec(KEYS, createStudentKeyring(db, KEYS));
    expect(Buffer.from((await other.decode([crisis!]))[0]!.data!).toString()).toBe('"a"');
  });

  test('A record written after a first look is found the next time (a missing record is not remembered)', async () => {
    const codec = createCodec(KEYS, createStudentKeyring(db, KEYS));
    expect(keyIdOf((await codec.encode([payload('1')], wf('screening.w1')))[0]!)).toBe('k1');
    await db('screening_warnings').insert({ id: 'w1', student_id: 's3' });
    expect(keyIdOf((await codec.encode([payload('1')], wf('screening.w1')))[0]!)).toBe('student:s3');
  });

  test('The student key is not the payload key: without the keyring, or with the row destroyed, nothing decodes', async () => {
    let now = 1_000_000;
    const keyring = createStudentKeyring(db, KEYS, () => now);
    const codec = createCodec(KEYS, keyring);
    const [p] = await codec.encode([payload('"secret"')], wf('crisis.c1'));
    await expect(createCodec(KEYS).decode([p!])).rejects.toThrow(/student's key and this process has no keyring/);
    // the purge in another process deletes the row: this keyring still holds the key for at most a minute
    expect(await destroyStudentKey(db, 's1')).toBe(1);
    expect(Buffer.from((await codec.decode([p!]))[0]!.data!).toString()).toBe('"secret"');
    now += 61_000;
    await expect(codec.decode([p!])).rejects.toBeInstanceOf(StudentKeyDestroyedError);
    await expect(codec.decode([p!])).rejects.toThrow(/payload key of student s1 is destroyed/);
    // a new key made later for the same student does not open the old payloads
    const [again] = await codec.encode([payload('"new"')], wf('crisis.c1'));
    expect(keyIdOf(again!)).toBe('student:s1');
    await expect(codec.decode([p!])).rejects.toThrow(/authentication failed/);
  });

  test('The purge’s own process forgets at once (forgetStudentKeys)', async () => {
    const codec = createCodec(KEYS, createStudentKeyring(db, KEYS));
    const [p] = await codec.encode([payload('"x"')], wf('pairing.p1'));
    await destroyStudentKey(db, 's1');
    forgetStudentKeys(['s1']);
    await expect(codec.decode([p!])).rejects.toBeInstanceOf(StudentKeyDestroyedError);
  });

  test('A student key made from a payload key that is no longer configured is named in the error', async () => {
    const codec = createCodec(KEYS, createStudentKeyring(db, KEYS));
    const [p] = await codec.encode([payload('"x"')], wf('crisis.c1'));
    const rotated = { current: 'k2', keys: { k2: randomBytes(32) } };
    await expect(createCodec(rotated, createStudentKeyring(db, rotated)).decode([p!])).rejects.toThrow(
      /its payload key "k1" is not configured \(add it to PAYLOAD_KEYS\)/,
    );
  });
});
