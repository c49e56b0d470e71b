/**
 * The remote codec endpoint for the Temporal Web UI (`--ui-codec-endpoint <app>/codec`):
 * POST /codec/decode and POST /codec/encode, body and answer `{ payloads: [{ metadata: { k: base64 },
 * data: base64 }] }` (the protocol of temporalio/samples-typescript `encryption/src/codec-server.ts`).
 *
 * Decoding shows student data, so:
 * - the caller needs a session (req.user, set by the app's session middleware; the UI sends the
 *   `sid` cookie when its "include cross-origin credentials" option is on) → else 401,
 *   and one of `allowedRoles` → else 403;
 * - every decode is reported to `onDecode(user, count)` (the audit log) before the answer leaves;
 *   if that fails, nothing is returned;
 * - CSRF: the UI cannot send the app's CSRF token, so this router is mounted before the CSRF
 *   middleware and checks the origin instead: a POST whose Origin is present and is neither the UI
 *   origin nor this app refuses with 403. Only JSON bodies are accepted (a cross-site HTML form
 *   cannot send one without a CORS preflight).
 * Errors are answered here as JSON (the app's error handler would redirect a 401 to /login).
 */
import express, { type Request, type Response } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from '../../domain/zod';
import type { Role } from '../../domain/schema';
import type { SessionUser } from './auth/context';
import { sameOrigin } from './auth/csrf';

export interface CodecRouterDeps {
  codec: PayloadCodec;
  allowedRoles: Role[];
  /** origin of the Temporal Web UI, e.g. http://127.0.0.1:8233 (scheme, host and port; no path) */
  uiOrigin: string;
  /** called for every successful decode, before the answer is sent (audit) */
  onDecode: (user: SessionUser, count: number) => void | Promise<void>;
}

/** The UI sends one batch per view; a whole long history can be large. */
const BODY_LIMIT = '4mb';
const MAX_PAYLOADS = 10_000;

const bodySchema = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), z.string()).nullish(),
        data: z.string().nullish(),
      }),
    )
    .max(MAX_PAYLOADS),
});
type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});

const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(data ?? []).toString('base64'),
});

export function createCodecRouter(deps: CodecRouterDeps): express.Router {
  const uiOrigin = new URL(deps.uiOrigin).origin; // normalised: no trailing slash
  const router = express.Router();
  const paths = ['/codec/encode', '/codec/decode'];

  // CORS: answer the preflight, and let the UI read the answers of its credentialed requests.
  router.use(paths, (req, res, next) => {
    if (req.get('origin') === uiOrigin) {
      res.set('Access-Control-Allow-Origin', uiOrigin);
      res.set('Access-Control-Allow-Credentials', 'true');
    }
    res.vary('Origin');
    if (req.method !== 'OPTIONS') return next();
    res.set('Access-Control-Allow-Origin', uiOrigin);
    res.set('Access-Control-Allow-Credentials', 'true');
    res.set('Access-Control-Allow-Headers', 'content-type,x-namespace');
    res.set('Access-Control-Allow-Methods', 'POST');
    res.set('Access-Control-Max-Age', '600');
    res.status(204).end();
  });

  const fail = (res: Response, status: number, error: string) => void res.status(status).json({ error });

  const handle = (op: 'encode' | 'decode') => async (req: Request, res: Response) => {
    if (req.get('origin') !== undefined && req.get('origin') !== uiOrigin && !sameOrigin(req)) {
      return fail(res, 403, 'cross-origin codec request refused');
    }
    const user = req.user;
    if (!user) return fail(res, 401, 'sign in first');
    if (!deps.allowedRoles.includes(user.role))
      return fail(res, 403, `the codec needs the role ${deps.allowedRoles.join(' or ')}`);
    if (!req.is('application/json')) return fail(res, 415, 'send application/json');
    const body = bodySchema.safeParse(req.body);
    if (!body.success) return fail(res, 400, 'expected { payloads: [{ metadata: { key: base64 }, data: base64 }] }');
    const input = body.data.payloads.map(fromJson);
    let output: Payload[];
    try {
      output = op === 'decode' ? await deps.codec.decode(input) : await deps.codec.encode(input);
    } catch (e) {
      // codec errors name a key id or the failure, never the data
      return fail(res, 400, e instanceof Error ? e.message : String(e));
    }
    if (op === 'decode') {
      try {
        await deps.onDecode(user, input.length);
      } catch (e) {
        console.error('codec: audit of a decode failed; nothing returned:', e);
        return fail(res, 500, 'audit failed; nothing decoded');
      }
    }
    res.set('Cache-Control', 'no-store');
    res.json({ payloads: output.map(toJson) });
  };

  router.post('/codec/encode', express.json({ limit: BODY_LIMIT }), handle('encode'));
  router.post('/codec/decode', express.json({ limit: BODY_LIMIT }), handle('decode'));
  return router;
}
