/**
 * The archive's queries on SQLite and PostgreSQL (as test/store.test.ts runs both): one student
 * through screening, key-care, the ledger, a crisis case with notes and a pairing, then every
 * archive repository through its use cases: the process records (the union of the care tables,
 * the steps of the audit log with their notes), the field versions, the monthly review rule, the
 * settings' upsert, the data requests' register (open first), the audit log of the archives, the
 * closing and the purge (counts, the log, nothing of the student left in the care tables).
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoSchool } from '../db/demo';
import { migrateLatest } from '../db/knex';
import { createStore, type Store } from '../db/store';
import {
  archiveAuditLog,
  changeArchiveSettings,
  closeArchive,
  editArchive,
  listArchives,
  listDataRequests,
  purgeArchiveNow,
  readArchive,
  readArchiveSettings,
  recordDataRequest,
  reviewArchive,
  type ArchiveDeps,
} from '../server/features/archive/use-cases';
import { readCase } from '../server/features/crisis/use-cases';
import { staffUser as user } from './helpers/actors';
import { bothDrivers, connect } from './helpers/databases';
import { addReportedCase, firstWarning, importWarningsOf } from './helpers/records';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 9, 8, 2);
const NAME = '宇文清和';
const NO = '2024880501';
const counsellor = user('literature-counsellor', 'counsellor', 'literature');
const leader = user('literature-college-leader', 'college_leader', 'literature');
const admin = user('admin', 'school_admin', null);

const drivers = bothDrivers('archive-store');

describe.each(drivers)('the archive on $name', (driver) => {
  let db: Knex;
  let store: Store;
  let unavailable = false;
  let studentId = '';
  const deps = (now: number): ArchiveDeps => ({ knex: db, store, taskQueue: 'none', now });

  beforeAll(async () => {
    const connected = await connect(driver, 'archive-store.test');
    if (!connected) {
      unavailable = true;
      return;
    }
    db = connected.db;
    await migrateLatest(db);
    store = createStore(db);
    await seedDemoSchool(store);
    await importWarningsOf(deps(T0), counsellor, [{ no: NO, name: NAME, level: '红色' }]);
    const warning = await firstWarning({ knex: db, store });
    studentId = warning.studentId;
    await warning.step('key-care-and-ledger-proposed', T0 + DAY, { actor: 'system' });
    const reported = { id: 'case-store-1', studentId, situation: 'self_harm_risk', place: '宿舍' };
    const at = T0 + 2 * DAY;
    const step = await addReportedCase({ knex: db, store }, { ...reported, reportedBy: counsellor.id, at }, leader.id);
    const handOver = { receivedBy: `${NAME}的父亲`, witnessedBy: [counsellor.id] };
    await step('hand-over', T0 + 3 * DAY, handOver, 'handed-over');
  });
  afterAll(async () => {
    await db?.destroy();
    await driver.teardown();
  });

  it('reads, versions, reviews, registers requests, audits and purges the archive', async (ctx) => {
    if (unavailable) return ctx.skip();
    // the list (the union of the care tables) and the one timeline
    expect((await listArchives(deps(T0 + 4 * DAY), admin, { studentNo: NO })).map((s) => s.id)).toEqual([studentId]);
    const view = await readArchive(deps(T0 + 4 * DAY), counsellor, studentId);
    expect(view.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'screening-warning',
        'key-care-added',
        'ledger-entry',
        'crisis-reported',
        'crisis-handed-over',
      ]),
    );
    // the hand-over's note is read from archive_notes
    const c = await readCase({ store, knex: db, now: T0 + 4 * DAY }, counsellor, 'case-store-1');
    expect(c.timeline.find((e) => e.action === 'handed-over')).toMatchObject({
      details: { receivedBy: `${NAME}的父亲`, witnessedBy: [counsellor.id] },
    });
    // field versions
    await editArchive(deps(T0 + 5 * DAY), counsellor, studentId, { parentsRelation: 'divorced' });
    await editArchive(deps(T0 + 6 * DAY), counsellor, studentId, { parentsRelation: 'separated' });
    expect((await readArchive(deps(T0 + 6 * DAY), admin, studentId)).versions.map((v) => v.value)).toEqual([
      'divorced',
      'separated',
    ]);
    // the monthly review rule
    const nov1 = Date.UTC(2024, 9, 31, 16);
    const nov30 = Date.UTC(2024, 10, 30, 15);
    expect(await store.unreviewedKeyCareStudents('literature', nov1, nov30)).toEqual([studentId]);
    await reviewArchive(deps(nov1 + DAY), counsellor, studentId);
    expect(await store.unreviewedKeyCareStudents('literature', nov1, nov30)).toEqual([]);
    // settings: inserted, then changed (upsert)
    await changeArchiveSettings(deps(nov1), admin, { retentionDays: 30, dataRequestDays: 15 });
    await changeArchiveSettings(deps(nov1 + 1), admin, { retentionDays: 60, dataRequestDays: 10 });
    expect(await readArchiveSettings({ knex: db }, 'demo-school')).toEqual({ retentionDays: 60, dataRequestDays: 10 });
    // data requests: the register, open first by deadline
    const a = await recordDataRequest(deps(nov1 + DAY), admin, {
      studentNo: NO,
      kind: 'access',
      receivedOn: '2024-11-02',
      request: '查阅',
    });
    const b = await recordDataRequest(deps(nov1 + DAY), admin, {
      studentNo: NO,
      kind: 'deletion',
      receivedOn: '2024-11-01',
      request: '删除',
    });
    await db('data_requests').where({ id: a.id }).update({ status: 'answered', answer: '已提供' });
    expect((await listDataRequests(deps(nov1 + DAY), admin)).map((r) => [r.id, r.status])).toEqual([
      [b.id, 'open'],
      [a.id, 'answered'],
    ]);
    // the audit log of the archives
    const log = await archiveAuditLog(deps(nov1 + DAY), admin, { studentId }, 'Asia/Shanghai');
    expect(log.map((e) => e.action)).toEqual(
      expect.arrayContaining(['viewed', 'changed', 'reviewed', 'data-request-received']),
    );
    // closing and the purge
    const closed = await closeArchive(deps(nov1 + 2 * DAY), leader, studentId, {
      leftOn: '2024-11-02',
      reason: 'graduated',
    });
    expect(closed.purgeDueAt).toBe(closed.leftAt + 60 * DAY);
    expect((await purgeArchiveNow({ knex: db, now: closed.purgeDueAt - 1 }, studentId)).purged).toBe(false);
    const purged = await purgeArchiveNow({ knex: db, now: closed.purgeDueAt }, studentId);
    expect(purged.purged).toBe(true);
    expect(purged.counts).toMatchObject({
      students: 1,
      screening_warnings: 1,
      crisis_cases: 1,
      archive_notes: 1,
      data_requests: 2,
    });
    for (const table of [
      'screening_warnings',
      'crisis_cases',
      'key_care_entries',
      'ledger_entries',
      'pairings',
      'archive_notes',
      'data_requests',
      'archive_field_versions',
      'archive_reviews',
      'student_archives',
    ])
      expect(await db(table).where({ student_id: studentId }).first(), table).toBeUndefined();
    expect(await db('students').where({ student_no: NO }).first()).toBeUndefined();
    const audit = (await db('audit_events').pluck('details')) as Array<string | null>;
    expect(audit.filter((x) => x && (x.includes(NAME) || x.includes(NO)))).toEqual([]);
    expect((await purgeArchiveNow({ knex: db, now: closed.purgeDueAt + DAY }, studentId)).purged).toBe(true);
  });
});
