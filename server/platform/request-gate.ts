/**
 * What is refused before any body is read or any router runs: a method never served (TRACE,
 * CONNECT: 405), a state-changing method the path does not have (405 with Allow) or an unknown path
 * (404), and a state-changing request without a session (401; except sign-in and sign-out, and the
 * ops bearer token, which its route checks). unknownRoute answers 405 or 404 after every router.
 */
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { MethodNotAllowedError, NotFoundError, UnauthorizedError } from './errors';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** TRACE echoes the request (cookies included) and CONNECT tunnels: never served. */
const NEVER_ALLOWED = new Set(['TRACE', 'TRACK', 'CONNECT']);
/** state-changing routes that need no session */
const PUBLIC_UNSAFE = new Set(['POST /login', 'POST /api/session', 'POST /logout', 'DELETE /api/session']);
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface RouterLayer {
  slash?: boolean;
  matchers?: Array<(path: string) => false | { path: string }>;
  route?: { methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

function collectMethods(stack: RouterLayer[], p: string, out: Set<string>): void {
  for (const layer of stack) {
    let prefix: string | undefined;
    if (layer.slash) prefix = '';
    else {
      for (const m of layer.matchers ?? []) {
        const hit = m(p);
        if (hit) {
          prefix = hit.path;
          break;
        }
      }
    }
    if (prefix === undefined) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods))
        if (on && method !== '_all') out.add(method.toUpperCase());
      if (out.has('GET')) out.add('HEAD');
    } else if (layer.handle?.stack) collectMethods(layer.handle.stack, p.slice(prefix.length) || '/', out);
  }
}

/** The methods the app's routes have for this path (empty: an unknown path). */
function routeMethods(app: express.Express, p: string): Set<string> {
  const out = new Set<string>();
  try {
    collectMethods((app as unknown as { router: { stack: RouterLayer[] } }).router?.stack ?? [], p, out);
  } catch {
    // an unexpected router shape: no 405, the usual 404
  }
  return out;
}

function methodNotAllowed(app: express.Express, req: Request, res: Response): MethodNotAllowedError {
  const methods = [...routeMethods(app, req.path)].sort(
    (a, b) => (METHOD_ORDER.indexOf(a) + 1 || 99) - (METHOD_ORDER.indexOf(b) + 1 || 99),
  );
  if (methods.length) res.set('Allow', methods.join(', '));
  return new MethodNotAllowedError(`method ${req.method} not allowed on ${req.path}`);
}

export function requestGate(app: express.Express) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (NEVER_ALLOWED.has(req.method)) return next(methodNotAllowed(app, req, res));
    if (!UNSAFE.has(req.method)) return next();
    const methods = routeMethods(app, req.path);
    if (!methods.has(req.method))
      return next(
        methods.size ? methodNotAllowed(app, req, res) : new NotFoundError(`no page ${req.method} ${req.path}`),
      );
    if (req.user || PUBLIC_UNSAFE.has(`${req.method} ${req.path}`)) return next();
    if (req.path.startsWith('/api/') && /^Bearer /.test(req.get('authorization') ?? '')) return next(); // checked by the route
    next(new UnauthorizedError('sign in first'));
  };
}

export function unknownRoute(app: express.Express) {
  return (req: Request, res: Response, next: NextFunction): void =>
    next(
      routeMethods(app, req.path).size
        ? methodNotAllowed(app, req, res)
        : new NotFoundError(`no page ${req.method} ${req.path}`),
    );
}
