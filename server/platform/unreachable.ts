/** "A dependency is unreachable" (answered 503 with Retry-After by the error middleware). */
import { ServiceUnavailableError } from './errors';

/** seconds a client should wait before trying again after a 503 */
export const RETRY_AFTER_S = 30;

const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);
// PostgreSQL: connection exceptions (08…), the server shutting down or starting (57P01–57P03)
const PG_CODES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03']);
const SQLITE_CODES = new Set(['SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_BUSY', 'SQLITE_NOTADB']);
const UNREACHABLE_RE =
  /Timeout acquiring a connection|Unable to acquire a connection|Connection terminated|Client has encountered a connection error|database is not open|Failed to connect before the deadline|No connection established|14 UNAVAILABLE|4 DEADLINE_EXCEEDED/i;

/**
 * Is this error "a dependency is unreachable"? The one place that decides it: connection refused,
 * reset or timed out from knex (pg, sqlite) and from the Temporal client (gRPC UNAVAILABLE or
 * DEADLINE_EXCEEDED), looked for along the error's cause chain.
 */
export function isUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ServiceUnavailableError) return true;
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (NET_CODES.has(code) || PG_CODES.has(code) || SQLITE_CODES.has(code))) return true;
    // gRPC status codes on the Temporal client's errors (ServiceError's cause): 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED
    if (typeof code === 'number' && (code === 14 || code === 4) && ('metadata' in e || 'details' in e)) return true;
    if (name === 'KnexTimeoutError') return true;
    if (typeof message === 'string' && UNREACHABLE_RE.test(message)) return true;
  }
  return false;
}
