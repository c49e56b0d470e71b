/**
 * Pairing activities: one idempotent write per transition of a pairing's talk clock (audit keyed
 * by pairing and step, inbox rows keyed by event and recipient). Texts carry no student data.
 */
import type { Knex } from 'knex';
import { withScrubbedErrors } from './scrub';
import type { Store } from '../db/store';
import type { EventStep } from '../contracts/events';
import {
  endPairing,
  insertInboxRows,
  raisePairingLevel,
  recordPairingTalk,
  setPairingTeacher,
  type InboxRow,
} from '../db/repositories/care-events';
import { inTransaction } from '../db/knex';
import { appendEventAudit } from './event-audit';
import { t as texts } from '../server/platform/i18n';

/** The notification texts of the one catalogue (written in Chinese only today). */
const NOTICES = texts('zh-CN').notifications;

export interface PairingEvent extends EventStep<'teacher' | 'teacher-and-leader' | 'school'> {
  pairingId: string;
  collegeId: string;
  teacherUserId: string;
}

export function createPairingActivities(deps: { store: Store; knex: Knex }) {
  const { store, knex } = deps;
  return {
    async recordPairingEvent(e: PairingEvent): Promise<{ applied: boolean; eventKey?: string }> {
      const eventKey = `pairing.${e.pairingId}/${e.step}`;
      return withScrubbedErrors(eventKey, 'PairingStoreError', () => write(e, eventKey));
    },
  };

  async function write(e: PairingEvent, eventKey: string): Promise<{ applied: boolean; eventKey: string }> {
    let inbox: InboxRow[] = [];
    if (e.notify) {
      const college = await store.getCollege(e.collegeId);
      const users = (await store.listUsers({ schoolId: college?.schoolId ?? '' })).filter(
        (u) =>
          u.active &&
          ((e.notify === 'school' && u.role === 'school_admin') ||
            (e.notify !== 'school' && u.id === e.teacherUserId) ||
            (e.notify === 'teacher-and-leader' && u.role === 'college_leader' && u.collegeId === e.collegeId)),
      );
      const { title, body } = NOTICES.pairing.message({ action: e.action, collegeName: college?.name ?? '' });
      inbox = users.map((u) => ({
        event_key: eventKey,
        recipient_user_id: u.id,
        channel: 'inbox',
        kind: `pairing_${e.action}`,
        subject_type: 'pairing',
        subject_id: e.pairingId,
        title,
        body,
        created_at: e.at,
      }));
    }
    // the audit event and its inbox rows in one transaction
    const applied = await inTransaction(knex, async (trx) => {
      const applied = await appendEventAudit(trx, eventKey, { type: 'pairing', id: e.pairingId }, e);
      if (applied) {
        // the pairing's row: the last talk, the clock's escalation level, the end
        const level = typeof e.details?.level === 'number' ? e.details.level : 0;
        if (e.action === 'teacher-changed') await setPairingTeacher(trx, e.pairingId, e.teacherUserId);
        else if (e.action === 'talk') await recordPairingTalk(trx, e.pairingId, e.at);
        else if (e.action === 'ended')
          await endPairing(trx, e.pairingId, e.at, typeof e.details?.reason === 'string' ? e.details.reason : null);
        else if (level) await raisePairingLevel(trx, e.pairingId, level);
      }
      if (inbox.length) await insertInboxRows(trx, inbox);
      return applied;
    });
    return { applied, eventKey };
  }
}

export type PairingActivities = ReturnType<typeof createPairingActivities>;
