/** The users page of the school admin: filters, the list with edit forms, a new user, the CSV import. */
import type { Request } from 'express';
import type { College } from '../../../../db/store';
import { ROLES } from '../../../../domain/schema';
import { langOf } from '../../../platform/auth/login-page';
import { html } from '../../../platform/html';
import { fill, t as texts, type Catalogue } from '../../../platform/i18n';
import { page } from '../../../platform/layout';
import type { ImportResult, PublicUser } from '../rules';

export function usersPage(
  req: Request,
  users: PublicUser[],
  colleges: College[],
  opts: { error?: string; problems?: string[]; notice?: string; result?: ImportResult },
): string {
  const lang = langOf(req);
  const t = texts(lang).auth;
  const collegeName = new Map(colleges.map((c) => [c.id, lang === 'en' ? c.nameEn : c.name]));
  const roleLabel = (r: string) => (t[`role_${r}` as keyof Catalogue['auth']] as string | undefined) ?? r;
  const csrf = html`<input type="hidden" name="_csrf" value="${req.csrfToken}">`;
  const roleSelect = (selected: string) =>
    html`<select name="role">${ROLES.map((r) => html`<option value="${r}"${r === selected ? html` selected` : ''}>${roleLabel(r)}</option>`)}</select>`;
  const collegeSelect = (selected: string | null) =>
    html`<select name="collegeId"><option value="">${t.noCollege}</option>${colleges.map(
      (c) => html`<option value="${c.id}"${c.id === selected ? html` selected` : ''}>${collegeName.get(c.id)}</option>`,
    )}</select>`;

  // search and filters (GET ?q=&role=&college=&status=), applied to the school's accounts
  const q = typeof req.query.q === 'string' ? req.query.q.trim().toLowerCase() : '';
  const fRole = typeof req.query.role === 'string' ? req.query.role : '';
  const fCollege = typeof req.query.college === 'string' ? req.query.college : '';
  const fStatus = typeof req.query.status === 'string' ? req.query.status : '';
  const shown = users.filter(
    (u) =>
      (!q || [u.username, u.displayName, u.email ?? ''].some((x) => x.toLowerCase().includes(q))) &&
      (!fRole || u.role === fRole) &&
      (!fCollege || (fCollege === 'none' ? !u.collegeId : u.collegeId === fCollege)) &&
      (!fStatus || (fStatus === 'active') === u.active),
  );
  const opt = (value: string, label: string, selected: string) =>
    html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;
  const filters = html`<form class="card filters" method="get" action="/admin/users" id="user-filters">
<label>${t.search} <input type="search" name="q" value="${q}"></label>
<label>${t.role} <select name="role">${opt('', t.filterAll, fRole)}${ROLES.map((r) => opt(r, roleLabel(r), fRole))}</select></label>
<label>${t.college} <select name="college">${opt('', t.filterAll, fCollege)}${opt('none', t.noCollege, fCollege)}${colleges.map((c) => opt(c.id, collegeName.get(c.id) ?? c.id, fCollege))}</select></label>
<label>${t.status} <select name="status">${opt('', t.filterAll, fStatus)}${opt('active', t.active, fStatus)}${opt('inactive', t.inactive, fStatus)}</select></label>
<button type="submit" class="btn">${t.filterButton}</button></form>
<p class="muted" id="user-count">${fill(t.shownOf, { shown: shown.length, total: users.length })}</p>`;
  const rows = shown.map(
    (u) =>
      html`<tr data-user="${u.id}">
<td translate="no">${u.username}</td><td>${u.displayName}</td><td>${roleLabel(u.role)}</td><td>${u.collegeId ? (collegeName.get(u.collegeId) ?? u.collegeId) : t.noCollege}</td>
<td translate="no">${u.email ?? ''}</td><td>${u.active ? t.active : t.inactive}</td>
<td>
${u.active ? html`<a class="btn" href="/admin/users/${u.id}/deactivate">${t.deactivateAsk}</a>` : html`<form class="inline" method="post" action="/admin/users/${u.id}/activate">${csrf}<button type="submit">${t.activate}</button></form>`}
<details><summary>${t.edit}</summary>
<form method="post" action="/admin/users/${u.id}">${csrf}
<label>${t.displayName} <input name="displayName" value="${u.displayName}" required></label>
<label>${t.role} ${roleSelect(u.role)}</label>
<label>${t.college} ${collegeSelect(u.collegeId)}</label>
<label>${t.email} <input name="email" type="email" value="${u.email ?? ''}"></label>
<button type="submit">${t.save}</button></form>
<form method="post" action="/admin/users/${u.id}/password">${csrf}
<label>${t.newPassword} <input name="password" type="password" minlength="10" autocomplete="new-password" required></label>
<button type="submit">${t.resetPassword}</button></form>
</details>
</td></tr>`,
  );

  const result = opts.result;
  const body = html`<h1>${t.usersTitle}</h1>
${opts.notice ? html`<p class="ok">${opts.notice}</p>` : ''}
${opts.error ? html`<div class="error" role="alert"><p>${opts.error}</p>${opts.problems ? html`<ul>${opts.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}</div>` : ''}
${
  result
    ? html`<div class="ok"><p>${fill(t.importDone, { created: result.created, updated: result.updated })}</p>
${result.generatedPasswords.length ? html`<p>${t.generatedPasswords}</p><table><tbody>${result.generatedPasswords.map((g) => html`<tr><td>${g.username}</td><td><code>${g.password}</code></td></tr>`)}</tbody></table>` : ''}</div>`
    : ''
}
${filters}
${shown.length ? '' : html`<p id="no-match">${t.noMatch}</p>`}
<table id="users">
<thead><tr><th>${t.username}</th><th>${t.displayName}</th><th>${t.role}</th><th>${t.college}</th><th>${t.email}</th><th>${t.status}</th><th>${t.actions}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>${t.createUser}</h2>
<form class="card" method="post" action="/admin/users">${csrf}
<label>${t.username} <input name="username" required pattern="[A-Za-z0-9][A-Za-z0-9._@\\-]{1,63}"></label>
<label>${t.displayName} <input name="displayName" required></label>
<label>${t.role} ${roleSelect('counsellor')}</label>
<label>${t.college} ${collegeSelect(null)}</label>
<label>${t.email} <input name="email" type="email"></label>
<label>${t.initialPassword} <input name="password" type="password" minlength="10" autocomplete="new-password" required></label>
<p><button type="submit">${t.create}</button></p>
</form>
<h2>${t.importTitle}</h2>
<form class="card" method="post" enctype="multipart/form-data" action="/admin/users/import?_csrf=${encodeURIComponent(req.csrfToken ?? '')}">
<p class="muted">${t.importHelp}</p>
<label>${t.importFile} <input name="file" type="file" accept=".csv,text/csv" required></label>
<p><button type="submit">${t.importButton}</button></p>
</form>`;
  return page(req, { title: t.usersTitle, body });
}
