/** The editor's task form (a new task, or one to edit), with the problems of a refused save. */
import type { Request } from 'express';
import { KIND_WORDS } from '../../../../domain/checklist-xlsx';
import { HOLIDAY_KIND_NAMES, TASK_KINDS, type Template, type TemplateTask } from '../../../../domain/schema';
import { html, raw, type Raw } from '../../../platform/html';
import { t as texts } from '../../../platform/i18n';
import { EDITOR_HOLIDAYS, RULE_CHOICES } from '../use-cases';

/** the editor is in Chinese */
const ZH = texts('zh-CN').codes;

export function taskEditForm(
  req: Request,
  t: Template,
  x: TemplateTask | undefined,
  taskId: string,
  problems: string[],
  values?: Record<string, unknown>,
): Raw {
  const v = (k: string, fallback: string) => (values ? String(values[k] ?? '') : fallback);
  const due = x?.due;
  const ruleNow =
    due?.type === 'in-month'
      ? due.dueDay === 'last'
        ? 'month-last'
        : 'month-day'
      : due?.type === 'in-week'
        ? due.dueDay === 'last'
          ? 'week-last'
          : 'week-day'
        : due?.type === 'weekly'
          ? due.until === 'vacation-start'
            ? 'weekly-vacation'
            : 'weekly'
          : (due?.type ?? '');
  const when = v('when', x?.month !== undefined ? `m${x.month}` : x?.week !== undefined ? `w${x.week}` : '');
  const rule = v('rule', ruleNow);
  const holidays = due?.type === 'before-holiday' ? due.holidays : [];
  const ifMissing = due?.type === 'before-holiday' ? due.ifMissing : {};
  const checked = (k: string, on: boolean) => (values ? values[k] !== undefined : on);
  const opt = (value: string, label: string, current: string) =>
    html`<option value="${value}"${raw(value === current ? ' selected' : '')}>${label}</option>`;
  const box = (name: string, on: boolean) =>
    html`<input type="checkbox" name="${name}" id="${name}"${raw(on ? ' checked' : '')}>`;
  const hname = (h: string) => (h === 'vacation' ? '假期（放假）' : (HOLIDAY_KIND_NAMES[h]?.zh ?? h));
  return html`<h1>${x ? `编辑任务：${x.title.zh}` : '新增任务'}</h1>
${problems.length ? html`<div class="error" id="problems"><p>未保存：</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<form class="card" id="task-form" method="post" action="/admin/checklists/${t.id}/tasks/${taskId}/edit">
<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}"><input type="hidden" name="base" value="${t.version}">
<label for="when">月份或周次</label><select name="when" id="when">${opt('', '（不限）', when)}${[9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8].map((m) => opt(`m${m}`, `${m}月`, when))}${Array.from({ length: 30 }, (_, i) => opt(`w${i + 1}`, `第${i + 1}周`, when))}</select>
<label for="number">任务编号</label><input name="number" id="number" inputmode="numeric" value="${v('number', x?.number !== undefined ? String(x.number) : '')}">
<label for="kind">任务类型</label><select name="kind" id="kind">${TASK_KINDS.filter((k) => k !== 'campaign-phase').map((k) => opt(k, KIND_WORDS[k], v('kind', x?.kind ?? 'once')))}</select>
<label for="titleZh">任务内容(标题)</label><input name="titleZh" id="titleZh" value="${v('titleZh', x?.title.zh ?? '')}">
<label for="titleEn">英文标题</label><input name="titleEn" id="titleEn" value="${v('titleEn', x?.title.en ?? '')}">
<label for="textZh">任务说明</label><textarea name="textZh" id="textZh" rows="4">${v('textZh', x?.textZh ?? '')}</textarea>
<label for="ownerRole">负责角色</label><select name="ownerRole" id="ownerRole">${Object.entries(ZH.collegeRoles).map(([k, w]) => opt(k, w, v('ownerRole', x?.ownerRole ?? 'counsellor')))}</select>
<fieldset><legend>截止规则</legend>
<select name="rule" id="rule">${opt('', '（请选择）', rule)}${RULE_CHOICES.map(([k, zh]) => opt(k, zh, rule))}</select>
<label for="dueDay">当月第几天（当月第N天前）</label><input name="dueDay" id="dueDay" inputmode="numeric" value="${v('dueDay', due?.type === 'in-month' && due.dueDay !== 'last' ? String(due.dueDay) : '')}">
<label for="withinDays">且开学后几天内（可空）</label><input name="withinDays" id="withinDays" inputmode="numeric" value="${v('withinDays', due?.type === 'in-month' && due.withinDaysOfSemesterStart ? String(due.withinDaysOfSemesterStart) : '')}">
<label for="weekday">周几（当周周X前）</label><select name="weekday" id="weekday">${ZH.weekdays.slice(1).map((d, i) => opt(String(i + 1), `周${d}`, v('weekday', due?.type === 'in-week' && due.dueDay !== 'last' ? String(due.dueDay) : '5')))}</select>
<label for="opensDaysBefore">提前几天开放（节前、考试周、考试周后）</label><input name="opensDaysBefore" id="opensDaysBefore" inputmode="numeric" value="${v('opensDaysBefore', due && 'opensDaysBefore' in due && due.opensDaysBefore !== undefined ? String(due.opensDaysBefore) : '7')}">
<p>节日（节前最后一个工作日）与缺少该节日时的做法：</p>
${EDITOR_HOLIDAYS.map((h) => {
  const cur = v(`ifMissing-${h}`, ifMissing[h] ?? '');
  return html`<p>${box(`holiday-${h}`, checked(`holiday-${h}`, holidays.includes(h)))} <label for="holiday-${h}" class="inline">${hname(h)}</label>
<select name="ifMissing-${h}" aria-label="缺少${hname(h)}时">${opt('', '缺少时：（不设）', cur)}${opt('skip', '缺少时：跳过', cur)}${EDITOR_HOLIDAYS.filter((o) => o !== h).map((o) => opt(`merge-into:${o}`, `缺少时：并入${hname(o)}`, cur))}</select></p>`;
})}
</fieldset>
<fieldset><legend>佐证要求</legend>
<p>${box('noteRequired', checked('noteRequired', x ? x.evidence.note === 'required' : true))} <label for="noteRequired" class="inline">须填写说明</label></p>
<label for="minFiles">至少几个文件</label><input name="minFiles" id="minFiles" inputmode="numeric" value="${v('minFiles', String(x?.evidence.minFiles ?? 0))}">
<p>${box('ledger', checked('ledger', x?.evidence.ledgerMonthlyReview ?? false))} <label for="ledger" class="inline">须更新本月干预台账</label></p>
${x?.evidence.documents.length ? html`<p>需提交的文件（保持不变，可在 xlsx 中修改）：${x.evidence.documents.map((d) => d.zh).join('、')}</p>` : ''}
</fieldset>
<p><button class="btn" id="save">保存为新版本</button> <a href="/admin/checklists/${t.id}/edit">取消</a></p></form>`;
}
