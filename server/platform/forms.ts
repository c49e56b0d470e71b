/**
 * The helpers of the server-rendered care forms (care, crisis and screening pages): the form's
 * body, its hidden fields, local date-times, the redirect back with `?done=1` or `?error=`, and the
 * shared cells and selects. Shared by the care, crisis and screening pages.
 */
import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import { BadRequestError, ConflictError } from './errors';
import { html, raw, type Raw } from './html';
import { text, type Catalogue } from './i18n';
import { IDEM_FIELD, idemField } from './idempotency';
import type { User } from '../../db/store';
import { queryString } from './request';

/** Refusals a form shows back on its page (the task refused the step, or a bad form); the rest stay errors. */
const shownOnForm = (e: unknown): e is BadRequestError | ConflictError =>
  e instanceof BadRequestError ||
  (e instanceof ConflictError && (e.code === 'task_rejected' || e.code === 'workflow_ended'));

/** The form's fields without the CSRF token and the idempotency key. */
export function formBody(req: Request): Record<string, unknown> {
  const { _csrf: _token, [IDEM_FIELD]: _key, ...rest } = (req.body ?? {}) as Record<string, unknown>;
  return rest;
}

/** A write form's hidden fields: the CSRF token and an idempotency key fresh on each page load (server/idempotency.ts). */
export const csrfField = (req: Request) =>
  html`<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">${idemField()}`;

/** A `datetime-local` value (or any ISO date-time without an offset) in the school's zone, as epoch ms; other values unchanged. */
export function localTime(value: unknown, zone: string): unknown {
  if (typeof value !== 'string' || !value.trim()) return value;
  const d = DateTime.fromISO(value.trim(), { zone });
  return d.isValid ? d.toMillis() : value;
}

/** For a `datetime-local` input's value. */
export const localInput = (ms: number, zone: string) =>
  DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

/**
 * Page forms: on success back to `target` with `done=1`; a rejection (409) or a bad form (400) back
 * with its reason as written. Anything else (403, 404, 500) stays an error.
 */
export async function backTo(
  res: Response,
  target: string,
  action: () => Promise<unknown>,
  anchor = '',
): Promise<void> {
  const sep = target.includes('?') ? '&' : '?';
  const hash = anchor ? `#${anchor}` : '';
  try {
    await action();
    res.redirect(303, `${target}${sep}done=1${hash}`);
  } catch (e) {
    if (shownOnForm(e)) return void res.redirect(303, `${target}${sep}error=${encodeURIComponent(e.message)}${hash}`);
    throw e;
  }
}

/** The ?error= / ?done= of a redirect back. */
export function flash(req: Request, saved: string): Raw {
  const error = queryString(req, 'error');
  return html`${error ? html`<p class="error" id="error" role="alert">${error}</p>` : ''}${queryString(req, 'done') && !error ? html`<p class="ok" id="done">✓ ${saved}</p>` : ''}`;
}

/** A select of users (name and role); `empty` adds a first "none" option. */
export function userSelect(
  req: Request,
  name: string,
  users: User[],
  opts: { required?: boolean; empty?: string; selected?: string | null } = {},
): Raw {
  const roles = text(req).ui.roleNames as Record<string, string>;
  return html`<select name="${name}"${opts.required ? raw(' required') : ''}>${opts.empty !== undefined ? html`<option value="">${opts.empty}</option>` : ''}${users.map(
    (u) =>
      html`<option value="${u.id}"${u.id === opts.selected ? raw(' selected') : ''}>${u.displayName}（${roles[u.role] ?? u.role}）</option>`,
  )}</select>`;
}

/** A student's name, number and class; with `archiveId` (for a user who may see the archive) the name links to the archive. */
export const studentCell = (
  s: { name: string; studentNo: string; className: string | null },
  archiveId?: string | null,
) =>
  html`<strong>${archiveId ? html`<a href="/archives/${encodeURIComponent(archiveId)}" class="archive-link">${s.name}</a>` : s.name}</strong><br><small>${s.studentNo}${s.className ? ` · ${s.className}` : ''}</small>`;

export const studentFields = (m: Catalogue['care']) =>
  html`<label>${m.studentNo} <input name="studentNo" required maxlength="32" pattern="[A-Za-z0-9_\\-]{1,32}"></label>
<label>${m.studentName} <input name="studentName" required maxlength="100"></label>
<label>${m.className} <input name="className" maxlength="100"></label>`;
