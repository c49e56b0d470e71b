/**
 * The one error family of the server (issue 13): every error a request may end with is an AppError
 * with an HTTP `status` and a stable `code` (the class name in snake case without "Error":
 * TaskRejectedError → task_rejected). server/platform/error-middleware.ts maps them once, by status,
 * to JSON for /api and to the layout's error page for pages. Domain errors (domain/ imports nothing
 * of server/) are mapped there by class.
 */

/** An error with an HTTP status; subclasses name their status (an abstract member needs no `override`). */
export abstract class AppError extends Error {
  override name = 'AppError';
  abstract readonly status: number;

  /** stable, machine-readable: the class name in snake case, without the "Error" suffix */
  get code(): string {
    return codeOf(this.name);
  }
}

/** 'TaskRejectedError' → 'task_rejected' */
export function codeOf(name: string): string {
  return name
    .replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The family's class of one HTTP status, named `name` (its `code` follows from the name); subclasses may narrow it further. */
function statusError(name: string, status: number) {
  return class extends AppError {
    override name = name;
    readonly status: number = status;
  };
}

/** 400: the request itself is malformed; the message names the problem. */
export class BadRequestError extends statusError('BadRequestError', 400) {}
/** 401: not signed in (pages redirect to /login, the API answers JSON). */
export class UnauthorizedError extends statusError('UnauthorizedError', 401) {}
/** 403: signed in, but this is not theirs. */
export class ForbiddenError extends statusError('ForbiddenError', 403) {}
/** 404: no such page or record. */
export class NotFoundError extends statusError('NotFoundError', 404) {}
/** 405: the path exists, the method does not (the Allow header lists what it has). */
export class MethodNotAllowedError extends statusError('MethodNotAllowedError', 405) {}
/** 409: refused in the state the record is in (a task already completed, a delivery already sent). */
export class ConflictError extends statusError('ConflictError', 409) {}
/** 413: a body or file over its size limit. */
export class PayloadTooLargeError extends statusError('PayloadTooLargeError', 413) {}
/** 422: well-formed, but not acceptable (an idempotency key reused with another request). */
export class UnprocessableError extends statusError('UnprocessableError', 422) {}
/** 503: a dependency (the database, Temporal) cannot be reached; nothing was lost. */
export class ServiceUnavailableError extends statusError('ServiceUnavailableError', 503) {}
