/** What every section of the care workspace page renders with. */
import type { Request } from 'express';
import type { Raw } from '../../../platform/html';
import type { Catalogue } from '../../../platform/i18n';
import type { SessionUser } from '../../../platform/auth/context';
import { archiveViewRefusal } from '../../../../domain/permissions';

export interface CarePageContext {
  req: Request;
  m: Catalogue['care'];
  en: boolean;
  user: SessionUser;
  collegeId: string;
  /** `?college=<id>` */
  collegeQ: string;
  /** the CSRF and idempotency fields of every form */
  csrf: Raw;
  zone: string;
  now: number;
  /** the college leader or the counselling centre */
  isLeader: boolean;
}

/** The student's id for a link to the archive (一生一档) when the user may see it there, else null. */
export const archiveIdFor = (c: Pick<CarePageContext, 'user' | 'collegeId'>, studentId: string): string | null =>
  archiveViewRefusal({ userId: c.user.id, role: c.user.role, collegeId: c.user.collegeId }, c.collegeId)
    ? null
    : studentId;
