/**
 * The care and screening rules that sat in routes, now in their use cases (issue 13 part 3): each
 * is called here directly, with no HTTP, and the rule is seen applied.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_SCHOOL } from '../db/demo';
import { BadRequestError, ForbiddenError, type SessionUser } from '../server/platform/auth/context';
import {
  addLedgerEntry,
  careWorkspace,
  collegeOfRow,
  ledgerExport,
  removeKeyCare,
  addKeyCare,
  type CareDeps,
} from '../server/features/care/use-cases';
import { importWarnings } from '../server/features/screening/use-cases';
import { listWarnings, pendingImports, submitInterview } from '../server/features/screening/use-cases';
import { handOverUser } from '../server/features/hand-over/use-cases';
import { NotFoundError } from '../server/features/semesters/use-cases/setup';
import {
  isCaseStep,
  progressOf,
  reportCollege,
  reportFromBody,
  reportProblems,
  reportValues,
} from '../server/features/crisis/use-cases';
import { DEFAULT_CRISIS_DURATIONS } from '../domain/care-durations';
import { demoDb, type DemoDb } from './helpers/demo-db';

const NOW = Date.parse('2024-10-15T04:00:00Z');
let fx: DemoDb;
const deps = (): CareDeps => ({ knex: fx.db, store: fx.store, taskQueue: 'unused', now: NOW });
const user = (id: string, role: SessionUser['role'], collegeId: string | null): SessionUser => ({
  id,
  username: id,
  displayName: id,
  role,
  collegeId,
  schoolId: DEMO_SCHOOL.id,
});
const admin = user('admin', 'school_admin', null);
const counsellor = user('literature-counsellor', 'counsellor', 'literature');
const scienceCounsellor = user('science-counsellor', 'counsellor', 'science');

beforeAll(async () => {
  fx = await demoDb('care-use-cases');
});
afterAll(async () => {
  await fx.close();
});

describe('the ledger export (was in the export route)', () => {
  test('When a counsellor exports without naming a college, then it is their own college’s ledger, titled by the college', async () => {
    await addLedgerEntry(deps(), counsellor, 'literature', { studentNo: 'U2024001', studentName: '张导出' });
    const result = await ledgerExport(deps(), counsellor, undefined, 'Asia/Shanghai');
    expect(result.collegeId).toBe('literature');
    expect(result.title).toBe('文学院重点、高危学生心理干预台账');
    expect(result.rows.map((r) => r[1])).toEqual(['张导出']);
  });

  test('When a user of no college names none, then the export is refused (400); an unknown college is not found', async () => {
    await expect(ledgerExport(deps(), admin, undefined, 'Asia/Shanghai')).rejects.toBeInstanceOf(BadRequestError);
    await expect(ledgerExport(deps(), admin, 'no-such-college', 'Asia/Shanghai')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('When a counsellor asks for another college’s ledger, then it is refused', async () => {
    await expect(ledgerExport(deps(), scienceCounsellor, 'literature', 'Asia/Shanghai')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});

describe('the care workspace (was in the GET /care route)', () => {
  test('When no college is asked for, then it is the user’s own; another college’s workspace is refused', async () => {
    const w = await careWorkspace(deps(), counsellor, undefined);
    expect(w.college.id).toBe('literature');
    expect(w.ledger.map((l) => l.student.name)).toContain('张导出');
    await expect(careWorkspace(deps(), scienceCounsellor, 'literature')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(careWorkspace(deps(), admin, 'no-such-college')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('When a care row is unknown, then its college is not found (the pages answer 404)', async () => {
    const { id } = await addKeyCare(deps(), counsellor, 'literature', {
      studentNo: 'U2024002',
      studentName: '李关爱',
      reasons: '家庭变故',
    });
    expect(await collegeOfRow(deps(), 'key_care_entries', id)).toBe('literature');
    await expect(collegeOfRow(deps(), 'pairings', 'no-such-pairing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(removeKeyCare(deps(), counsellor, id, 'better')).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('the interview form (was in the POST /screening/warnings/:id/interview route)', () => {
  let warningId: string;
  beforeAll(async () => {
    const csv = '\uFEFFstudentNo,name,college,level\nU2024100,赵预警,literature,red\n';
    const { batchId } = await importWarnings(deps(), admin, Buffer.from(csv, 'utf8'), 'w.csv');
    const row = (await fx.db('screening_warnings').where({ batch_id: batchId }).first('id')) as { id: string };
    warningId = row.id;
  });

  test('When the record lacks a step, then it is refused with every problem (400) before the workflow is asked', async () => {
    const err = await submitInterview({ knex: fx.db }, counsellor, warningId, { rapport: '已建立' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toMatch(/emotions .* is missing/);
  });

  test('When another college’s staff submit it, then it is forbidden before the record is checked; an unknown warning is not found', async () => {
    await expect(submitInterview({ knex: fx.db }, scienceCounsellor, warningId, {})).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(submitInterview({ knex: fx.db }, counsellor, 'no-such-warning', {})).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('the warnings list (was in the GET /api/screening/warnings route)', () => {
  test('When college staff list warnings, then only their college’s come, whatever college they ask for; the admin may narrow by college', async () => {
    const csv = '\uFEFFstudentNo,name,college,level\nU2024200,钱理科,science,orange\n';
    await importWarnings(deps(), admin, Buffer.from(csv, 'utf8'), 'science.csv');
    const own = await listWarnings({ knex: fx.db }, counsellor, { college: 'science' });
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own.map((w) => w.collegeId))).toEqual(new Set(['literature']));
    const all = await listWarnings({ knex: fx.db }, admin, {});
    expect(new Set(all.map((w) => w.collegeId))).toEqual(new Set(['literature', 'science']));
    const science = await listWarnings({ knex: fx.db }, admin, { college: 'science', status: 'open' });
    expect(science.map((w) => w.collegeId)).toEqual(['science']);
    expect(typeof science[0]!.interviewDueAt).toBe('number');
  });
});

describe('a previewed screening file (was in the screening pages)', () => {
  test('When another user presents the token, then the file is not given; its uploader gets it until it is dropped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rx-pending-'));
    try {
      const pending = pendingImports(dir, () => NOW);
      const token = await pending.keep(counsellor, Buffer.from('a,b\n'), 'x'.repeat(300));
      expect(await pending.take(scienceCounsellor, token)).toBeUndefined();
      expect(await pending.take(counsellor, 'not-a-token')).toBeUndefined();
      const file = await pending.take(counsellor, token);
      expect(file?.bytes.toString()).toBe('a,b\n');
      expect(file?.name).toHaveLength(200);
      await pending.drop(token);
      expect(await pending.take(counsellor, token)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the crisis report form and API (were in the crisis routes)', () => {
  const zone = 'Asia/Shanghai';
  test('When the form lacks the situation and the place and names a future time, then each is a problem of its field; college staff report for their own college', async () => {
    const values = reportValues({
      collegeId: 'science',
      studentNo: ' C2024001 ',
      studentName: '孙危机',
      situation: '',
      place: '',
      occurredAt: '2030-01-01T00:00',
    });
    expect(values.studentNo).toBe('C2024001');
    expect(reportCollege(counsellor, values)).toBe('literature');
    expect(await reportProblems({ store: fx.store, now: NOW }, counsellor, values, zone)).toEqual({
      situation: 'invalid',
      place: 'invalid',
      occurredAt: 'invalid',
    });
  });

  test('When the school admin names no college or an unknown one, then the college is the problem; a control character in a name is named as such', async () => {
    const values = reportValues({ studentNo: 'C1', studentName: 'a\u0007b', situation: 'injury', place: '宿舍' });
    expect(await reportProblems({ store: fx.store, now: NOW }, admin, values, zone)).toEqual({
      college: 'invalid',
      studentName: 'control',
    });
    const unknown = { ...values, studentName: '孙危机', collegeId: 'no-such-college' };
    expect(await reportProblems({ store: fx.store, now: NOW }, admin, unknown, zone)).toEqual({ college: 'invalid' });
  });

  test('When the API gets no college and no time, then the report is for the reporter’s college, now', () => {
    expect(
      reportFromBody({ studentNo: 'C1', studentName: '孙', situation: 'injury', place: 'x' }, counsellor, NOW),
    ).toEqual({
      studentNo: 'C1',
      studentName: '孙',
      className: undefined,
      collegeId: 'literature',
      situation: 'injury',
      place: 'x',
      occurredAt: NOW,
    });
  });

  test('When a supervised case has no check-in yet, then the next check-in counts from the report and a passed deadline is overdue', () => {
    const durations = { ...DEFAULT_CRISIS_DURATIONS };
    const k = { situation: 'self_harm_risk', status: 'supervising', reportedAt: NOW, durations };
    const p = progressOf(k, [], NOW + durations.onSceneAckMs + 1);
    expect(p.nextCheckIn).toBe(NOW + durations.checkInEveryMs);
    expect(p.rows.find((x) => x.key === 'on-scene')?.state).toBe('overdue');
    expect(p.rows.find((x) => x.key === 'five-ones')?.state).toBe('waiting');
    expect(isCaseStep('five-ones')).toBe(true);
    expect(isCaseStep('delete')).toBe(false);
  });
});

describe('the hand-over of a departing staff member (its rules, before any workflow is asked)', () => {
  const handOverDeps = () => ({ store: fx.store, knex: fx.db, client: {} as never, now: () => NOW });
  test('When anyone but the school admin asks, then it is forbidden; the admin may not hand over themself, nor to another college', async () => {
    await expect(handOverUser(handOverDeps(), counsellor, 'literature-class-teacher', {})).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(handOverUser(handOverDeps(), admin, 'admin', {})).rejects.toBeInstanceOf(BadRequestError);
    const other = handOverUser(handOverDeps(), admin, 'literature-class-teacher', {
      successorUserId: 'science-counsellor',
    });
    await expect(other).rejects.toThrow(/not of the same college/);
  });
});
