/** The task table of the staff workspace and the college pages (shared by the tasks and dashboard features). */
import type { Request } from 'express';
import type { TaskInstanceRow } from '../../../db/store';
import { html } from '../html';
import { fmt } from '../request';
import { levelName, occurrenceLabel } from './words';
import { text } from '../i18n';

/** A task table; `label` gives a row's occurrence in words (views/words.ts occurrenceLabeler), else the built-in names. */
export function taskTable(
  req: Request,
  rows: TaskInstanceRow[],
  zone: string,
  label?: (row: { semesterId: string; occurrence: string | null }) => string,
) {
  const m = text(req).ui;
  const lang = req.lang ?? 'zh-CN';
  const occ = label ?? ((x: { occurrence: string | null }) => occurrenceLabel(x.occurrence, lang));
  if (!rows.length) return html`<p>${m.noTasks}</p>`;
  return html`<table class="tasks">
<thead><tr><th data-sort>${m.task}</th><th data-sort>${m.month}</th><th data-sort>${m.owner}</th><th data-sort>${m.due}</th><th data-sort>${m.status}</th><th data-sort>${m.level}</th></tr></thead>
<tbody>
${rows.map(
  (
    x,
  ) => html`<tr data-task="${x.id}"><td><a href="/tasks/${encodeURIComponent(x.id)}">${req.lang === 'en' ? x.titleEn : x.titleZh}</a>${x.occurrence ? html` <small class="occurrence">${occ(x)}</small>` : ''}</td><td>${x.month}</td><td>${m.roleNames[x.ownerRole]}</td><td data-value="${x.dueAt}">${fmt(x.dueAt, zone)}</td><td class="status-${x.status}">${m.statusNames[x.status]}${x.late ? ` (${m.late})` : ''}</td><td class="level-${x.escalationLevel}" data-value="${x.escalationLevel}">${levelName(x.escalationLevel, lang)}</td></tr>
`,
)}
</tbody></table>`;
}
