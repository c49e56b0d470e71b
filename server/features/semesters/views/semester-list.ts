/** /admin/semesters: the school's semesters and the form to create one (stored or uploaded template and calendar). */
import type { Request } from 'express';
import type { TemplateListRow } from '../../../../db/repositories/checklists';
import type { Semester } from '../../../../db/store';
import { html, type Raw } from '../../../platform/html';
import { semesterStatusName } from '../../../platform/views/words';
import { text } from '../../../platform/i18n';

export function semesterListBody(
  req: Request,
  semesters: Array<Semester & { name: string }>,
  templates: TemplateListRow[],
  calendars: Array<{ id: string; name_zh: string }>,
): Raw {
  const m = text(req).ui;
  const lang = req.lang ?? 'zh-CN';
  const csrf = req.csrfToken ?? '';
  return html`<h1>${m.navSemesters}</h1>
<p id="semester-tools"><a href="/admin/roll-forward">${lang === 'en' ? 'Roll last year’s semester forward' : '沿用上学年的学期'}</a> · <a href="/admin/checklists">${lang === 'en' ? 'Checklists (xlsx)' : '工作清单（xlsx 导入导出）'}</a></p>
<table id="semesters"><thead><tr><th>${m.semesterId}</th><th>${m.template}</th><th>${m.calendar}</th><th>${m.status}</th></tr></thead><tbody>
${semesters.map((s) => html`<tr><td><a href="/admin/semesters/${s.id}">${s.name}</a><br><small translate="no">${s.id}</small></td><td>${templates.find((x: { id: string; version: number }) => x.id === s.templateId && x.version === s.templateVersion)?.title_zh ?? ''}<br><small translate="no">${s.templateId} v${s.templateVersion}</small></td><td>${calendars.find((x: { id: string }) => x.id === s.calendarId)?.name_zh ?? ''}<br><small translate="no">${s.calendarId}</small></td><td class="semester-${s.status}">${semesterStatusName(s.status, lang)}</td></tr>`)}
</tbody></table>
<form class="card" method="post" enctype="multipart/form-data" action="/admin/semesters?_csrf=${csrf}">
<h2>${m.create}</h2>
<label>${m.semesterId}</label><input name="id" required pattern="[a-z0-9][a-z0-9-]{1,62}" placeholder="2025-spring">
<label>${m.template} (${m.uploadOr})</label><input type="file" name="templateFile" accept="application/json,.json">
<select name="templateId">${templates.map((x: { id: string; version: number; title_zh: string }) => html`<option value="${x.id}">${x.title_zh} (${x.id} v${x.version})</option>`)}</select>
<label>${m.calendar} (${m.uploadOr})</label><input type="file" name="calendarFile" accept="application/json,.json">
<select name="calendarId">${calendars.map((x: { id: string; name_zh: string }) => html`<option value="${x.id}">${x.name_zh} (${x.id})</option>`)}</select>
<p><button class="btn">${m.create}</button></p></form>`;
}
