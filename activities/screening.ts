/**
 * Screening follow-up activities: one idempotent write per transition, in one transaction: the
 * audit event (key `screening.<warningId>/<step>`), the warning row (escalation level, status,
 * interview record) and the inbox rows (one per recipient and event). Notifications name the
 * warning by its opaque id and level only, never the student. A database error is re-thrown
 * without its SQL, which would carry the interview record into the Temporal history.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { enrolInCare } from '../db/repositories/care';
import { createStore, type Store } from '../db/store';
import type { Role } from '../domain/schema';
import type { EventStep } from '../contracts/events';
import type { InterviewRecord, WarningLevel } from '../contracts/screening';
import { formatLocal } from '../domain/local-time';
import {
  insertInboxRows,
  raiseWarningLevel,
  recordInterview,
  warningInterview,
  type InboxRow,
} from '../db/repositories/care-events';
import { inTransaction } from '../db/knex';
import { t as texts } from '../server/platform/i18n';

/** The notification texts of the one catalogue (written in Chinese only today). */
const NOTICES = texts('zh-CN').notifications;

/** counsellors: 辅导员 and 心理辅导员; college: those and the college leader; school: school admins */
export type ScreeningAudience = 'counsellors' | 'college' | 'college-leader' | 'school';

/** `details`, written to the audit log: ids, flags and the assessment only, no free text */
export interface ScreeningEvent extends EventStep<ScreeningAudience> {
  warningId: string;
  collegeId: string;
  /** the warning's level (red: 红色/一级, orange: 橙色/二级) */
  warningLevel: WarningLevel;
  /** the interview deadline, for the notification text */
  dueAt: number;
  /** the escalation level this step reaches (1: college leader, 2: school) */
  escalation?: 1 | 2;
  /** the interview record: stored on the warning, which becomes interviewed */
  interview?: InterviewRecord;
}

const KIND: Record<string, string> = { reminded: 'reminder', overdue: 'escalation_l1', escalated: 'escalation_l2' };

const AUDIENCE: Record<ScreeningAudience, { roles: Role[]; ofCollege: boolean }> = {
  counsellors: { roles: ['counsellor', 'psych_counsellor'], ofCollege: true },
  college: { roles: ['counsellor', 'psych_counsellor', 'college_leader'], ofCollege: true },
  'college-leader': { roles: ['college_leader'], ofCollege: true },
  school: { roles: ['school_admin'], ofCollege: false },
};

export function createScreeningActivities(deps: { store: Store; knex: Knex }) {
  const { store, knex } = deps;

  async function notifications(e: ScreeningEvent, eventKey: string): Promise<InboxRow[]> {
    if (!e.notify) return [];
    const college = await store.getCollege(e.collegeId);
    const school = college ? await store.getSchool(college.schoolId) : undefined;
    const a = AUDIENCE[e.notify];
    const users = (await store.listUsers({ schoolId: college?.schoolId ?? '' })).filter(
      (u) => u.active && a.roles.includes(u.role) && (a.ofCollege ? u.collegeId === e.collegeId : u.collegeId === null),
    );
    const due = formatLocal(e.dueAt, school?.timezone ?? 'Asia/Shanghai');
    const { title, body } = NOTICES.screening.message({
      warningId: e.warningId,
      level: e.warningLevel,
      action: e.action,
      collegeName: college?.name ?? '',
      due,
    });
    return users.map((u) => ({
      event_key: eventKey,
      recipient_user_id: u.id,
      channel: 'inbox',
      kind: `screening_${KIND[e.action] ?? e.action}`,
      subject_type: 'screening',
      subject_id: e.warningId,
      title,
      body,
      created_at: e.at,
    }));
  }

  return {
    async recordScreeningEvent(e: ScreeningEvent): Promise<{ applied: boolean; eventKey: string }> {
      const eventKey = `screening.${e.warningId}/${e.step}`;
      try {
        const inbox = await notifications(e, eventKey);
        const applied = await inTransaction(knex, async (trx) => {
          const applied = await createStore(trx).appendAudit({
            eventKey,
            subjectType: 'screening',
            subjectId: e.warningId,
            action: e.action,
            actor: e.actor,
            at: e.at,
            details: { ...e.details, ...(e.escalation ? { level: e.escalation } : {}) },
          });
          if (e.escalation) {
            await raiseWarningLevel(trx, e.warningId, e.escalation);
          }
          if (e.interview) {
            await recordInterview(trx, e.warningId, e.at, e.interview);
          }
          if (applied && e.action === 'key-care-and-ledger-proposed') {
            // 重点关爱库, 干预台账 and a proposed pairing (docs/domain.md §4), from the stored interview record
            const w = await warningInterview(trx, e.warningId);
            if (w) {
              const rec = w.record ? (JSON.parse(w.record) as Partial<InterviewRecord>) : {};
              await enrolInCare(trx, {
                studentId: w.student_id,
                collegeId: e.collegeId,
                source: 'screening',
                sourceId: e.warningId,
                at: e.at,
                reason: {
                  kind: 'screening',
                  zh: NOTICES.screening.careReason(e.warningLevel, {
                    highRisk: rec.assessment === 'high_risk',
                    needsCrisisIntervention: !!rec.needsCrisisIntervention,
                  }),
                },
                lifeSafety: rec.needsCrisisIntervention === true,
                interviewAt: w.interviewed_at == null ? undefined : Number(w.interviewed_at),
              });
            }
          }
          if (inbox.length) await insertInboxRows(trx, inbox);
          return applied;
        });
        return { applied, eventKey };
      } catch (err) {
        // knex puts the statement with its values (the interview record) into the message: keep
        // only the driver's error code, so no student data reaches the workflow's history
        const code = (err as { code?: unknown }).code;
        throw ApplicationFailure.retryable(
          `could not write ${eventKey}: database error ${typeof code === 'string' ? code : (err as Error).name}`,
          'ScreeningStoreError',
        );
      }
    },
  };
}

export type ScreeningActivities = ReturnType<typeof createScreeningActivities>;
