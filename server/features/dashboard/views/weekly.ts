/** The weekly report for the school leadership meeting: a printable page. */
import type { Request } from 'express';
import type { SessionUser } from '../../../platform/auth/context';
import { html, type Raw } from '../../../platform/html';
import { text } from '../../../platform/i18n';
import { fmt } from '../../../platform/request';
import { levelName } from '../../../platform/views/words';
import { closed, pctText, type weeklyReport } from '../use-cases';

export interface WeeklyInput {
  user: SessionUser;
  title: string;
  semName: string;
  zone: string;
  nowMs: number;
  report: Awaited<ReturnType<typeof weeklyReport>>;
  label: (row: { semesterId: string; occurrence: string | null }) => string;
}

export function weeklyBody(req: Request, v: WeeklyInput): Raw {
  const { user, title, semName, zone, nowMs, label } = v;
  const { ranked, week, overdueNow, totals, names } = v.report;
  const m = text(req).ui;
  const w = text(req).overview;
  const lang = req.lang ?? 'zh-CN';
  return html`<article class="report" id="weekly-report">
<h1>${title}</h1>
<p>${m.semester}：${semName} · ${w.generated} ${fmt(nowMs, zone)} · <button type="button" class="btn" data-print>${w.print}</button></p>
<h2>${w.summary}</h2>
<ul><li>${user.role === 'school_admin' ? w.schoolRate : w.collegeRate}：<strong>${pctText(totals)}</strong></li>
<li>${w.dueThisWeek}：${week.length}，${w.doneThisWeek} ${week.filter((x) => x.status === 'completed').length}，${m.overdue} ${week.filter((x) => !closed(x)).length}</li>
<li>${m.overdue}：${overdueNow.length}，${w.atSchool} ${overdueNow.filter((x) => x.escalationLevel >= 2).length}</li></ul>
<h2>${w.rankingTable}</h2>
<table><thead><tr><th>${w.rank}</th><th>${m.college}</th><th>${m.percent}</th><th>${m.overdue}</th><th>${m.escalated}</th></tr></thead><tbody>
${ranked.map((c, i) => html`<tr><td>${i + 1}</td><td>${c.name}</td><td>${pctText(c.all)}</td><td>${c.all.overdue}</td><td>${c.all.escalated}</td></tr>`)}
</tbody></table>
<h2>${w.overdueList}</h2>
${
  overdueNow.length
    ? html`<table><thead><tr><th>${m.college}</th><th>${m.task}</th><th>${m.due}</th><th>${m.owner}</th><th>${m.level}</th></tr></thead><tbody>
${overdueNow.slice(0, 100).map((x) => html`<tr><td>${names.get(x.collegeId) ?? x.collegeId}</td><td>${lang === 'en' ? x.titleEn : x.titleZh}${x.occurrence ? `（${label(x)}）` : ''}</td><td>${fmt(x.dueAt, zone)}</td><td>${m.roleNames[x.ownerRole]}</td><td>${levelName(x.escalationLevel, lang)}</td></tr>`)}
</tbody></table>${overdueNow.length > 100 ? html`<p class="muted">${w.more(overdueNow.length - 100)}</p>` : ''}`
    : html`<p>${w.noneOverdue}</p>`
}
</article>`;
}
