/**
 * Per request: an id (the caller's X-Request-Id when it is a plain token, else a new UUID),
 * echoed as X-Request-Id; when the response ends, one log line and one latency observation, both
 * by route pattern (`/api/tasks/:id`), never the raw URL.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from './log';
import type { WebMetrics } from './metrics';

export interface Observability {
  logger: Logger;
  metrics?: WebMetrics;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

/** The pattern of the route that answered, or a fixed label (no raw path reaches a label or a log). */
export function routePattern(req: Request, res: Response): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  if (req.originalUrl.startsWith('/assets/')) return '/assets/*';
  return res.statusCode === 404 ? '(unmatched)' : '(no route)';
}

export function requestId(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

export function observeRequests(o: Observability): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    const id = given && REQUEST_ID_RE.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routePattern(req, res);
      o.metrics?.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      const line = {
        reqId: id,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 10_000) / 10,
        user: req.user?.id,
      };
      if (res.statusCode >= 500) o.logger.error(line, 'request');
      else o.logger.info(line, 'request');
    });
    next();
  };
}
