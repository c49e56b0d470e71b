/**
 * The reporter's phone page (心理委员周报): "一切正常" is one tap; a concern names a classmate of the
 * unit, a category and what was noticed. Below, their own reminders and the reports they filed (theirs only).
 */
import type { Request } from 'express';
import { CONCERN_CATEGORIES } from '../../../../domain/units';
import { formatLocal } from '../../../../domain/local-time';
import { csrfField } from '../../../platform/forms';
import { html, type Raw } from '../../../platform/html';
import { text } from '../../../platform/i18n';
import type { ReporterHome } from '../use-cases';

export function reportPage(req: Request, home: ReporterHome, zone: string, flash: string | null): Raw {
  const m = text(req).units;
  if (!home.unit) return html`<h1>${m.reportTitle}</h1><p>${m.noUnit}</p>`;
  const unitLine = html`<p class="muted" id="unit">${home.unit.kind === 'class' ? m.unitClass : m.unitDorm} ${home.unit.name}</p>`;
  const week = home.week;
  const notice = flash ? html`<p class="notice" role="status" id="filed">${flash}</p>` : '';
  const forms = week
    ? html`<p id="week">${m.weekOf(week.week_no)} · ${m.dueAt} ${formatLocal(week.due_at, zone)}</p>
${home.filedThisWeek ? html`<p class="notice" id="filed-this-week">${m.filedThisWeek}</p>` : ''}
<form method="post" action="/report/nothing-unusual" class="report-ok">${csrfField(req)}
<button class="btn big" id="nothing-unusual" type="submit">${m.nothingUnusual}</button>
<small class="muted">${m.nothingUnusualHint}</small></form>
<details class="card" id="concern"><summary>${m.concernOpen}</summary>
<form method="post" action="/report/concern">${csrfField(req)}
<label>${m.student} <select name="studentId" required><option value="">${m.chooseStudent}</option>${home.classmates.map((s) => html`<option value="${s.id}">${s.name}</option>`)}</select></label>
<label>${m.category} <select name="category" required>${CONCERN_CATEGORIES.map((c) => html`<option value="${c}">${m.categories[c] ?? c}</option>`)}</select></label>
<label>${m.note} <textarea name="note" rows="4" maxlength="1000" required></textarea></label>
<button class="btn" type="submit">${m.submit}</button></form></details>`
    : html`<p>${m.noWeek}</p>`;
  const mine = home.reports.length
    ? html`<ul id="my-reports">${home.reports.map(
        (r) =>
          html`<li>${formatLocal(r.filedAt, zone)} · ${r.kind === 'concern' ? html`${m.kindConcern}: ${r.studentName ?? ''} (${m.categories[r.category ?? ''] ?? r.category})` : m.kindNothing}</li>`,
      )}</ul>`
    : html`<p class="muted">${m.noReports}</p>`;
  const notices = home.notices.length
    ? html`<h2>${m.myNotices}</h2><ul id="my-notices">${home.notices.map((n) => html`<li>${formatLocal(n.at, zone)} · <strong>${n.title}</strong> ${n.body}</li>`)}</ul>`
    : '';
  return html`<h1>${m.reportTitle}</h1>${unitLine}${notice}${forms}${notices}<h2>${m.myReports}</h2>${mine}`;
}
