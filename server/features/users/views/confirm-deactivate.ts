/** Deactivation asks first: who, and how many open tasks their role still has in the college. */
import type { Request } from 'express';
import { langOf } from '../../../platform/auth/login-page';
import { html } from '../../../platform/html';
import { fill, t as texts } from '../../../platform/i18n';
import { page } from '../../../platform/layout';
import type { PublicUser } from '../rules';

export function confirmDeactivatePage(req: Request, target: PublicUser, open: number): string {
  const t = texts(langOf(req)).auth;
  const body = html`<h1>${t.confirmTitle}</h1>
<div class="card" id="confirm-deactivate"><p>${fill(t.confirmText, { name: target.displayName, username: target.username })}</p>
${open ? html`<p class="error">${fill(t.confirmOpenTasks, { n: open })}</p>` : ''}
<form method="post" action="/admin/users/${target.id}/deactivate"><input type="hidden" name="_csrf" value="${req.csrfToken}"><p class="actions"><button type="submit" class="btn danger">${t.confirmButton}</button> <a class="btn secondary" href="/admin/users">${t.cancel}</a></p></form></div>`;
  return page(req, { title: t.confirmTitle, body });
}
