/** /admin/roll-forward: pick last year's semester, the new calendar (stored or uploaded) and the checklist version. */
import type { Request } from 'express';
import type { TemplateListRow } from '../../../../db/repositories/checklists';
import type { Semester } from '../../../../db/store';
import { html, type Raw } from '../../../platform/html';

const w = (req: Request, zh: string, english: string) => (req.lang === 'en' ? english : zh);

export function rollForwardForm(
  req: Request,
  semesters: Array<Semester & { name: string }>,
  calendars: Array<{ id: string; name_zh: string }>,
  tpls: TemplateListRow[],
): Raw {
  return html`<h1>${w(req, '沿用上学年的学期', 'Roll a semester forward')}</h1>
    <p>
      ${w(req, '选择去年的学期和新的校历：先看新旧日期对照，再确认创建。', 'Pick last year’s semester and the new calendar: see the dates side by side, then confirm.')}
    </p>
    <form
      class="card"
      id="roll-forward"
      method="post"
      enctype="multipart/form-data"
      action="/admin/roll-forward?_csrf=${req.csrfToken ?? ''}"
    >
      <label for="from">${w(req, '去年的学期', 'Last year’s semester')}</label>
      <select name="from" id="from" required>
        ${semesters.map((s) => html`<option value="${s.id}">${s.name}（${s.id}，${s.templateId} v${s.templateVersion}）</option>`)}
      </select>
      <label for="calendar">${w(req, '新的校历（已登记的）', 'New calendar (stored)')}</label>
      <select name="calendar" id="calendar">
        <option value="">${w(req, '— 上传 —', '— upload —')}</option>
        ${calendars.map((c) => html`<option value="${c.id}">${c.name_zh}（${c.id}）</option>`)}
      </select>
      <label for="calendarFile">${w(req, '或上传校历 JSON', 'or upload a calendar JSON')}</label
      ><input type="file" id="calendarFile" name="calendarFile" accept="application/json,.json" />
      <label for="template">${w(req, '工作清单', 'Checklist')}</label>
      <select name="template" id="template">
        <option value="">${w(req, '沿用去年学期的版本', 'the version last year’s semester used')}</option>
        ${tpls.map((t) => html`<option value="${t.id}@${t.version}">${t.title_zh}（${t.id} v${t.version}）</option>`)}
      </select>
      <p><button class="btn" id="preview">${w(req, '查看对照', 'Compare')}</button></p>
    </form>`;
}
