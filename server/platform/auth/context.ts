/**
 * The request's identity and the access rules every route applies. Set by the session middleware
 * (server/auth/sessions.ts); read by every router. Scoping rule: a school admin sees every college
 * of the school; everyone else sees only their own college.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Role } from '../../../domain/schema';
import type { Lang } from '../i18n';
import { ForbiddenError, UnauthorizedError } from '../errors';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  collegeId: string | null;
  schoolId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** the signed-in user, if any */
    user?: SessionUser;
    /** the CSRF token of this session (render it into every form as `_csrf`) */
    csrfToken?: string;
    /** the UI language of this request */
    lang: Lang;
  }
}

// 401, 403 and 400: the AppError family (server/platform/errors.ts)
export { BadRequestError, ForbiddenError, UnauthorizedError } from '../errors';

export function currentUser(req: Request): SessionUser {
  if (!req.user) throw new UnauthorizedError('sign in first');
  return req.user;
}

/** Middleware: only these roles pass (401 when signed out, 403 otherwise). */
export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const user = currentUser(req);
    if (!roles.includes(user.role)) throw new ForbiddenError(`this needs the role ${roles.join(' or ')}`);
    next();
  };
}

export const requireUser = (req: Request, _res: Response, next: NextFunction) => {
  currentUser(req);
  next();
};

export function canSeeCollege(user: SessionUser, collegeId: string): boolean {
  return user.role === 'school_admin' || user.collegeId === collegeId;
}

/** Throws 403 unless the user may see (and act within) this college. */
export function assertCollege(user: SessionUser, collegeId: string): void {
  if (!canSeeCollege(user, collegeId)) throw new ForbiddenError('this belongs to another college');
}

/** Who may see and act on students (care and crisis parts): a college's care staff and the counselling centre. */
export const CARE_ROLES: readonly Role[] = [
  'school_admin',
  'college_leader',
  'psych_counsellor',
  'counsellor',
  'class_teacher',
];

/** Throws 403 unless the user is care staff (every role is today; the rule stays in one place). */
export function requireCareRole(user: SessionUser): void {
  if (!CARE_ROLES.includes(user.role)) throw new ForbiddenError('this is for care staff');
}

/** Throws 403 unless the user is care staff of this college or the counselling centre (school admin). */
export function assertCareOf(user: SessionUser, collegeId: string, subject = 'this'): void {
  requireCareRole(user);
  if (user.role !== 'school_admin' && user.collegeId !== collegeId)
    throw new ForbiddenError(`${subject} belongs to another college`);
}

export const isLeader = (user: SessionUser) => user.role === 'school_admin' || user.role === 'college_leader';

/** Middleware: a school admin signed in by session (the ops bearer token is not enough), else 401 / 403. */
export function schoolAdminSession(req: import('express').Request, _res: unknown, next: () => void): void {
  if (!req.user) throw new UnauthorizedError('sign in first');
  if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
  next();
}
