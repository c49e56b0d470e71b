/** The checklist pages are the school administration's. */
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '../../platform/auth/context';

export const schoolAdmin = (req: Request, _res: Response, next: NextFunction) => {
  if (!req.user) throw new UnauthorizedError('sign in first');
  if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
  next();
};
