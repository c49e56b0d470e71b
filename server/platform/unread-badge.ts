/** The inbox badge of the navigation: the signed-in user's unread count, for pages only. */
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { countUnread } from '../../db/repositories/inbox';

/**
 * Counts the signed-in user's unread inbox entries for the navigation's badge: one COUNT query
 * (over the notifications index on recipient and read_at) per page request, none for the JSON API.
 */
export function unreadBadge(knex: Knex): (req: Request, res: Response, next: NextFunction) => void {
  return (req, _res, next) => {
    if (!req.user || (req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/api/')) return next();
    const userId = req.user.id;
    countUnread(knex, userId).then(
      (n) => {
        req.unreadCount = n;
        next();
      },
      // the badge is a convenience: the page is served without it rather than failing
      () => next(),
    );
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    /** the signed-in user's unread inbox entries (unreadBadge), for the navigation's badge */
    unreadCount?: number;
  }
}
