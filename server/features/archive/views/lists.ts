/** The archives list (search by student number) and the counselling centre's archive audit log. */
import type { Request } from 'express';
import { DateTime } from 'luxon';
import { html } from '../../../platform/html';
import { page } from '../../../platform/layout';
import { text } from '../../../platform/i18n';

export function renderArchiveList(
  req: Request,
  rows: Array<{ id: string; studentNo: string; name: string; className: string | null }>,
  studentNo: string,
): string {
  const m = text(req).archive;
  const body = html`<h1>${m.listTitle}</h1><p class="muted">${m.listHint}</p>
<form method="get" action="/archives"><label>${m.search} <input name="studentNo" maxlength="32" value="${studentNo}"></label> <button>${m.filter}</button></form>
${
  rows.length
    ? html`<table id="archives"><thead><tr><th>${m.identity.studentNo}</th><th>${m.identity.name}</th><th>${m.identity.className}</th></tr></thead><tbody>${rows.map(
        (r) =>
          html`<tr><td><a href="/archives/${r.id}">${r.studentNo}</a></td><td>${r.name}</td><td>${r.className ?? ''}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">${m.noArchives}</p>`
}`;
  return page(req, { title: m.listTitle, body });
}

export function renderArchiveAudit(
  req: Request,
  events: Array<{ subjectId: string; action: string; actor: string; actorName: string; at: number }>,
  filter: Record<string, string>,
  zone: string,
): string {
  const m = text(req).archive;
  const v = (k: string) => filter[k] ?? '';
  const body = html`<h1>${m.auditTitle}</h1><p class="muted">${m.auditHint}</p>
<form method="get" action="/admin/archive-audit" class="card">
<label>${m.archive} <input name="studentId" value="${v('studentId')}"></label>
<label>${m.actor} <input name="actor" value="${v('actor')}"></label>
<label>${m.action} <select name="action"><option value="">—</option>${Object.entries(m.actions).map(
    ([k, label]) => html`<option value="${k}"${v('action') === k ? html` selected` : ''}>${label}</option>`,
  )}</select></label>
<label>${m.from} <input type="date" name="from" value="${v('from')}"></label>
<label>${m.to} <input type="date" name="to" value="${v('to')}"></label>
<button>${m.filter}</button></form>
${
  events.length
    ? html`<table id="audit"><thead><tr><th>${m.when}</th><th>${m.actor}</th><th>${m.action}</th><th>${m.archive}</th></tr></thead><tbody>${events.map(
        (e) =>
          html`<tr><td>${DateTime.fromMillis(e.at, { zone }).toFormat('yyyy-MM-dd HH:mm:ss')}</td><td>${e.actorName}</td><td>${m.actions[e.action] ?? e.action}</td><td><a href="/admin/archive-audit?studentId=${encodeURIComponent(e.subjectId)}">${e.subjectId}</a></td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">${m.noEntries}</p>`
}`;
  return page(req, { title: m.auditTitle, body });
}
