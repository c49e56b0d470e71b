/**
 * The student reporters' gate (issue 16 part 2): a class psychology committee member or a dorm
 * information officer reaches nothing but their own reports (domain/permissions.ts
 * reporterReachRefusal). Mounted after sign-in and sign-out and before every feature's routes: their
 * home (/) takes them to their phone page, and every other page and API answers 403.
 */
import type { NextFunction, Request, Response } from 'express';
import { isStudentReporter, reporterReachRefusal } from '../../../domain/permissions';
import { ForbiddenError } from '../../platform/errors';

/** The reporter's own paths: their phone page and its API. */
export const OWN_REPORT_PATHS = /^\/(api\/)?report(\/[a-z-]+)?$/;

export function reporterGate(req: Request, res: Response, next: NextFunction): void {
  const user = req.user;
  if (!user || !isStudentReporter(user)) return next();
  if (req.method === 'GET' && req.path === '/') return void res.redirect(303, '/report');
  const refusal = reporterReachRefusal(user, OWN_REPORT_PATHS.test(req.path));
  if (refusal) throw new ForbiddenError(refusal);
  next();
}
