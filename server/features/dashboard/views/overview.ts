/** The leaders' overview: tiles, the month chart and ranking, the compliance table (college × month). */
import type { Request } from 'express';
import type { Semester } from '../../../../db/store';
import { html, raw, type Raw } from '../../../platform/html';
import { text } from '../../../platform/i18n';
import { monthChart, rankingChart } from '../../../platform/views/charts';
import { monthLabel } from '../../../platform/views/words';
import { pct, pctText, sum, type CollegeCompliance, type MonthCell, type RankedCollege } from '../use-cases';

export interface OverviewInput {
  semester: Semester;
  semName: string;
  semesters: Array<{ id: string; name: string }>;
  /** the month filter (?month=), when given */
  month: string | undefined;
  /** every month of the semester, and the months the table shows */
  months: string[];
  shown: string[];
  /** the colleges as the table shows them (the month filter applied), ranked worst first */
  colleges: CollegeCompliance[];
  ranked: RankedCollege[];
  totals: MonthCell;
  points: Array<{ label: string; rate: number | null; cumulative: number | null }>;
  school: boolean;
  link: (collegeId: string, extra: string) => string;
}

export function overviewBody(req: Request, v: OverviewInput): Raw {
  const { semester, semName, semesters, month, months, shown, colleges, ranked, totals, points, school, link } = v;
  const m = text(req).ui;
  const w = text(req).overview;
  const lang = req.lang ?? 'zh-CN';
  const cell = (c: MonthCell | undefined, collegeId?: string) => {
    if (!c) return html`<td class="num">–</td>`;
    const p = pct(c) ?? 0;
    const over = c.overdue
      ? collegeId
        ? html`<a class="status-overdue" href="/colleges/${encodeURIComponent(collegeId)}?semester=${encodeURIComponent(semester.id)}&month=${c.month}&status=overdue">${c.overdue}</a>`
        : html`<span class="status-overdue">${c.overdue}</span>`
      : '0';
    return html`<td data-value="${pct(c) ?? -1}" title="${m.planned} ${c.planned} · ${m.onTime} ${c.onTime} · ${m.late} ${c.late} · ${m.open} ${c.open} · ${m.overdue} ${c.overdue} · ${m.escalated} ${c.escalated}"><span class="bar-bg"><span class="bar" style="width:${p}%"></span></span>${pctText(c)}<br><small>${w.overdueShort} ${over}</small></td>`;
  };
  const worst = ranked.find((c) => c.rate !== null);
  const own = !school && ranked[0] ? ranked[0] : undefined;
  const tileLink = (extra: string) => (own ? link(own.collegeId, extra) : '#ranking');
  return html`
<h1>${m.navOverview} <small class="muted" id="semester-name">${semName}</small></h1>
<form method="get" class="card filters">
  <label>${m.semester} <select name="semester">${semesters.map((s) => html`<option value="${s.id}"${s.id === semester.id ? raw(' selected') : ''}>${s.name}</option>`)}</select></label>
  <label>${m.month} <select name="month"><option value="">${m.allMonths}</option>${months.map((x) => html`<option value="${x}"${x === month ? raw(' selected') : ''}>${monthLabel(x, lang)}</option>`)}</select></label>
  <button class="btn">${m.filter}</button>
</form>
<div class="tiles" id="tiles">
  <div class="tile"><span class="tile-label">${school ? w.schoolRate : w.collegeRate}</span><strong id="tile-rate">${pctText(totals)}</strong></div>
  <a class="tile" id="tile-overdue" href="${tileLink('&status=overdue')}"><span class="tile-label">${m.overdue}</span><strong class="${totals.overdue ? 'status-overdue' : ''}">${totals.overdue}</strong></a>
  <a class="tile" id="tile-escalated" href="${tileLink('&level=escalated')}"><span class="tile-label">${m.escalated}</span><strong class="${totals.escalated ? 'status-overdue' : ''}">${totals.escalated}</strong></a>
  ${school && worst ? html`<a class="tile" id="tile-worst" href="${link(worst.collegeId, '')}"><span class="tile-label">${w.worst}</span><strong>${worst.name} ${worst.rate}%</strong></a>` : ''}
</div>
<div class="charts">
<section class="card chart-card"><h2>${w.monthChart}</h2>${monthChart(points, { title: w.monthChart, month: w.monthRate, trend: w.trend, none: w.none })}</section>
${
  school
    ? html`<section class="card chart-card"><h2>${w.ranking}</h2>${rankingChart(
        ranked.map((c) => ({ name: c.name, rate: c.rate, href: link(c.collegeId, '') })),
        { title: w.ranking, none: w.none },
      )}</section>`
    : ''
}
</div>
<p class="actions"><a href="/reports/weekly?semester=${semester.id}" id="weekly-link">${w.weekly}</a> · <a href="/exports/compliance.csv?semester=${semester.id}">${m.exportCsv}</a> · <a href="/exports/compliance.xlsx?semester=${semester.id}">${m.exportXlsx}</a> · <a href="/exports/tasks.xlsx?semester=${semester.id}${own ? `&college=${own.collegeId}` : ''}">${w.ledger}</a></p>
<h2 id="ranking">${school ? w.rankingTable : w.collegeTable}</h2>
<table id="compliance">
<thead><tr>${school ? html`<th data-sort>${w.rank}</th>` : ''}<th data-sort>${m.college}</th>${shown.map((x) => html`<th data-sort>${monthLabel(x, lang)}</th>`)}<th data-sort>${m.percent}</th><th data-sort>${m.overdue}</th><th data-sort>${m.escalated}</th></tr></thead>
<tbody>
${ranked.map(
  (
    c,
    i,
  ) => html`<tr data-college="${c.collegeId}">${school ? html`<td class="num" data-value="${i + 1}">${i + 1}</td>` : ''}<td><a href="${link(c.collegeId, '')}">${c.name}</a></td>${shown.map(
    (x) =>
      cell(
        c.months.find((y) => y.month === x),
        c.collegeId,
      ),
  )}<td class="num" data-value="${c.rate ?? -1}">${pctText(c.all)}</td><td class="num" data-value="${c.all.overdue}">${c.all.overdue ? html`<a class="status-overdue overdue-link" href="${link(c.collegeId, '&status=overdue')}">${c.all.overdue}</a>` : '0'}</td><td class="num" data-value="${c.all.escalated}">${c.all.escalated ? html`<a class="escalated-link" href="${link(c.collegeId, '&level=escalated')}">${c.all.escalated}</a>` : '0'}</td></tr>
`,
)}
${school ? html`<tr class="total"><td></td><td>${m.total}</td>${shown.map((x) => cell(sum(colleges.flatMap((c) => c.months.filter((y) => y.month === x)))))}<td class="num">${pctText(totals)}</td><td class="num">${totals.overdue}</td><td class="num">${totals.escalated}</td></tr>` : ''}
</tbody>
</table>
<p class="muted"><small>${w.rateNote}</small></p>`;
}
