/** The counselling centre's pages of the archive: the data requests' register and the retention settings. */
import type { Request } from 'express';
import { DateTime } from 'luxon';
import type { DataRequestListRow } from '../../../../db/repositories/archive-requests';
import { DATA_REQUEST_KINDS } from '../../../../domain/archive-requests';
import type { ArchiveSettings } from '../../../../domain/archive';
import { csrfField, flash } from '../../../platform/forms';
import { html } from '../../../platform/html';
import { text } from '../../../platform/i18n';
import { page } from '../../../platform/layout';

export function renderDataRequests(
  req: Request,
  rows: DataRequestListRow[],
  o: { zone: string; now: number; submitted?: Record<string, unknown>; problem?: string },
): string {
  const m = text(req).archiveRequests;
  const day = (ms: number | null) =>
    ms == null ? '' : DateTime.fromMillis(Number(ms), { zone: o.zone }).toFormat('yyyy-MM-dd');
  const v = (k: string) => (typeof o.submitted?.[k] === 'string' ? String(o.submitted[k]) : '');
  const today = DateTime.fromMillis(o.now, { zone: o.zone }).toISODate()!;
  const row = (r: DataRequestListRow) => {
    const late = r.status === 'open' && Number(r.due_at) < o.now;
    const answer =
      r.status === 'open'
        ? html`<form method="post" action="/admin/data-requests/${encodeURIComponent(r.id)}/answer">${csrfField(req)}<label>${m.answer} <textarea name="answer" required maxlength="2000"></textarea></label><button class="btn">${m.answerButton}</button></form>`
        : html`${r.answer ?? ''}<br><span class="muted">${m.answeredAt} ${day(r.answered_at)}</span>`;
    // the due instant is the end of the day before it: shown as that day
    return html`<tr data-status="${r.status}"><td><a href="/archives/${encodeURIComponent(r.student_id)}">${r.student_no}</a> ${r.name}</td><td>${m.kinds[r.kind] ?? r.kind}</td><td>${day(r.received_at)}</td><td>${r.request}</td><td>${day(Number(r.due_at) - 1)}</td><td>${m.statuses[r.status] ?? r.status}${late ? html` <strong class="error">${m.overdue}</strong>` : ''}</td><td>${answer}</td></tr>`;
  };
  const body = html`<h1>${m.title}</h1><p class="muted">${m.hint}</p>${flash(req, m.saved)}
${o.problem ? html`<p class="error" id="error" role="alert">${o.problem}</p>` : ''}
<form method="post" action="/admin/data-requests" class="card" id="record">${csrfField(req)}<h2>${m.record}</h2>
<label>${m.studentNo} <input name="studentNo" required maxlength="32" value="${v('studentNo')}"></label>
<label>${m.kind} <select name="kind">${DATA_REQUEST_KINDS.map((k) => html`<option value="${k}"${v('kind') === k ? html` selected` : ''}>${m.kinds[k]}</option>`)}</select></label>
<label>${m.receivedOn} <input type="date" name="receivedOn" required value="${v('receivedOn') || today}"></label>
<label>${m.request} <textarea name="request" required maxlength="2000">${v('request')}</textarea></label>
<p class="muted">${m.daysHint}</p><button class="btn">${m.record}</button></form>
${
  rows.length
    ? html`<table id="requests"><thead><tr><th>${m.studentNo}</th><th>${m.kind}</th><th>${m.receivedOn}</th><th>${m.request}</th><th>${m.due}</th><th>${m.status}</th><th>${m.answer}</th></tr></thead><tbody>${rows.map(row)}</tbody></table>`
    : html`<p class="muted">${m.none}</p>`
}`;
  return page(req, { title: m.title, body });
}

export function renderArchiveSettings(
  req: Request,
  s: ArchiveSettings,
  o: { submitted?: Record<string, unknown>; problem?: string } = {},
): string {
  const m = text(req).archiveRequests;
  const v = (k: keyof ArchiveSettings) =>
    typeof o.submitted?.[k] === 'string' ? String(o.submitted[k]) : String(s[k]);
  const body = html`<h1>${m.settingsTitle}</h1><p class="muted">${m.settingsHint}</p>${flash(req, m.saved)}
${o.problem ? html`<p class="error" id="error" role="alert">${o.problem}</p>` : ''}
<form method="post" action="/admin/archive-settings" class="card" id="settings">${csrfField(req)}
<label>${m.retentionDays} <input type="number" name="retentionDays" min="1" max="3650" required value="${v('retentionDays')}"></label>
<label>${m.dataRequestDays} <input type="number" name="dataRequestDays" min="1" max="30" required value="${v('dataRequestDays')}"></label>
<button class="btn">${m.save}</button></form>`;
  return page(req, { title: m.settingsTitle, body });
}
