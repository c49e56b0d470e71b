/**
 * The one error middleware, for pages and the API (issue 13): every error a route throws ends here.
 * It maps the error once to a status and a message (AppError by its status; domain errors, multer's
 * and body-parser's by class or status; an unreachable dependency to 503), then answers JSON
 * `{ error }` under /api and /codec, and the layout's error page in the user's language otherwise.
 * A page asked for without a session is redirected to the sign-in page instead.
 */
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { errorForLog } from '../../activities/scrub';
import { CalendarError } from '../../domain/calendar';
import { DataFileError } from '../../domain/load';
import { PlanError } from '../../domain/planner';
import { requestId, routePattern, type Observability } from '../observability/http';
import { errorPage } from './error-page';
import { AppError, UnauthorizedError } from './errors';
import { html } from './html';
import { text } from './i18n';
import { page } from './layout';
import { safeNext } from './safe-next';
import { isUnreachable, RETRY_AFTER_S } from './unreachable';

const UNAVAILABLE_MESSAGE =
  'service temporarily unavailable (the database or Temporal does not answer); your data is safe, try again shortly';

/** The status and message of an error (the message is the developer's; pages add advice in both languages). */
export function classify(err: unknown, res: Response): [number, string] {
  const message = err instanceof Error ? err.message : String(err);
  if (isUnreachable(err)) return [503, UNAVAILABLE_MESSAGE];
  if (err instanceof UnauthorizedError) return [401, res.locals.sessionExpired ? 'session expired' : message];
  if (err instanceof AppError && err.status >= 400 && err.status < 500) return [err.status, message];
  // domain/ imports nothing of server/: its errors are mapped here by class
  if (err instanceof DataFileError || err instanceof PlanError || err instanceof CalendarError) return [400, message];
  if (err instanceof multer.MulterError) return [400, `upload refused: ${err.message}`];
  const status =
    (err as { status?: number; statusCode?: number })?.status ?? (err as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return [status, message];
  return [500, 'internal error'];
}

/** The 503 page: the data is safe, try again (a form sent again is applied once). */
function unavailablePage(req: Request): string {
  const u = text(req).unavailable;
  return page(req, {
    title: u.title,
    body: html`<h1 id="unavailable">${u.heading}</h1>
      <p>${u.body}</p>`,
  });
}

/** The app's last middleware. */
export function errorMiddleware(observability?: Observability) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const api = req.path.startsWith('/api/') || req.path.startsWith('/codec/');
    const [status, message] = classify(err, res);
    // a page asked for without a session: sign in, then back to it (POST /login checks it is local)
    if (status === 401 && !api)
      return void res.redirect(
        303,
        req.method === 'GET' && req.originalUrl !== '/' && safeNext(req.originalUrl)
          ? `/login?next=${encodeURIComponent(req.originalUrl)}`
          : '/login',
      );
    if (status >= 500) {
      if (observability)
        observability.logger.error(
          { reqId: requestId(res), method: req.method, route: routePattern(req, res), err: errorForLog(err) },
          'request failed',
        );
      else console.error(`web: request failed: ${req.method} ${req.path}: ${errorForLog(err)}`);
    }
    if (status === 503) {
      res.set('Retry-After', String(RETRY_AFTER_S));
      if (!api && req.accepts('html')) return void res.status(503).send(unavailablePage(req));
    }
    if (api || !req.accepts('html')) return void res.status(status).json({ error: message });
    res.status(status).send(errorPage(req, status, message));
  };
}
