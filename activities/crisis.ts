/**
 * Crisis and supervision activities: one idempotent write per transition (audit event keyed by
 * case and step; inbox rows keyed by event and recipient), and the case row's escalation level.
 * Notification text names the case by its opaque id only; who the student is, is shown in the
 * app to the college's care staff and the counselling centre.
 */
import type { Knex } from 'knex';
import { withScrubbedErrors } from './scrub';
import { enrolInCare } from '../db/repositories/care';
import type { Store } from '../db/store';
import type { Role } from '../domain/schema';
import type { EventStep } from '../contracts/events';
import {
  crisisCaseStudent,
  insertInboxRows,
  raiseCrisisLevel,
  touchCrisisCase,
  type InboxRow,
} from '../db/repositories/care-events';
import { inTransaction } from '../db/knex';
import { appendEventAudit } from './event-audit';
import { t as texts } from '../server/platform/i18n';

/** The notification texts of the one catalogue (written in Chinese only today). */
const NOTICES = texts('zh-CN').notifications;

export type CrisisAudience = 'college-care' | 'college-leader' | 'school';

export interface CrisisEvent extends EventStep<CrisisAudience> {
  caseId: string;
  collegeId: string;
}

const AUDIENCE: Record<CrisisAudience, { roles: Role[]; ofCollege: boolean }> = {
  'college-care': { roles: ['class_teacher', 'counsellor', 'psych_counsellor', 'college_leader'], ofCollege: true },
  'college-leader': { roles: ['college_leader'], ofCollege: true },
  school: { roles: ['school_admin'], ofCollege: false },
};

export function createCrisisActivities(deps: { store: Store; knex: Knex }) {
  const { store, knex } = deps;
  return {
    async recordCrisisEvent(e: CrisisEvent): Promise<{ applied: boolean; eventKey: string }> {
      const eventKey = `crisis.${e.caseId}/${e.step}`;
      return withScrubbedErrors(eventKey, 'CrisisStoreError', () => write(e, eventKey));
    },
  };

  /** The audit event, the case row and the inbox rows in one transaction: the timeline and the inbox never disagree. */
  async function write(e: CrisisEvent, eventKey: string): Promise<{ applied: boolean; eventKey: string }> {
    const inbox = await recipients(e, eventKey);
    const level = typeof e.details?.level === 'number' ? e.details.level : 0;
    const status = e.action === 'handed-over' ? 'handed_over' : e.action === 'five-ones' ? 'closed' : undefined;
    const applied = await inTransaction(knex, async (trx) => {
      const applied = await appendEventAudit(trx, eventKey, { type: 'crisis', id: e.caseId }, e);
      await touchCrisisCase(trx, e.caseId, e.at, status);
      if (level) await raiseCrisisLevel(trx, e.caseId, level);
      if (applied && e.action === 'ledger-and-pairing-proposed') {
        // after the "five ones": the student enters the key-care list and the ledger, and a pairing is proposed
        const c = await crisisCaseStudent(trx, e.caseId);
        if (c) {
          const plan = typeof e.details?.plan === 'string' ? e.details.plan : '';
          await enrolInCare(trx, {
            studentId: c.student_id,
            collegeId: e.collegeId,
            source: 'crisis',
            sourceId: e.caseId,
            at: e.at,
            reason: { kind: 'crisis', zh: NOTICES.crisis.careReason(c.situation) },
            lifeSafety: true,
            plan,
          });
        }
      }
      if (inbox.length) await insertInboxRows(trx, inbox);
      return applied;
    });
    return { applied, eventKey };
  }

  async function recipients(e: CrisisEvent, eventKey: string) {
    if (!e.notify) return [];
    return crisisInboxRows(store, e, eventKey, [e.notify]);
  }
}

/** The inbox rows of a crisis event for its audiences (each user once); the text names the case by id only. */
export async function crisisInboxRows(
  store: Store,
  e: { caseId: string; collegeId: string; action: string; at: number },
  eventKey: string,
  audiences: CrisisAudience[],
): Promise<InboxRow[]> {
  const college = await store.getCollege(e.collegeId);
  const users = (await store.listUsers({ schoolId: college?.schoolId ?? '' })).filter(
    (u) =>
      u.active &&
      audiences.some(
        (name) => AUDIENCE[name].roles.includes(u.role) && (!AUDIENCE[name].ofCollege || u.collegeId === e.collegeId),
      ),
  );
  const { title, body } = NOTICES.crisis.message({
    caseId: e.caseId,
    action: e.action,
    collegeName: college?.name ?? '',
  });
  return users.map((u) => ({
    event_key: eventKey,
    recipient_user_id: u.id,
    channel: 'inbox',
    kind: `crisis_${e.action}`,
    subject_type: 'crisis',
    subject_id: e.caseId,
    title,
    body,
    created_at: e.at,
  }));
}

export type CrisisActivities = ReturnType<typeof createCrisisActivities>;
