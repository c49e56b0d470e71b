/** The semester pages and API are the school administration's. */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { ForbiddenError, UnauthorizedError } from '../../platform/auth/context';

export const schoolAdmin = (req: Request, _res: Response, next: NextFunction) => {
  if (!req.user) throw new UnauthorizedError('sign in first');
  if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
  next();
};

/** school admin by session, or (API only) the ops bearer token (ADMIN_API_TOKEN) for automation */
export const schoolAdminOrToken =
  (deps: AppDeps) =>
  (req: Request, _res: Response, next: NextFunction): void => {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (bearer !== undefined && req.path.startsWith('/api/')) {
      const want = Buffer.from(deps.adminApiToken ?? '');
      const given = Buffer.from(bearer);
      if (!deps.adminApiToken || given.length !== want.length || !timingSafeEqual(given, want))
        throw new UnauthorizedError('missing or wrong bearer token');
      return next();
    }
    schoolAdmin(req, _res, next);
  };
