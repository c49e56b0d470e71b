/**
 * The student archive 一生一档 (issue 16 part 1), by its use cases (no HTTP): one student goes
 * through screening → interview → key-care (and the ledger) → crisis → pairing, written by the
 * processes' own use cases and activities; the archive reads them as one timeline (order, kinds,
 * links). Hand-edited fields are versioned; permissions follow domain/permissions.ts; the monthly
 * ledger task asks for the key-care archives' review; the .docx export holds the sections and the
 * student's data; the purge leaves no personal data of the student in any table.
 */
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPairingActivities } from '../activities/pairing';
import { startPairing } from '../db/repositories/pairing';
import type { TaskInstanceRow } from '../db/store';
import { ledgerDutyProblem } from '../server/features/tasks/use-cases';
import { addFollowUp } from '../server/features/care/use-cases';
import {
  closeArchive,
  editArchive,
  exportArchiveDocx,
  purgeArchiveNow,
  readArchive,
  reviewArchive,
  type ArchiveDeps,
} from '../server/features/archive/use-cases';
import { columnsHolding, demoDb, type DemoDb } from './helpers/demo-db';
import { staffUser as staff } from './helpers/actors';
import { addReportedCase, firstWarning, HIGH_RISK_INTERVIEW, importWarningsOf } from './helpers/records';

const NAME = '陈思远';
const NO = '2024880001';
const student = { no: NO, name: NAME };
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 9, 8, 2); // 2024-10-08 10:00 in Shanghai

const counsellor = staff('literature-counsellor', 'counsellor', 'literature');
const classTeacher = staff('literature-class-teacher', 'class_teacher', 'literature');
const leader = staff('literature-college-leader', 'college_leader', 'literature');
const admin = staff('admin', 'school_admin', null);
const otherCollege = staff('science-counsellor', 'counsellor', 'science');

let d: DemoDb;
let studentId: string;
const deps = (now: number): ArchiveDeps => ({ knex: d.db, store: d.store, taskQueue: 'none', now });

beforeAll(async () => {
  d = await demoDb('archive', { semesterId: 'arch-2024' });
  const care = { knex: d.db, store: d.store, taskQueue: 'none' };
  // 1. screening: a red warning imported
  await importWarningsOf({ ...care, now: T0 }, counsellor, [{ ...student, level: '红色' }], 'warn.csv');
  const warning = await firstWarning(care);
  studentId = warning.studentId;
  // 2. the interview finds a high risk: 3. the key-care list, the ledger and a proposed pairing
  const interviewAt = T0 + DAY;
  const interview = { interview: HIGH_RISK_INTERVIEW, details: { assessment: 'high_risk' } };
  await warning.step('interviewed', interviewAt, { actor: counsellor.id, ...interview });
  await warning.step('key-care-and-ledger-proposed', interviewAt, { actor: 'system', notify: 'college-leader' });
  const entry = (await d.db('ledger_entries').where({ student_id: studentId }).first('id')) as { id: string };
  await addFollowUp({ ...care, now: T0 + 3 * DAY }, counsellor, entry.id, {
    text: '已约谈，情绪稍稳定',
    counselling: true,
  });
  // 4. a crisis case (the row as reportCase writes it; its steps as the workflow's activity writes them)
  const caseId = 'case-archive-1';
  const reported = { id: caseId, studentId, situation: 'injury', place: '3 号宿舍楼', reportedBy: classTeacher.id };
  const step = await addReportedCase(care, { ...reported, at: T0 + 5 * DAY, student }, leader.id);
  await step('reported', T0 + 5 * DAY, { situation: 'injury' });
  await step('five-ones', T0 + 6 * DAY, { plan: '持续关注', team: ['literature-counsellor'] });
  // 5. the proposed pairing gets its teacher; a talk
  const pairing = (await d.db('pairings').where({ student_id: studentId }).first('id')) as { id: string };
  await startPairing(d.db, pairing.id, {
    teacher_user_id: classTeacher.id,
    status: 'active',
    started_at: T0 + 7 * DAY,
    talk_every_ms: 15 * DAY,
    override_reason: null,
  });
  await createPairingActivities({ store: d.store, knex: d.db }).recordPairingEvent({
    pairingId: pairing.id,
    collegeId: 'literature',
    teacherUserId: classTeacher.id,
    step: `talk:${T0 + 9 * DAY}`,
    action: 'talk',
    at: T0 + 9 * DAY,
    actor: classTeacher.id,
    notify: null,
    details: { note: '谈心 30 分钟，情绪较前稳定' },
  });
});
afterAll(async () => {
  await d?.close();
});

describe('the archive of a student who went through every process', () => {
  test('When the student went screening → interview → key-care → crisis → pairing, then the archive reads one timeline in that order, each entry linked to its record', async () => {
    const view = await readArchive(deps(T0 + 10 * DAY), counsellor, studentId);
    expect(view.student).toMatchObject({ name: NAME, studentNo: NO, collegeId: 'literature' });
    expect(view.openedAt).toBe(T0); // opened by the first process: the screening warning
    expect(view.timeline.map((e) => e.kind)).toEqual([
      'screening-warning',
      'interview',
      'key-care-added',
      'ledger-entry',
      'pairing-proposed',
      'ledger-follow-up',
      'crisis-reported',
      'crisis-closed',
      'pairing-started',
      'pairing-talk',
    ]);
    const at = view.timeline.map((e) => e.at);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const warning = (await d.db('screening_warnings').first('id')) as { id: string };
    const links = Object.fromEntries(view.timeline.map((e) => [e.kind, e.link]));
    expect(links['screening-warning']).toBe(`/screening/warnings/${warning.id}`);
    expect(links.interview).toBe(`/screening/warnings/${warning.id}`);
    expect(links['crisis-reported']).toBe('/crises/case-archive-1');
    expect(links['key-care-added']).toBe('/care?college=literature#key-care');
    expect(links['ledger-follow-up']).toBe('/care?college=literature#ledger');
    expect(links['pairing-talk']).toBe('/care?college=literature#pairings');
    expect(view.timeline.find((e) => e.kind === 'pairing-talk')?.facts.note).toBe('谈心 30 分钟，情绪较前稳定');
    expect(view.assessments.map((a) => [a.source, a.value])).toEqual([
      ['screening', 'red'],
      ['interview', 'high_risk'],
    ]);
    // the view is audited by the student's opaque id
    const audit = await d.store.listAudit({ subjectType: 'archive', subjectId: studentId });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['viewed', counsellor.id]]);
  });

  test('When a field is changed twice, then both versions are kept (who, when, what) and the latest is current; a bad value is refused by name and nothing is stored', async () => {
    const first = await editArchive(deps(T0 + 11 * DAY), classTeacher, studentId, {
      parentsRelation: 'divorced',
      familyContacts: '母亲 139xxxx0000',
      lifeEvents: [{ date: '2024-06', text: '高考失利后复读一年' }],
    });
    expect(first.changed).toEqual(['parentsRelation', 'familyContacts', 'lifeEvents']);
    const second = await editArchive(deps(T0 + 12 * DAY), counsellor, studentId, {
      parentsRelation: 'separated',
      familyContacts: '母亲 139xxxx0000',
    });
    expect(second.changed).toEqual(['parentsRelation']); // an unchanged field writes no version
    const refused = await editArchive(deps(T0 + 13 * DAY), counsellor, studentId, {
      parentsRelation: 'unknown',
      health: 'good',
      shoeSize: '42',
    }).catch((e: Error) => e);
    expect((refused as Error).message).toBe(
      'the archive was not changed: parentsRelation: "unknown" is not one of harmonious, discordant, separated, divorced, other; unknown archive field "shoeSize"',
    );
    const view = await readArchive(deps(T0 + 13 * DAY), admin, studentId);
    expect(view.fields).toMatchObject({
      parentsRelation: 'separated',
      familyContacts: '母亲 139xxxx0000',
      health: null,
    });
    expect(view.versions.filter((v) => v.field === 'parentsRelation')).toEqual([
      { field: 'parentsRelation', value: 'divorced', changedBy: classTeacher.id, changedAt: T0 + 11 * DAY },
      { field: 'parentsRelation', value: 'separated', changedBy: counsellor.id, changedAt: T0 + 12 * DAY },
    ]);
    // the audit names fields, never their values, and the student by id only
    const changes = (await d.store.listAudit({ subjectType: 'archive', subjectId: studentId })).filter(
      (a) => a.action === 'changed',
    );
    expect(changes.map((a) => a.details)).toEqual([
      { fields: ['parentsRelation', 'familyContacts', 'lifeEvents'] },
      { fields: ['parentsRelation'] },
    ]);
  });

  test('When another college’s counsellor, or a class teacher asked to review, reaches the archive, then they are refused with the rule’s words', async () => {
    await expect(readArchive(deps(T0), otherCollege, studentId)).rejects.toThrow(
      'this archive belongs to another college',
    );
    await expect(reviewArchive(deps(T0), classTeacher, studentId)).rejects.toThrow(/only the counsellors/);
    await expect(readArchive(deps(T0), counsellor, 'no-such-student')).rejects.toThrow(
      'unknown student no-such-student',
    );
  });
});

describe('the monthly review (seed 003 §8)', () => {
  test('When a key-care student’s archive was not reviewed this month, then the monthly ledger task is refused naming the archive; after the review it passes', async () => {
    // the November task "更新重点关爱名单" of the literature college, as the read model holds it
    const row = {
      id: 'arch-2024.literature.2024-11-01-update-key-care-list',
      semesterId: 'arch-2024',
      collegeId: 'literature',
      templateTaskId: '2024-11-01-update-key-care-list',
      month: '2024-11',
      status: 'open',
    } as TaskInstanceRow;
    const nov10 = Date.UTC(2024, 10, 10, 2);
    // the ledger's own duty met: a follow-up in November
    const entry = (await d.db('ledger_entries').where({ student_id: studentId }).first('id')) as { id: string };
    await addFollowUp({ knex: d.db, store: d.store, taskQueue: 'none', now: nov10 }, counsellor, entry.id, {
      text: '十一月随访',
    });
    expect(await ledgerDutyProblem(d.store, row, nov10)).toBe(
      `review the key-care students' archives first: 1 not reviewed this month (本月尚有 1 名重点关爱学生的档案未复核): /archives/${studentId}`,
    );
    // a review in October does not count for November
    await reviewArchive(deps(Date.UTC(2024, 9, 30)), counsellor, studentId);
    expect(await ledgerDutyProblem(d.store, row, nov10)).toMatch(/1 not reviewed this month/);
    await reviewArchive(deps(nov10 - 3600_000), leader, studentId);
    expect(await ledgerDutyProblem(d.store, row, nov10)).toBeNull();
  });
});

describe('the export for a hand-over', () => {
  test('When the archive is exported, then the .docx holds appendix 3’s sections and the student’s data, and the export is audited; another college may not export it', async () => {
    const { file } = await exportArchiveDocx(deps(T0 + 20 * DAY), counsellor, studentId, 'zh-CN', 'Asia/Shanghai');
    const zip = await JSZip.loadAsync(file);
    const xml = await zip.file('word/document.xml')!.async('string');
    const words = xml.replace(/<[^>]+>/g, '');
    for (const s of [
      '学生心理健康档案',
      '个人情况',
      '家庭情况与联系人',
      '人际关系',
      '印象深刻的生活事件',
      '心理评估',
      '关爱过程（时间线）',
      '心理帮扶情况',
    ])
      expect(words).toContain(s);
    for (const data of [NAME, NO, '分居', '高考失利后复读一年', '高危人群', '结对谈心', '谈心 30 分钟，情绪较前稳定'])
      expect(words).toContain(data);
    expect(xml).toContain('w:eastAsia="宋体"');
    const audit = await d.store.listAudit({ subjectType: 'archive', subjectId: studentId });
    expect(audit.filter((a) => a.action === 'exported').map((a) => a.actor)).toEqual([counsellor.id]);
    await expect(exportArchiveDocx(deps(T0), otherCollege, studentId, 'zh-CN', 'Asia/Shanghai')).rejects.toThrow(
      'this archive belongs to another college',
    );
  });
});

describe('retention and purge', () => {
  test('When the student left and the retention is over, then the purge leaves no name or student number in any text column of any table; the audit log keeps the opaque id', async () => {
    const leftOn = '2024-12-20';
    const closed = await closeArchive(deps(Date.UTC(2024, 11, 21)), leader, studentId, {
      leftOn,
      reason: 'transferred',
    });
    await expect(editArchive(deps(Date.UTC(2024, 11, 22)), leader, studentId, { phone: '1' })).rejects.toThrow(
      /closed/,
    );
    // not yet: the retention (365 days by default) is not over
    expect(await purgeArchiveNow({ knex: d.db, now: closed.purgeDueAt - 1 }, studentId)).toEqual({
      purged: false,
      retryAt: closed.purgeDueAt,
    });
    const r = await purgeArchiveNow({ knex: d.db, now: closed.purgeDueAt }, studentId);
    expect(r.purged).toBe(true);
    // every table, every text-like column: neither the name nor the student number
    expect(await columnsHolding(d.db, [NAME, NO])).toEqual([]);
    expect(await d.db('students').where({ id: studentId }).first()).toBeUndefined();
    const log = (await d.db('archive_purges').where({ student_id: studentId }).first()) as {
      counts: string;
      purged_by: string;
    };
    expect(log.purged_by).toBe('timer');
    expect(JSON.parse(log.counts)).toMatchObject({
      students: 1,
      screening_warnings: 1,
      crisis_cases: 1,
      archive_field_versions: 4,
    });
    const audit = await d.store.listAudit({ subjectType: 'archive', subjectId: studentId });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['viewed', 'changed', 'exported', 'closed', 'purged']),
    );
    // purged once: again is a no-op that answers purged
    expect(await purgeArchiveNow({ knex: d.db, now: closed.purgeDueAt + DAY }, studentId)).toEqual({ purged: true });
  });
});
