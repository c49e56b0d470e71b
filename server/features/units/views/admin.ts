/** The school admin's roster page: the import (xlsx or CSV), the units, starting the weekly reports, the response deadline. */
import type { Request } from 'express';
import type { College, Semester } from '../../../../db/store';
import { csrfField } from '../../../platform/forms';
import { html, type Raw } from '../../../platform/html';
import { text } from '../../../platform/i18n';
import type { UnitListing } from '../use-cases';

export interface AdminPageOpts {
  notice?: string;
  error?: string;
  problems?: string[];
}

export function rosterPage(
  req: Request,
  data: { units: UnitListing[]; colleges: College[]; semesters: Semester[]; respondHours: number },
  opts: AdminPageOpts,
): Raw {
  const m = text(req).units;
  const collegeName = new Map(data.colleges.map((c) => [c.id, c.name]));
  const problems = opts.problems?.length
    ? html`<ul class="problems" id="problems">${opts.problems.map((p) => html`<li>${p}</li>`)}</ul>`
    : '';
  return html`<h1>${m.rosterTitle}</h1>
${opts.notice ? html`<p class="notice" role="status" id="notice">${opts.notice}</p>` : ''}
${opts.error ? html`<div class="error" role="alert" id="error"><p>${opts.error}</p>${problems}</div>` : ''}
<form method="post" action="/admin/units/import" enctype="multipart/form-data" class="card">${csrfField(req)}
<label>${m.rosterImport} <input type="file" name="file" accept=".xlsx,.csv" required></label>
<p class="muted">${m.rosterHelp}</p><button class="btn">${m.submit}</button></form>
<form method="post" action="/admin/units/start" class="card">${csrfField(req)}
<label>${m.startReports} <select name="semesterId">${data.semesters.map((s) => html`<option value="${s.id}">${s.id}</option>`)}</select></label>
<button class="btn">${m.submit}</button></form>
<form method="post" action="/admin/units/settings" class="card">${csrfField(req)}
<label>${m.respondBy} (h) <input type="number" name="concernRespondHours" min="1" max="168" value="${data.respondHours}"></label>
<button class="btn">${m.submit}</button></form>
${
  data.units.length
    ? html`<table id="units"><thead><tr><th>${m.kind}</th><th>${m.code}</th><th>${m.name}</th><th>${m.college}</th><th>${m.students}</th><th>${m.reporters}</th></tr></thead><tbody>${data.units.map(
        (u) =>
          html`<tr><td>${u.kind === 'class' ? m.unitClass : m.unitDorm}</td><td>${u.code}</td><td>${u.name}</td><td>${collegeName.get(u.collegeId) ?? u.collegeId}</td><td>${u.students}</td><td>${u.reporters}</td></tr>`,
      )}</tbody></table>`
    : html`<p>${m.noUnits}</p>`
}`;
}
