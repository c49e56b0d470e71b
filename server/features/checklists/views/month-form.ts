/** The editor's form of a month's key-care groups (one a line; another month moves them, no line removes the month). */
import type { Request } from 'express';
import type { Template } from '../../../../domain/schema';
import { html, raw, type Raw } from '../../../platform/html';

export function monthEditForm(
  req: Request,
  t: Template,
  month: string,
  problems: string[],
  values?: { month: string; groups: string },
): Raw {
  const cur = t.months.find((m) => String(m.month) === month);
  const sel = values?.month ?? (cur ? String(cur.month) : '');
  const opt = (value: string, label: string) =>
    html`<option value="${value}"${raw(value === sel ? ' selected' : '')}>${label}</option>`;
  return html`<h1>${cur ? `${cur.month}月的重点关爱人群` : '新增月份的重点关爱人群'}</h1>
${problems.length ? html`<div class="error" id="problems"><p>未保存：</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<form class="card" id="month-form" method="post" action="/admin/checklists/${t.id}/months/${month}/edit">
<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}"><input type="hidden" name="base" value="${t.version}">
<label for="month">月份</label><select name="month" id="month">${[9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8].map((m) => opt(String(m), `${m}月`))}</select>
<label for="groups">重点关爱人群（每行一类；清空则删除这个月）</label><textarea name="groups" id="groups" rows="8">${values?.groups ?? (cur ? cur.keyCareGroups.map((g) => g.zh).join('\n') : '')}</textarea>
<p><button class="btn" id="save-month">保存为新版本</button> <a href="/admin/checklists/${t.id}/edit">取消</a></p></form>`;
}
