/** The roll forward's preview: last year's dates next to this year's, why each moved, what needs a decision, and the form to create. */
import type { Request } from 'express';
import type { CalendarRecord } from '../../../../db/store';
import { html, type Raw } from '../../../platform/html';
import { t } from '../../../platform/i18n';
import { occurrenceLabel } from '../../../platform/views/words';
import type { RollForwardAsk, RollForwardPreview, RollRow } from '../use-cases';

const en = (req: Request) => req.lang === 'en';
const w = (req: Request, zh: string, english: string) => (en(req) ? english : zh);
export interface PreviewInput {
  ask: RollForwardAsk;
  p: RollForwardPreview;
  /** last year's semester in words */
  fromName: string;
  calRow: CalendarRecord | undefined;
}

export function rollForwardPreviewBody(req: Request, v: PreviewInput): Raw {
  const { ask, p, fromName, calRow } = v;
  const lang = req.lang ?? 'zh-CN';
  const day = (d: RollRow['old']) =>
    d
      ? html`${d.due.slice(0, 10)}<br><small>${w(req, `星期${t('zh-CN').codes.weekdays[d.weekday]}`, t('en').codes.weekdays[d.weekday]!)}</small>`
      : '—';
  const suggested = /^\d{4}-(autumn|spring)$/.test(p.to.calendarId) ? p.to.calendarId : '';
  return html`<h1>${w(req, '新旧日期对照', 'Last year next to this year')}</h1>
    <p id="summary">
      ${w(req, '去年', 'Last year')}: ${fromName}（${p.from.templateId} v${p.from.templateVersion}）→
      ${w(req, '新校历', 'new calendar')}: ${calRow?.nameZh ?? p.to.calendarId}（${p.to.templateId}
      v${p.to.templateVersion}）。
      ${w(req, `共 ${p.rows.length} 项，其中 ${p.flagged} 项需要确认。`, `${p.rows.length} rows, ${p.flagged} need a decision.`)}
    </p>
    ${
      p.adjustments.length
        ? html`<section id="holiday-rules"><h2>${w(req, '本学期缺少或合并的节假日', 'Holidays this semester lacks or has merged')}</h2><ul>${p.adjustments.map((a) => html`<li>${en(req) ? a.reason : a.reasonZh}</li>`)}</ul></section>`
        : ''
    }
    <table id="roll-forward-table">
      <thead>
        <tr>
          <th>${w(req, '任务', 'Task')}</th>
          <th>${w(req, '负责', 'Owner')}</th>
          <th>${w(req, '去年截止', 'Due last year')}</th>
          <th>${w(req, '今年截止', 'Due this year')}</th>
          <th>${w(req, '原因', 'Why')}</th>
          <th>${w(req, '需确认', 'Decide')}</th>
        </tr>
      </thead>
      <tbody>
        ${p.rows.map(
          (x) =>
            html`<tr data-task="${x.templateTaskId}" data-occurrence="${x.occurrence ?? ''}" data-why="${x.why.code}" class="${x.flags.length ? 'flagged' : ''}"><td>${en(req) ? x.title.en : x.title.zh}${x.occurrence ? html`（${occurrenceLabel(x.occurrence, lang)}）` : ''}<br><small>${x.rule}</small></td>
<td>${t(lang).codes.collegeRoles[x.ownerRole]}</td><td class="old">${day(x.old)}</td><td class="new">${day(x.new)}</td><td>${en(req) ? x.why.en : x.why.zh}</td>
<td>${x.flags.map((f) => html`<p class="error" data-flag="${f.code}"><strong>${t(lang).codes.flags[f.code]}</strong>: ${en(req) ? f.en : f.zh}</p>`)}</td></tr>`,
        )}
      </tbody>
    </table>
    <form class="card" id="confirm" method="post" action="/admin/roll-forward/create">
      <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" /><input
        type="hidden"
        name="from"
        value="${ask.from}"
      /><input type="hidden" name="calendar" value="${ask.calendarId}" /><input
        type="hidden"
        name="template"
        value="${`${p.to.templateId}@${p.to.templateVersion}`}"
      />
      <label for="id">${w(req, '新学期标识', 'New semester id')}</label
      ><input name="id" id="id" required pattern="[a-z0-9][a-z0-9-]{1,62}" value="${suggested}" />
      <p>
        <button class="btn" name="action" value="create" id="create">${w(req, '确认创建', 'Create')}</button>
        <button class="btn" name="action" value="start" id="create-start">
          ${w(req, '创建并开始', 'Create and start')}
        </button>
      </p>
    </form>`;
}
