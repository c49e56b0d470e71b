/**
 * db/repositories/indicators.ts on SQLite and PostgreSQL (as test/store.test.ts runs both): seeded
 * rows for every indicator (warnings and interviews, crisis cases and their step events, key-care
 * entries and ledger follow-ups, the school's figures in versions, and the weekly class reports, whose
 * table this test creates itself with the columns of issue 16 part 2), then the use case over them.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoSchool } from '../db/demo';
import { migrateLatest } from '../db/knex';
import {
  CLASS_REPORTS_TABLE,
  classReportRates,
  crisisCaseRows,
  indicatorInputVersions,
  insertIndicatorInputs,
  interviewRows,
  keyCareRows,
  latestIndicatorInputs,
} from '../db/repositories/indicators';
import { createStore, type Store } from '../db/store';
import type { IndicatorInputs } from '../domain/indicators-inputs';
import { readIndicators } from '../server/features/indicators/use-cases';
import { bothDrivers, connect } from './helpers/databases';
import { autumnSemester, registerAutumn } from './helpers/demo-db';

const SCHOOL = 'demo-school';
const SEM = 'ind-2024-autumn';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** 2024-10-10 08:00 in Shanghai: inside the 2024 autumn semester (2024-09-02 – 2025-01-24) */
const T = Date.UTC(2024, 9, 10, 0);
const BEFORE = Date.UTC(2024, 7, 1);
/** 2025-01-01 00:00 in Shanghai: the month of the semester's last day */
const JAN = Date.UTC(2024, 11, 31, 16);
const AFTER = Date.UTC(2025, 5, 1);

const drivers = bothDrivers('indicators');

const college = (id: string) => ({
  freshmen: 1000,
  freshmenScreened: id === 'science' ? 900 : 1000,
  returning: 3000,
  returningScreened: 3000,
  staff: 0,
  courseHours: null,
  courseCredits: null,
});

async function seed(db: Knex, store: Store): Promise<IndicatorInputs> {
  await seedDemoSchool(store);
  const { template } = await registerAutumn(store);
  await autumnSemester(store, template, SEM);
  const students = ['l1', 'l2', 'l3', 'l4', 's1', 's2', 's3'].map((id) => ({
    id,
    school_id: SCHOOL,
    college_id: id.startsWith('l') ? 'literature' : 'science',
    student_no: `no-${id}`,
    name: `学生${id}`,
    created_at: BEFORE,
  }));
  await db('students').insert(students);

  // screening: one batch in the semester, one before it (left out)
  const batch = (id: string, at: number) => ({
    id,
    school_id: SCHOOL,
    name: `${id}.csv`,
    imported_by: 'admin',
    imported_at: at,
    rows: 1,
    sha256: id,
  });
  await db('screening_batches').insert([batch('b-in', T), batch('b-old', BEFORE)]);
  const warning = (
    id: string,
    batchId: string,
    student: string,
    collegeId: string,
    dueAt: number,
    interviewedAt: number | null,
  ) => ({
    id,
    batch_id: batchId,
    student_id: student,
    college_id: collegeId,
    level: 'red',
    interview_due_at: dueAt,
    status: interviewedAt === null ? 'open' : 'interviewed',
    escalation_level: 0,
    interviewed_at: interviewedAt,
  });
  await db('screening_warnings').insert([
    warning('w1', 'b-in', 'l1', 'literature', T + 3 * DAY, T + DAY),
    warning('w2', 'b-in', 'l2', 'literature', T + 3 * DAY, T + 4 * DAY),
    warning('w3', 'b-in', 'l3', 'literature', T + 3 * DAY, null),
    warning('w4', 'b-in', 's1', 'science', T + 7 * DAY, T + 2 * DAY),
    warning('w0', 'b-old', 'l4', 'literature', BEFORE + 3 * DAY, null),
  ]);

  // crisis cases and the audit events of their steps
  const crisis = (
    id: string,
    student: string,
    collegeId: string,
    situation: string,
    at: number,
    durations: unknown = null,
  ) => ({
    id,
    student_id: student,
    college_id: collegeId,
    situation,
    reported_by: `${collegeId}-counsellor`,
    occurred_at: at,
    reported_at: at,
    status: 'open',
    escalation_level: 0,
    updated_at: at,
    durations: durations === null ? null : JSON.stringify(durations),
  });
  await db('crisis_cases').insert([
    crisis('c1', 'l1', 'literature', 'injury', T),
    crisis('c2', 's2', 'science', 'self_harm_risk', T, { onSceneAckMs: 10 * MIN }),
    crisis('c0', 'l4', 'literature', 'injury', BEFORE),
  ]);
  const step = (caseId: string, action: string, at: number, key = action) =>
    store.appendAudit({
      eventKey: `crisis.${caseId}/${key}`,
      subjectType: 'crisis',
      subjectId: caseId,
      action,
      actor: 'x',
      at,
    });
  await step('c1', 'reported', T);
  await step('c1', 'on-scene', T + 10 * MIN);
  await step('c1', 'school-notified', T + 2 * HOUR); // late: 1 h
  await step('c2', 'on-scene', T + 5 * MIN);
  await step('c2', 'school-notified', T + 30 * MIN);
  await step('c2', 'handed-over', T + 30 * HOUR); // late: 24 h
  await step('c2', 'check-in', T + HOUR, 'check-in:1');
  await step('c0', 'on-scene', BEFORE + HOUR);

  // key-care: reviewed in January by a plan change, by a ledger follow-up, or not at all; a removed entry is left out
  const keyCare = (id: string, student: string, collegeId: string, updatedAt: number, status = 'active') => ({
    id,
    student_id: student,
    college_id: collegeId,
    reasons: '[]',
    plan: '一生一策',
    source: 'manual',
    status,
    added_by: 'admin',
    added_at: BEFORE,
    updated_at: updatedAt,
  });
  await db('key_care_entries').insert([
    keyCare('k1', 'l1', 'literature', JAN + 4 * DAY),
    keyCare('k2', 'l2', 'literature', JAN - 30 * DAY),
    keyCare('k3', 'l3', 'literature', JAN - 30 * DAY),
    keyCare('k4', 's1', 'science', JAN - 30 * DAY, 'removed'),
    keyCare('k5', 's3', 'science', JAN - 30 * DAY),
  ]);
  const ledger = (id: string, student: string, collegeId: string, seq: number) => ({
    id,
    student_id: student,
    college_id: collegeId,
    seq,
    source: 'manual',
    created_at: BEFORE,
    updated_at: BEFORE,
  });
  await db('ledger_entries').insert([ledger('e2', 'l2', 'literature', 1), ledger('e3', 'l3', 'literature', 2)]);
  const followUp = (id: string, entry: string, at: number) => ({ id, entry_id: entry, at, by: 'x', text: '跟踪' });
  await db('ledger_follow_ups').insert([followUp('f1', 'e2', JAN + 9 * DAY), followUp('f2', 'e3', JAN - 5 * DAY)]);

  const colleges = (await store.listColleges(SCHOOL)).map((c) => c.id);
  return {
    school: { centreStaff: 2, courseHours: 32, courseCredits: 2 },
    colleges: Object.fromEntries(colleges.map((id) => [id, college(id)])),
  };
}

for (const driver of drivers) {
  describe(`indicators repository on ${driver.name}`, () => {
    let db: Knex | undefined;
    let store: Store;
    let inputs: IndicatorInputs;

    beforeAll(async () => {
      db = (await connect(driver, 'indicators-store.test'))?.db;
      if (!db) return;
      await migrateLatest(db);
      store = createStore(db);
      inputs = await seed(db, store);
    });
    afterAll(async () => {
      await db?.destroy();
      await driver.teardown();
    });

    it('When the figures are saved twice, then each is a version with who and when, and the latest is read back', async (ctx) => {
      if (!db) return ctx.skip();
      expect(await latestIndicatorInputs(db, SCHOOL, SEM)).toBeUndefined();
      const first = { ...inputs, school: { ...inputs.school, centreStaff: 1 } };
      expect(
        await insertIndicatorInputs(db, { schoolId: SCHOOL, semesterId: SEM, inputs: first, by: 'admin', at: T }),
      ).toBe(1);
      expect(
        await insertIndicatorInputs(db, { schoolId: SCHOOL, semesterId: SEM, inputs, by: 'admin', at: T + DAY }),
      ).toBe(2);
      expect(await latestIndicatorInputs(db, SCHOOL, SEM)).toEqual({
        version: 2,
        inputs,
        enteredBy: 'admin',
        enteredAt: T + DAY,
      });
      const versions = await indicatorInputVersions(db, SCHOOL, SEM);
      expect(versions.map((v) => [v.version, v.enteredAt])).toEqual([
        [2, T + DAY],
        [1, T],
      ]);
      expect(versions[0]!.enteredByName).toBe('学生工作处管理员');
    });

    it('When warnings were imported in the semester, then their deadlines and interviews are read (older batches left out)', async (ctx) => {
      if (!db) return ctx.skip();
      const rows = await interviewRows(db, SCHOOL, Date.UTC(2024, 8, 1, 16), Date.UTC(2025, 0, 24, 16));
      expect(
        rows.sort((a, b) => a.collegeId.localeCompare(b.collegeId) || (a.interviewedAt ?? 0) - (b.interviewedAt ?? 0)),
      ).toEqual([
        { collegeId: 'literature', dueAt: T + 3 * DAY, interviewedAt: null },
        { collegeId: 'literature', dueAt: T + 3 * DAY, interviewedAt: T + DAY },
        { collegeId: 'literature', dueAt: T + 3 * DAY, interviewedAt: T + 4 * DAY },
        { collegeId: 'science', dueAt: T + 7 * DAY, interviewedAt: T + 2 * DAY },
      ]);
    });

    it('When crisis cases were reported, then each comes with the first instant of its timed steps and its durations', async (ctx) => {
      if (!db) return ctx.skip();
      const rows = await crisisCaseRows(db, SCHOOL, Date.UTC(2024, 8, 1, 16), Date.UTC(2025, 0, 24, 16));
      expect(rows).toEqual([
        {
          collegeId: 'literature',
          situation: 'injury',
          reportedAt: T,
          durations: null,
          onSceneAt: T + 10 * MIN,
          schoolNotifiedAt: T + 2 * HOUR,
          handedOverAt: null,
        },
        {
          collegeId: 'science',
          situation: 'self_harm_risk',
          reportedAt: T,
          durations: { onSceneAckMs: 10 * MIN },
          onSceneAt: T + 5 * MIN,
          schoolNotifiedAt: T + 30 * MIN,
          handedOverAt: T + 30 * HOUR,
        },
      ]);
    });

    it('When key-care entries are active, then each comes with its last write and its ledger follow-up', async (ctx) => {
      if (!db) return ctx.skip();
      const rows = await keyCareRows(db, SCHOOL, AFTER);
      expect(
        rows.sort(
          (a, b) =>
            a.collegeId.localeCompare(b.collegeId) ||
            a.updatedAt - b.updatedAt ||
            (a.lastFollowUpAt ?? 0) - (b.lastFollowUpAt ?? 0),
        ),
      ).toEqual([
        { collegeId: 'literature', updatedAt: JAN - 30 * DAY, lastFollowUpAt: JAN - 5 * DAY },
        { collegeId: 'literature', updatedAt: JAN - 30 * DAY, lastFollowUpAt: JAN + 9 * DAY },
        { collegeId: 'literature', updatedAt: JAN + 4 * DAY, lastFollowUpAt: null },
        { collegeId: 'science', updatedAt: JAN - 30 * DAY, lastFollowUpAt: null },
      ]);
    });

    it('When class report weeks are due, then the rate per college is filed / due by now (classes only, this semester only)', async (ctx) => {
      if (!db) return ctx.skip();
      const week = (
        id: string,
        collegeId: string,
        dueAt: number,
        status: string,
        filedAt: number | null,
        over = {},
      ) => ({
        id,
        school_id: SCHOOL,
        college_id: collegeId,
        semester_id: SEM,
        unit_kind: 'class',
        unit_id: `${collegeId}-class-1`,
        week_no: Number(id.slice(1)), // the migration keeps one row per (semester, unit, week)
        open_at: dueAt - 7 * DAY,
        due_at: dueAt,
        status,
        filed_at: filedAt,
        ...over,
      });
      const now = T + 30 * DAY;
      await db(CLASS_REPORTS_TABLE).insert([
        week('r1', 'literature', T, 'filed', T - HOUR),
        week('r2', 'literature', T + 7 * DAY, 'overdue', null),
        week('r3', 'literature', T + 14 * DAY, 'escalated', null),
        week('r4', 'literature', now, 'filed', now - HOUR), // due exactly now: counted
        week('r5', 'literature', now + 1, 'open', null), // not yet due
        week('r6', 'literature', T, 'overdue', null, { unit_kind: 'dorm' }),
        week('r7', 'literature', T, 'overdue', null, { semester_id: 'other' }),
        week('r8', 'science', T, 'escalated', T + 3 * DAY), // filed after its escalation
      ]);
      const rates = await classReportRates(db, SCHOOL, SEM, now);
      expect(rates && Object.fromEntries(rates)).toEqual({
        literature: { done: 2, of: 4 },
        science: { done: 1, of: 1 },
      });
    });

    it('When the school admin reads the indicators, then every seeded fact reaches its indicator', async (ctx) => {
      if (!db) return ctx.skip();
      const user = {
        id: 'admin',
        username: 'admin',
        displayName: '管理员',
        role: 'school_admin' as const,
        collegeId: null,
        schoolId: SCHOOL,
      };
      const v = await readIndicators({ knex: db, store, now: AFTER }, user, SEM);
      const by = Object.fromEntries(v.indicators.map((i) => [i.id, i]));
      const of = (id: string, collegeId: string) => by[id]!.colleges.find((c) => c.collegeId === collegeId)!.value;
      expect(v.asOf).toBe(Date.UTC(2025, 0, 24, 16) - 1);
      // 2 centre staff for 8 colleges × 4,000 students: 1:16000
      expect(by.staffing!.school).toMatchObject({ verdict: 'not-met', figures: { staff: 2, students: 32_000 } });
      expect(by.course!.school!.verdict).toBe('met');
      expect(by.freshmenScreening!.worst.map((w) => w.collegeId)).toEqual(['science']);
      expect(by.interviews!.school!.figures).toMatchObject({ done: 2, of: 4 });
      expect(by.interviews!.worst.map((w) => w.collegeId)).toEqual(['literature']);
      // literature: on scene in time, school late; science: on scene in time (10 min), school in time, hand-over late
      expect(of('crisisSteps', 'literature').figures).toMatchObject({ done: 1, of: 2, cases: 1 });
      expect(of('crisisSteps', 'science').figures).toMatchObject({ done: 2, of: 3, cases: 1 });
      expect(of('keyCareReview', 'literature').figures).toMatchObject({ done: 2, of: 3 });
      expect(of('keyCareReview', 'science').figures).toMatchObject({ done: 0, of: 1 });
      // by the semester's end every week of the previous test is due (the one due after "now" there too)
      expect(of('classReports', 'literature').figures).toMatchObject({ done: 2, of: 5 });
      expect(by.classReports!.school!.figures).toMatchObject({ done: 3, of: 6 });
    });
  });
}
