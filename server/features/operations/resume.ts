/** A stopped crisis case's steps already taken, rebuilt from its timeline so that a restart resumes them. */
import type { AuditEvent } from '../../../db/store';
import type { BranchAction, CrisisResume, SupervisionState } from '../../../contracts';

/**
 * The steps of a case already taken, from its timeline (the audit events its workflows wrote), so
 * a restarted run starts with them done. The supervision's state is rebuilt the same way.
 */
export function resumeFromTimeline(timeline: AuditEvent[], c: { situation: string; reportedAt: number }): CrisisResume {
  const r: CrisisResume = {};
  const details = (e: AuditEvent) =>
    e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
  let level: 0 | 1 | 2 = 0;
  const sup: SupervisionState = {
    guardianUserId: null,
    lastCheckInAt: c.reportedAt,
    checkIns: 0,
    missed: 0,
    schoolAlerts: 0,
    handOver: null,
  };
  for (const e of timeline) {
    switch (e.action) {
      case 'on-scene':
        r.onSceneAt = e.at;
        r.onSceneBy = e.actor;
        break;
      case 'school-notified':
        r.schoolNotifiedAt = e.at;
        break;
      case 'parents-authorised':
      case 'taken-to-hospital':
      case 'police-called':
        (r.actions ??= []).push({ action: e.action as BranchAction, at: e.at, by: e.actor });
        break;
      case 'on-scene-missed':
        level = Math.max(level, 1) as 0 | 1 | 2;
        break;
      case 'on-scene-missed-school':
      case 'school-notify-missed':
        level = 2;
        break;
      case 'guardian-assigned':
      case 'guardian-handoff':
        sup.guardianUserId = typeof details(e).to === 'string' ? (details(e).to as string) : sup.guardianUserId;
        break;
      case 'check-in':
        sup.checkIns += 1;
        sup.lastCheckInAt = Math.max(sup.lastCheckInAt, e.at);
        break;
      case 'check-in-missed':
        sup.missed += 1;
        break;
      case 'no-hand-over':
        sup.schoolAlerts += 1;
        break;
      case 'handed-over': {
        const d = details(e);
        sup.handOver = {
          receivedBy: String(d.receivedBy ?? ''),
          at: e.at,
          witnessedBy: Array.isArray(d.witnessedBy) ? d.witnessedBy.map(String) : [],
        };
        break;
      }
    }
  }
  if (level) r.escalationLevel = level;
  if (c.situation === 'self_harm_risk') r.supervision = sup;
  return r;
}
