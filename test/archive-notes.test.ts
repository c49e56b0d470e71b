/**
 * Free text out of the append-only audit log (issue 16 part 1, PIPL Art. 47): the pairing talk
 * notes, the supervision check-in notes, the hand-over's receivedBy/witnessedBy, the "five ones"
 * (team, plan, follow-up), a pairing's end and teacher-change reasons and the key-care removal
 * reason are kept in archive_notes, keyed to the student and purged with the archive; the audit
 * entry keeps an opaque reference (its own event key). The case page's timeline and the archive's
 * read the text from there; an audit entry written before (text inline) still displays. Staff type
 * the student's name into every such note: after the purge, a scan of every text column of every
 * table finds neither the name nor the student number.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPairingActivities } from '../activities/pairing';
import { startPairing } from '../db/repositories/pairing';
import { closeArchive, purgeArchiveNow, readArchive, type ArchiveDeps } from '../server/features/archive/use-cases';
import { removeKeyCare } from '../server/features/care/use-cases';
import { readCase } from '../server/features/crisis/use-cases';
import { columnsHolding, demoDb, type DemoDb } from './helpers/demo-db';
import { staffUser as staff } from './helpers/actors';
import { addReportedCase, firstWarning, importWarningsOf } from './helpers/records';

const NAME = '司马静怡';
const NO = '2024880123';
const student = { no: NO, name: NAME };
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 9, 8, 2);
const counsellor = staff('literature-counsellor', 'counsellor', 'literature');
const teacher = staff('literature-class-teacher', 'class_teacher', 'literature');
const leader = staff('literature-college-leader', 'college_leader', 'literature');

let d: DemoDb;
let studentId: string;
let pairingId: string;
const caseId = 'case-notes-1';
const deps = (now: number): ArchiveDeps => ({ knex: d.db, store: d.store, taskQueue: 'none', now });

beforeAll(async () => {
  d = await demoDb('archive-notes');
  const care = { knex: d.db, store: d.store };
  await importWarningsOf({ ...care, now: T0 }, counsellor, [{ ...student, level: '红色' }]);
  const warning = await firstWarning(care);
  studentId = warning.studentId;
  // a high-risk interview: key-care, the ledger and a proposed pairing
  await warning.step('key-care-and-ledger-proposed', T0 + DAY, { actor: 'system' });
  // a crisis case with its supervision steps, the name typed into every free text
  const reported = { id: caseId, studentId, situation: 'self_harm_risk', place: '3 号宿舍楼', reportedBy: teacher.id };
  const step = await addReportedCase(care, { ...reported, at: T0 + 2 * DAY, student }, leader.id);
  await step('reported', T0 + 2 * DAY, { situation: 'self_harm_risk' });
  await step(`check-in:${T0 + 2 * DAY + 3600_000}`, T0 + 2 * DAY + 3600_000, { note: `${NAME} 情绪平稳，已进食` });
  const handOver = { receivedBy: `${NAME}的母亲`, witnessedBy: [`${NAME}的室友`, counsellor.id] };
  await step('hand-over', T0 + 3 * DAY, handOver, 'handed-over');
  await step('five-ones', T0 + 4 * DAY, {
    leaderUserId: leader.id,
    team: [counsellor.id, `${NAME}的班长`],
    plan: `${NAME} 每周谈心一次`,
    followUp: `${NO} 每月随访`,
  });
  // an audit entry written before the notes moved (text inline): it still displays
  await d.store.appendAudit({
    eventKey: `crisis.${caseId}/legacy-check-in`,
    subjectType: 'crisis',
    subjectId: caseId,
    action: 'check-in',
    actor: counsellor.id,
    at: T0 + 2 * DAY + 2 * 3600_000,
    details: { note: '旧记录：情绪稳定' },
  });
  // the pairing: a teacher, a talk, a change of teacher, the end
  pairingId = ((await d.db('pairings').where({ student_id: studentId }).first('id')) as { id: string }).id;
  await startPairing(d.db, pairingId, {
    teacher_user_id: teacher.id,
    status: 'active',
    started_at: T0 + 5 * DAY,
    talk_every_ms: 15 * DAY,
    override_reason: null,
  });
  const pairing = createPairingActivities({ store: d.store, knex: d.db });
  const p = (s: string, action: string, at: number, details: Record<string, unknown>) =>
    pairing.recordPairingEvent({
      pairingId,
      collegeId: 'literature',
      teacherUserId: teacher.id,
      step: s,
      action,
      at,
      actor: teacher.id,
      notify: null,
      details,
    });
  await p(`talk:${T0 + 6 * DAY}`, 'talk', T0 + 6 * DAY, { note: `与${NAME}谈心 30 分钟` });
  await p(`teacher:${T0 + 7 * DAY}`, 'teacher-changed', T0 + 7 * DAY, {
    from: teacher.id,
    to: teacher.id,
    reason: `${NAME}希望换老师`,
  });
  await p('ended', 'ended', T0 + 8 * DAY, { reason: `${NAME} 转学` });
  // taken off the key-care list with a reason naming the student
  const keyCare = (await d.db('key_care_entries').where({ student_id: studentId }).first('id')) as { id: string };
  await removeKeyCare(
    { knex: d.db, store: d.store, taskQueue: 'none', now: T0 + 9 * DAY },
    leader,
    keyCare.id,
    `${NAME}情况好转`,
  );
});
afterAll(async () => {
  await d?.close();
});

describe('free text out of the audit log', () => {
  test('When staff typed the student’s name into notes, then the audit details hold an opaque reference only, and the text is in the student’s notes', async () => {
    const audit = (await d.db('audit_events').select('event_key', 'details')) as Array<{
      event_key: string;
      details: string | null;
    }>;
    const leaking = audit.filter((a) => a.details && (a.details.includes(NAME) || a.details.includes(NO)));
    expect(leaking.map((a) => a.event_key)).toEqual([]);
    const checkIn = audit.find((a) => a.event_key === `crisis.${caseId}/check-in:${T0 + 2 * DAY + 3600_000}`)!;
    expect(JSON.parse(checkIn.details!)).toEqual({ noteRef: checkIn.event_key });
    const notes = (await d.db('archive_notes').where({ student_id: studentId }).select('event_key')) as Array<{
      event_key: string;
    }>;
    expect(notes.length).toBe(7); // check-in, hand-over, five ones; talk, teacher change, end; key-care removal
  });

  test('When the case and the archive are read, then the notes are read from their new place, and an older inline note still displays', async () => {
    const c = await readCase({ store: d.store, knex: d.db, now: T0 + 10 * DAY }, counsellor, caseId);
    expect(c.student).toMatchObject({ name: NAME, archiveId: studentId }); // the case page links to the archive
    const details = (action: string) =>
      c.timeline.filter((e) => e.action === action).map((e) => (e as { details?: unknown }).details);
    expect(details('check-in')).toEqual([{ note: `${NAME} 情绪平稳，已进食` }, { note: '旧记录：情绪稳定' }]);
    expect(details('handed-over')).toEqual([
      { receivedBy: `${NAME}的母亲`, witnessedBy: [`${NAME}的室友`, counsellor.id] },
    ]);
    expect(details('five-ones')).toEqual([
      {
        leaderUserId: leader.id,
        team: [counsellor.id, `${NAME}的班长`],
        plan: `${NAME} 每周谈心一次`,
        followUp: `${NO} 每月随访`,
      },
    ]);
    const view = await readArchive(deps(T0 + 10 * DAY), counsellor, studentId);
    expect(view.timeline.find((e) => e.kind === 'pairing-talk')?.facts.note).toBe(`与${NAME}谈心 30 分钟`);
  });

  test('When the archive is purged, then no name or number is left in any text column of any table, and the audit entries keep their opaque reference', async () => {
    const closed = await closeArchive(deps(T0 + 11 * DAY), leader, studentId, {
      leftOn: '2024-10-19',
      reason: 'transferred',
    });
    expect((await purgeArchiveNow({ knex: d.db, now: closed.purgeDueAt }, studentId)).purged).toBe(true);
    expect(await columnsHolding(d.db, [NAME, NO])).toEqual([]);
    expect(await d.db('archive_notes').where({ student_id: studentId }).first()).toBeUndefined();
    const checkIn = (await d.store.listAudit({ subjectType: 'crisis', subjectId: caseId })).find(
      (a) => a.eventKey === `crisis.${caseId}/check-in:${T0 + 2 * DAY + 3600_000}`,
    );
    expect(checkIn?.details).toEqual({ noteRef: checkIn?.eventKey });
  });
});
