/**
 * The activities of the class and dorm levels' workflows (workflows/unit-reports.ts, unit-concern.ts):
 * the semester's report weeks, the steps of one instant for every unit of a college in one
 * transaction, and a concern's follow-up events. Idempotent: every write is keyed by its event key
 * (the audit event), rows move only from the status a step expects, inbox rows are inserted once per
 * (event, recipient). Texts carry no student data.
 */
import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/common';
import { withScrubbedErrors } from './scrub';
import { writeTransaction } from '../db/knex';
import { createStore, type Store } from '../db/store';
import { insertInboxRows, type InboxRow } from '../db/repositories/care-events';
import { getUnit, listUnits, peopleOfUnits, type UnitRow } from '../db/repositories/units';
import {
  insertWeekRows,
  markConcernOverdue,
  moveWeekRows,
  respondToConcernRow,
  weekRows,
  getReport,
  type UnitReportWeekRow,
  type ConcernResponse,
} from '../db/repositories/units-reports';
import { parseCalendar } from '../domain/load';
import { reportWeeks, unitWeekId } from '../domain/units';
import type { ConcernEvent, UnitReportsPlan, UnitStepsResult, UnitWeekStep } from '../contracts/units';
import { t } from '../server/platform/i18n';

const N = t('zh-CN').notifications.units;

type Notice = { title: string; body: string };

export function createUnitReportActivities(deps: { store: Store; knex: Knex }) {
  const { store, knex } = deps;

  const usersOf = async (schoolId: string) => (await store.listUsers({ schoolId })).filter((u) => u.active);

  return {
    /** The semester's report weeks, from its calendar. */
    async planUnitReports(req: { semesterId: string; collegeId: string }): Promise<UnitReportsPlan> {
      const semester = await store.getSemester(req.semesterId);
      if (!semester)
        throw ApplicationFailure.create({
          type: 'UnknownSemester',
          message: `unknown semester ${req.semesterId}`,
          nonRetryable: true,
        });
      const cal = await store.getCalendar(semester.calendarId);
      if (!cal)
        throw ApplicationFailure.create({
          type: 'UnknownCalendar',
          message: `unknown calendar ${semester.calendarId}`,
          nonRetryable: true,
        });
      return { weeks: reportWeeks(parseCalendar(`calendar ${cal.id}`, cal.body)) };
    },

    /** Takes the steps of one instant for every unit of the college, in one transaction. */
    async moveUnitReports(req: {
      semesterId: string;
      collegeId: string;
      steps: UnitWeekStep[];
    }): Promise<UnitStepsResult> {
      const what = `unit-reports.${req.semesterId}.${req.collegeId}`;
      return withScrubbedErrors(what, 'UnitReportStoreError', () => moveSteps(req));
    },

    /** One event of a concern's follow-up: the row, the audit event and the inbox rows, in one transaction. */
    async recordConcernEvent(e: ConcernEvent): Promise<{ applied: boolean; eventKey: string | null }> {
      const eventKey = concernEventKey(e.reportId, e.step);
      return withScrubbedErrors(eventKey, 'UnitConcernStoreError', () => concernEvent(e, eventKey));
    },
  };

  async function moveSteps(req: {
    semesterId: string;
    collegeId: string;
    steps: UnitWeekStep[];
  }): Promise<UnitStepsResult> {
    const college = await store.getCollege(req.collegeId);
    if (!college)
      throw ApplicationFailure.create({
        type: 'UnknownCollege',
        message: `unknown college ${req.collegeId}`,
        nonRetryable: true,
      });
    const units = await listUnits(knex, college.schoolId, { collegeId: req.collegeId });
    const unitById = new Map(units.map((u) => [u.id, u]));
    const people = await peopleOfUnits(
      knex,
      units.map((u) => u.id),
    );
    const users = await usersOf(college.schoolId);
    const counsellors = users.filter((u) => u.role === 'counsellor' && u.collegeId === req.collegeId).map((u) => u.id);
    const notify: string[] = [];
    await writeTransaction(knex, async (trx) => {
      const txStore = createStore(trx);
      for (const step of req.steps) {
        const eventKey = `unit-reports.${req.semesterId}.${req.collegeId}/${step.key}`;
        const inbox: InboxRow[] = [];
        const add = (recipients: Iterable<string>, kind: string, subjectId: string, n: Notice) => {
          for (const r of new Set(recipients))
            inbox.push({
              event_key: eventKey,
              recipient_user_id: r,
              channel: 'inbox',
              kind,
              subject_type: 'unit',
              subject_id: subjectId,
              title: n.title,
              body: n.body,
              created_at: step.at,
            });
        };
        const q = { semesterId: req.semesterId, collegeId: req.collegeId, weekNo: step.weekNo };
        let moved: UnitReportWeekRow[];
        if (step.action === 'opened') {
          await insertWeekRows(
            trx,
            units.map((u) => weekRow(u, req.semesterId, step)),
          );
          moved = await weekRows(trx, { ...q, status: ['open'] });
        } else if (step.action === 'reminded') {
          moved = await weekRows(trx, { ...q, status: ['open'] });
          await moveWeekRows(
            trx,
            moved.map((r) => r.id),
            'open',
            { reminded_at: step.at },
          );
          for (const r of moved)
            add(
              people.get(r.unit_id)?.reporters ?? [],
              'unit_report_reminder',
              r.unit_id,
              N.reminded(unitName(unitById.get(r.unit_id)), step.weekNo),
            );
        } else if (step.action === 'overdue') {
          moved = await weekRows(trx, { ...q, status: ['open'] });
          await moveWeekRows(
            trx,
            moved.map((r) => r.id),
            'open',
            { status: 'overdue' },
          );
          for (const r of moved)
            add(
              people.get(r.unit_id)?.reporters ?? [],
              'unit_report_overdue',
              r.unit_id,
              N.overdue(unitName(unitById.get(r.unit_id)), step.weekNo),
            );
        } else {
          moved = await weekRows(trx, { ...q, status: ['overdue'] });
          await moveWeekRows(
            trx,
            moved.map((r) => r.id),
            'overdue',
            { status: 'escalated', escalated_at: step.at },
          );
          const teachers = moved.flatMap((r) => people.get(r.unit_id)?.teachers ?? []);
          if (moved.length)
            add(
              [...teachers, ...counsellors],
              'unit_report_escalated',
              req.collegeId,
              N.escalated(moved.map((r) => unitName(unitById.get(r.unit_id))).sort(), step.weekNo),
            );
        }
        await txStore.appendAudit({
          eventKey,
          subjectType: 'unit-reports',
          subjectId: `${req.semesterId}/${req.collegeId}`,
          action: `unit-week.${step.action}`,
          actor: 'timer',
          at: step.at,
          details: { weekNo: step.weekNo, units: moved.map((r) => r.unit_id) },
        });
        if (inbox.length) {
          await insertInboxRows(trx, inbox);
          notify.push(eventKey);
        }
      }
    });
    return { notify };
  }

  async function concernEvent(
    e: ConcernEvent,
    eventKey: string,
  ): Promise<{ applied: boolean; eventKey: string | null }> {
    const report = await getReport(knex, e.reportId);
    if (!report)
      throw ApplicationFailure.create({
        type: 'UnknownReport',
        message: `unknown report ${e.reportId}`,
        nonRetryable: true,
      });
    const unit = await getUnit(knex, report.unit_id);
    const college = await store.getCollege(e.collegeId);
    const users = await usersOf(college?.schoolId ?? '');
    const ofCollege = (roles: string[]) =>
      users.filter((u) => u.collegeId === e.collegeId && roles.includes(u.role)).map((u) => u.id);
    const name = unitName(unit);
    let recipients: string[] = [];
    let notice: Notice | null = null;
    if (e.step === 'raised') {
      recipients = ofCollege(['counsellor']);
      notice = N.concernRaised(name, Math.round((Number(report.respond_by) - Number(report.filed_at)) / 3_600_000));
    } else if (e.step === 'overdue') {
      recipients = ofCollege(['counsellor', 'college_leader']);
      notice = N.concernOverdue(name);
    } else if (e.step === 'school') {
      recipients = users.filter((u) => u.role === 'school_admin').map((u) => u.id);
      notice = N.concernSchool(name);
    }
    const applied = await writeTransaction(knex, async (trx) => {
      const applied = await createStore(trx).appendAudit({
        eventKey,
        subjectType: 'unit-concern',
        subjectId: e.reportId,
        action: `concern.${e.step}`,
        actor: e.actor,
        at: e.at,
        details: e.details,
      });
      if (applied && e.step === 'overdue') await markConcernOverdue(trx, e.reportId);
      if (applied && e.step === 'responded') {
        const d = e.details ?? {};
        await respondToConcernRow(trx, e.reportId, {
          at: e.at,
          by: e.actor,
          response: d.response as ConcernResponse,
          note: typeof d.note === 'string' ? d.note : '',
          ref: typeof d.ref === 'string' ? d.ref : null,
        });
      }
      if (notice && recipients.length)
        await insertInboxRows(trx, concernInbox(eventKey, e.reportId, recipients, notice, e.at));
      return applied;
    });
    return { applied, eventKey: notice && recipients.length ? eventKey : null };
  }
}

export const concernEventKey = (reportId: string, step: string): string => `unit-concern.${reportId}/${step}`;

/** The inbox rows of a concern's event (also written by the units feature when the concern is filed). */
export function concernInbox(
  eventKey: string,
  reportId: string,
  recipients: string[],
  n: Notice,
  at: number,
): InboxRow[] {
  return [...new Set(recipients)].map((r) => ({
    event_key: eventKey,
    recipient_user_id: r,
    channel: 'inbox',
    kind: 'unit_concern',
    subject_type: 'unit-concern',
    subject_id: reportId,
    title: n.title,
    body: n.body,
    created_at: at,
  }));
}

function unitName(u: UnitRow | undefined): string {
  return u ? `${u.kind === 'class' ? '班级' : '宿舍'} ${u.name}` : '';
}

function weekRow(u: UnitRow, semesterId: string, step: UnitWeekStep): UnitReportWeekRow {
  return {
    id: unitWeekId(semesterId, u.id, step.weekNo),
    school_id: u.school_id,
    college_id: u.college_id,
    semester_id: semesterId,
    unit_kind: u.kind,
    unit_id: u.id,
    week_no: step.weekNo,
    open_at: step.at,
    due_at: step.dueAt,
    status: 'open',
    filed_at: null,
    reminded_at: null,
    escalated_at: null,
  };
}

export type UnitReportActivities = ReturnType<typeof createUnitReportActivities>;
