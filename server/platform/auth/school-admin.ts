/** The school administration's routes: by session, or (JSON API only) the ops bearer token for automation. */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from '../deps';
import { schoolAdminSession, UnauthorizedError } from './context';

/** A school admin signed in by session. */
export const schoolAdmin = schoolAdminSession;

/** school admin by session, or (API only) the ops bearer token (ADMIN_API_TOKEN) for automation */
export const schoolAdminOrToken =
  (deps: AppDeps) =>
  (req: Request, res: Response, next: NextFunction): void => {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (bearer !== undefined && req.path.startsWith('/api/')) {
      const want = Buffer.from(deps.adminApiToken ?? '');
      const given = Buffer.from(bearer);
      if (!deps.adminApiToken || given.length !== want.length || !timingSafeEqual(given, want))
        throw new UnauthorizedError('missing or wrong bearer token');
      return next();
    }
    schoolAdminSession(req, res, next);
  };
