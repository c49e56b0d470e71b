/** A semester's preview: its dated plan month by month (one college's), the holiday adjustments, the start button. */
import type { Request } from 'express';
import { byMonth } from '../../../../domain/planner';
import { html, type Raw } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import { monthLabel, semesterStatusName, titleWithOccurrence, type calendarWords } from '../../../platform/views/words';
import type { semesterPlan } from '../use-cases';
import { text } from '../../../platform/i18n';

export function semesterPlanBody(
  req: Request,
  v: Awaited<ReturnType<typeof semesterPlan>> & {
    name: string;
    zone: string;
    words: Awaited<ReturnType<typeof calendarWords>>;
  },
): Raw {
  const { semester, plan: p, colleges, adjustments, name, zone, words } = v;
  const m = text(req).ui;
  const lang = req.lang ?? 'zh-CN';
  const first = colleges[0]?.id;
  const months = [...byMonth(p.tasks.filter((x) => x.collegeId === first))];
  return html`<h1>${m.preview}: ${name}</h1>
<p>${m.status}: ${semesterStatusName(semester.status, lang)} · ${m.colleges}: ${colleges.length} · ${m.planned}: ${p.tasks.length}</p>
${adjustments.length ? html`<section id="holiday-rules"><h2>${lang === 'en' ? 'Holidays this semester lacks or has merged' : '本学期缺少或合并的节假日'}</h2><ul>${adjustments.map((a) => html`<li>${lang === 'en' ? a.title.en : a.title.zh}: ${lang === 'en' ? a.reason : a.reasonZh}</li>`)}</ul></section>` : ''}
${semester.status === 'planned' ? html`<form method="post" action="/admin/semesters/${semester.id}/start"><input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}"><button class="btn" id="start">${m.start}</button></form>` : ''}
${months.map(
  ([
    month,
    tasks,
  ]) => html`<h2>${monthLabel(month, lang)} (${tasks.length})</h2><table class="plan"><thead><tr><th>${m.task}</th><th>${m.owner}</th><th>${m.opens}</th><th>${m.due}</th></tr></thead><tbody>
${tasks.map((x) => html`<tr><td>${titleWithOccurrence(x, lang, words.holidays)}</td><td>${m.roleNames[x.ownerRole]}</td><td>${fmt(x.openAt, zone)}</td><td>${fmt(x.dueAt, zone)}</td></tr>`)}
</tbody></table>`,
)}`;
}
