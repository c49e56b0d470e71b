/** What every section of the care workspace page renders with. */
import type { Request } from 'express';
import type { Raw } from '../../../platform/html';
import type { Catalogue } from '../../../platform/i18n';
import type { SessionUser } from '../../../platform/auth/context';

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
