/**
 * Idempotency keys of client writes (issue 15): the `Idempotency-Key` header of API clients, or
 * the hidden `_idem` field that every write form carries (a random value per page load).
 *
 * Keys are scoped per user. The first request with a key records its fingerprint (method, path
 * and body); once it succeeds its response (status and JSON body) is stored, and a retry with the
 * same key gets that response back without running again. A key sent again with another request
 * answers 422. Keys are kept 24 h.
 *
 * What runs behind a key gets a stable id derived from the user and the key (`IdemContext.id`):
 * an Update uses it as its update id (Temporal answers a repeated update id with the first
 * result), a crisis report as its case id (so its workflow id). A retry after a crash between the
 * work and the stored response therefore runs the Update again and gets the first result.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { Knex } from 'knex';
import { BadRequestError, currentUser } from './auth/context';
import {
  claimIdemKey,
  deleteIdemKeysBefore,
  findIdemKey,
  reclaimIdemKey,
  releaseIdemKey,
  saveIdemResponse,
} from '../../db/repositories/idempotency';
import { html } from './html';
import { AppError } from './errors';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** the hidden form field */
export const IDEM_FIELD = '_idem';
/** how long a key and its stored response are kept */
export const IDEM_TTL_MS = 24 * 60 * 60_000;
/** a request still running under a key: a retry waits this long for its response, then runs itself */
const IN_FLIGHT_WAIT_MS = 10_000;
const KEY_RE = /^[\x21-\x7e]{1,200}$/;

/** 422: the key was used before with another request. */
export class IdempotencyKeyReusedError extends AppError {
  override name = 'IdempotencyKeyReusedError';
  readonly status = 422;
}

export interface IdemContext {
  /** stable per user and key: an Update's update id, a crisis report's case id seed */
  id: string;
}

/** A fresh value for a form's hidden `_idem` field (one per page load). */
export const newFormKey = (): string => randomBytes(16).toString('base64url');

/** The request's idempotency key (header first, then the form field); undefined without one, 400 when malformed. */
export function idemKeyOf(req: Request): string | undefined {
  const header = req.get(IDEMPOTENCY_HEADER);
  const field = (req.body as Record<string, unknown> | undefined)?.[IDEM_FIELD];
  const key = header ?? (typeof field === 'string' ? field : undefined);
  if (key === undefined || key === '') return undefined;
  if (!KEY_RE.test(key)) throw new BadRequestError(`${IDEMPOTENCY_HEADER} must be 1 to 200 visible ASCII characters`);
  return key;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** method, path and body (without the CSRF token and the key), plus uploaded files' names and sizes */
function fingerprintOf(req: Request): string {
  const { _csrf: _c, [IDEM_FIELD]: _i, ...body } = ((req.body ?? {}) as Record<string, unknown>) ?? {};
  const files = ((req as unknown as { files?: unknown }).files ?? []) as unknown;
  const fileList = (Array.isArray(files) ? files : Object.values(files as Record<string, unknown[]>).flat()) as Array<{
    fieldname?: string;
    originalname?: string;
    size?: number;
  }>;
  const filePart = fileList.map((f) => [f.fieldname, f.originalname, f.size]);
  return createHash('sha256')
    .update(JSON.stringify([req.method, req.path, canonical(body), filePart]))
    .digest('hex');
}

/** The id derived from a user and a key (hex). */
export const derivedId = (userId: string, key: string) =>
  createHash('sha256').update(`${userId}\0${key}`).digest('hex');

/** A UUID-shaped id from a derived id (the crisis report's case id). */
export function uuidFrom(hex: string): string {
  const h = hex.slice(0, 32).split('');
  h[12] = '8'; // version 8: custom
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `run` once per user and idempotency key; without a key it simply runs. Returns the status
 * and body of the first successful run. A failed run leaves no record (a retry runs again).
 */
export async function once<T>(
  knex: Knex,
  req: Request,
  status: number,
  run: (idem: IdemContext | undefined) => Promise<T>,
): Promise<{ status: number; body: T }> {
  const key = idemKeyOf(req);
  if (!key) return { status, body: await run(undefined) };
  const user = currentUser(req);
  const fingerprint = fingerprintOf(req);
  const now = Date.now();
  const where = { user_id: user.id, key };
  await deleteIdemKeysBefore(knex, now - IDEM_TTL_MS);
  if (!(await claimIdemKey(knex, where, fingerprint, now))) {
    const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
    for (;;) {
      const row = await findIdemKey(knex, where);
      if (!row) return once(knex, req, status, run); // the first run failed meanwhile: run now
      if (row.fingerprint !== fingerprint) {
        throw new IdempotencyKeyReusedError(
          `this ${IDEMPOTENCY_HEADER} was already used for another request (${req.method} with another path or body); use a new key for a new request`,
        );
      }
      if (row.status !== null) return { status: Number(row.status), body: JSON.parse(row.body ?? 'null') as T };
      // the first request is still running, or its process died before it answered
      if (Date.now() >= deadline || Number(row.claimed_at) < now - IN_FLIGHT_WAIT_MS) break;
      await sleep(100);
    }
    await reclaimIdemKey(knex, where, Date.now());
  }
  const idem: IdemContext = { id: derivedId(user.id, key) };
  let body: T;
  try {
    body = await run(idem);
  } catch (e) {
    await releaseIdemKey(knex, where).catch(() => undefined);
    throw e;
  }
  await saveIdemResponse(knex, where, status, JSON.stringify(body ?? null));
  return { status, body };
}

/** The hidden `_idem` field of a write form, with a fresh key (render it once per page load). */
export const idemField = () => html`<input type="hidden" name="${IDEM_FIELD}" value="${newFormKey()}">`;
