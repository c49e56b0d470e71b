/**
 * Leaders' view: the compliance matrix (college × month) and the drill-down to a college's tasks.
 * The school admin sees every college; a college leader only their own; other staff are sent to
 * their tasks (pages) or refused (API). Every number comes from the read model.
 */
import express, { type Request } from 'express';
import type { ComplianceRow, TaskStatus } from '../../db/store';
import { completionRate } from '../../domain/compliance';
import {
  BadRequestError,
  currentUser,
  ForbiddenError,
  isLeader,
  assertCollege,
  type SessionUser,
} from '../auth/context';
import type { AppDeps } from '../deps';
import { html, page, raw } from '../html';
import { NotFoundError } from '../semesters';
import { fmt, queryString, schoolZone, semesterInView, t } from './common';
import { levelName, monthLabel, occurrenceLabeler, semesterName } from '../views/words';
import { monthChart, rankingChart } from '../views/charts';
import { taskTable } from '../views/task-table';
import { filterTasks } from '../features/tasks/use-cases';
import { OVERVIEW_TEXT } from '../i18n/overview';

export interface MonthCell {
  month: string;
  planned: number;
  onTime: number;
  late: number;
  open: number;
  overdue: number;
  escalated: number;
  waived: number;
}

export interface CollegeCompliance {
  collegeId: string;
  name: string;
  months: MonthCell[];
}

/** 完成率 in whole percent (domain/compliance.ts); '–' when nothing is done or due yet */
const pct = (c: { onTime: number; late: number; overdue: number }) => {
  const r = completionRate(c);
  return r === null ? null : Math.round(r * 100);
};
const pctText = (c: { onTime: number; late: number; overdue: number }) => {
  const p = pct(c);
  return p === null ? '–' : `${p}%`;
};

/** The matrix for a user: every college for the school admin, their own for a college leader. */
export async function complianceFor(
  deps: AppDeps,
  user: SessionUser,
  semesterId: string,
  month?: string,
): Promise<CollegeCompliance[]> {
  if (!isLeader(user)) throw new ForbiddenError('compliance is for leaders');
  const now = (deps.now ?? Date.now)();
  const rows: ComplianceRow[] = await deps.store.complianceByCollegeMonth(semesterId, now);
  const out = new Map<string, CollegeCompliance>();
  for (const r of rows) {
    if (user.role !== 'school_admin' && r.collegeId !== user.collegeId) continue;
    if (month && r.month !== month) continue;
    const c = out.get(r.collegeId) ?? { collegeId: r.collegeId, name: r.name, months: [] };
    c.months.push({
      month: r.month,
      planned: r.planned,
      onTime: r.onTime,
      late: r.late,
      open: r.open,
      overdue: r.overdue,
      escalated: r.escalated,
      waived: r.waived,
    });
    out.set(r.collegeId, c);
  }
  return [...out.values()];
}

function sum(cells: MonthCell[]): MonthCell {
  return cells.reduce(
    (a, c) => ({
      month: '',
      planned: a.planned + c.planned,
      onTime: a.onTime + c.onTime,
      late: a.late + c.late,
      open: a.open + c.open,
      overdue: a.overdue + c.overdue,
      escalated: a.escalated + c.escalated,
      waived: a.waived + c.waived,
    }),
    { month: '', planned: 0, onTime: 0, late: 0, open: 0, overdue: 0, escalated: 0, waived: 0 },
  );
}

const STATUSES: TaskStatus[] = ['planned', 'open', 'overdue', 'completed', 'waived'];
/** the level filter: one level, or 'escalated' for level 1 or 2 (the overview's 已预警 count links here) */
const LEVEL_FILTERS = ['0', '1', '2', 'escalated'] as const;

export function createDashboardRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  r.get('/api/compliance', async (req, res) => {
    const user = currentUser(req);
    const semester = await semesterInView(deps, req);
    if (!semester) throw new NotFoundError('no semester');
    const colleges = await complianceFor(deps, user, semester.id, queryString(req, 'month'));
    res.json({
      semester: semester.id,
      colleges: colleges.map((c) => ({
        collegeId: c.collegeId,
        name: c.name,
        months: c.months.map(({ waived: _w, ...m }) => m),
      })),
    });
  });

  r.get('/', async (req, res) => {
    const user = req.user;
    if (!user) return void res.redirect(303, '/login');
    if (!isLeader(user)) return void res.redirect(303, '/tasks/mine');
    const m = t(req);
    const w = OVERVIEW_TEXT[req.lang ?? 'zh-CN'];
    const lang = req.lang ?? 'zh-CN';
    const semester = await semesterInView(deps, req);
    if (!semester)
      return void res.send(
        page(req, {
          title: m.navOverview,
          body: html`<h1>${m.navOverview}</h1>
            <p>${m.noSemester}</p>`,
        }),
      );
    const month = queryString(req, 'month');
    if (month && !/^\d{4}-\d{2}$/.test(month))
      throw new BadRequestError(`month must be YYYY-MM, got "${month.slice(0, 20)}"`);
    const all = await complianceFor(deps, user, semester.id);
    const colleges = all.map((c) => ({ ...c, months: month ? c.months.filter((x) => x.month === month) : c.months }));
    const months = [...new Set(all.flatMap((c) => c.months.map((x) => x.month)))].sort();
    const shown = month ? [month] : months;
    const semesters = await Promise.all(
      (await deps.store.listSemesters(deps.schoolId)).map(async (s) => ({
        id: s.id,
        name: await semesterName(deps.store, s, lang),
      })),
    );
    const semName = semesters.find((s) => s.id === semester.id)?.name ?? semester.id;
    const q = (extra: string) =>
      `/colleges/%ID%?semester=${encodeURIComponent(semester.id)}${month ? `&month=${month}` : ''}${extra}`;
    const link = (collegeId: string, extra: string) => q(extra).replace('%ID%', encodeURIComponent(collegeId));
    const school = user.role === 'school_admin';
    // ranked worst first: the lowest completion first; nothing due yet last; then the most overdue
    const ranked = colleges
      .map((c) => ({ ...c, all: sum(c.months), name: c.name }))
      .map((c) => ({ ...c, rate: pct(c.all) }))
      .sort(
        (a, b) =>
          (a.rate ?? 101) - (b.rate ?? 101) || b.all.overdue - a.all.overdue || a.name.localeCompare(b.name, 'zh-CN'),
      );
    const totals = sum(colleges.flatMap((c) => c.months));
    // the charts cover the whole semester (the month filter narrows the table)
    let running = sum([]);
    const points = months.map((x) => {
      const cell = sum(all.flatMap((c) => c.months.filter((y) => y.month === x)));
      running = sum([running, cell]);
      return { label: monthLabel(x, lang).replace(/^\d{4} 年 /, ''), rate: pct(cell), cumulative: pct(running) };
    });
    const cell = (c: MonthCell | undefined, collegeId?: string) => {
      if (!c) return html`<td class="num">–</td>`;
      const p = pct(c) ?? 0;
      const over = c.overdue
        ? collegeId
          ? html`<a
              class="status-overdue"
              href="/colleges/${encodeURIComponent(collegeId)}?semester=${encodeURIComponent(semester.id)}&month=${c.month}&status=overdue"
              >${c.overdue}</a
            >`
          : html`<span class="status-overdue">${c.overdue}</span>`
        : '0';
      return html`<td
        data-value="${pct(c) ?? -1}"
        title="${m.planned} ${c.planned} · ${m.onTime} ${c.onTime} · ${m.late} ${c.late} · ${m.open} ${c.open} · ${m.overdue} ${c.overdue} · ${m.escalated} ${c.escalated}"
      >
        <span class="bar-bg"><span class="bar" style="width:${p}%"></span></span>${pctText(c)}<br /><small
          >${w.overdueShort} ${over}</small
        >
      </td>`;
    };
    const worst = ranked.find((c) => c.rate !== null);
    const own = !school && ranked[0] ? ranked[0] : undefined;
    const tileLink = (extra: string) => (own ? link(own.collegeId, extra) : '#ranking');
    const body = html` <h1>${m.navOverview} <small class="muted" id="semester-name">${semName}</small></h1>
      <form method="get" class="card filters">
        <label
          >${m.semester}
          <select name="semester">
            ${semesters.map((s) => html`<option value="${s.id}" ${s.id === semester.id ? raw(' selected') : ''}>${s.name}</option>`)}
          </select></label
        >
        <label
          >${m.month}
          <select name="month">
            <option value="">${m.allMonths}</option>
            ${months.map((x) => html`<option value="${x}" ${x === month ? raw(' selected') : ''}>${monthLabel(x, lang)}</option>`)}
          </select></label
        >
        <button class="btn">${m.filter}</button>
      </form>
      <div class="tiles" id="tiles">
        <div class="tile">
          <span class="tile-label">${school ? w.schoolRate : w.collegeRate}</span
          ><strong id="tile-rate">${pctText(totals)}</strong>
        </div>
        <a class="tile" id="tile-overdue" href="${tileLink('&status=overdue')}"
          ><span class="tile-label">${m.overdue}</span
          ><strong class="${totals.overdue ? 'status-overdue' : ''}">${totals.overdue}</strong></a
        >
        <a class="tile" id="tile-escalated" href="${tileLink('&level=escalated')}"
          ><span class="tile-label">${m.escalated}</span
          ><strong class="${totals.escalated ? 'status-overdue' : ''}">${totals.escalated}</strong></a
        >
        ${school && worst ? html`<a class="tile" id="tile-worst" href="${link(worst.collegeId, '')}"><span class="tile-label">${w.worst}</span><strong>${worst.name} ${worst.rate}%</strong></a>` : ''}
      </div>
      <div class="charts">
        <section class="card chart-card">
          <h2>${w.monthChart}</h2>
          ${monthChart(points, { title: w.monthChart, month: w.monthRate, trend: w.trend, none: w.none })}
        </section>
        ${
          school
            ? html`<section class="card chart-card">
                <h2>${w.ranking}</h2>
                ${rankingChart(
                  ranked.map((c) => ({ name: c.name, rate: c.rate, href: link(c.collegeId, '') })),
                  { title: w.ranking, none: w.none },
                )}
              </section>`
            : ''
        }
      </div>
      <p class="actions">
        <a href="/reports/weekly?semester=${semester.id}" id="weekly-link">${w.weekly}</a> ·
        <a href="/exports/compliance.csv?semester=${semester.id}">${m.exportCsv}</a> ·
        <a href="/exports/compliance.xlsx?semester=${semester.id}">${m.exportXlsx}</a> ·
        <a href="/exports/tasks.xlsx?semester=${semester.id}${own ? `&college=${own.collegeId}` : ''}">${w.ledger}</a>
      </p>
      <h2 id="ranking">${school ? w.rankingTable : w.collegeTable}</h2>
      <table id="compliance">
        <thead>
          <tr>
            ${school ? html`<th data-sort>${w.rank}</th>` : ''}
            <th data-sort>${m.college}</th>
            ${shown.map((x) => html`<th data-sort>${monthLabel(x, lang)}</th>`)}
            <th data-sort>${m.percent}</th>
            <th data-sort>${m.overdue}</th>
            <th data-sort>${m.escalated}</th>
          </tr>
        </thead>
        <tbody>
          ${ranked.map(
            (c, i) =>
              html`<tr data-college="${c.collegeId}">
                ${school ? html`<td class="num" data-value="${i + 1}">${i + 1}</td>` : ''}
                <td><a href="${link(c.collegeId, '')}">${c.name}</a></td>
                ${shown.map((x) =>
                  cell(
                    c.months.find((y) => y.month === x),
                    c.collegeId,
                  ),
                )}
                <td class="num" data-value="${c.rate ?? -1}">${pctText(c.all)}</td>
                <td class="num" data-value="${c.all.overdue}">
                  ${c.all.overdue ? html`<a class="status-overdue overdue-link" href="${link(c.collegeId, '&status=overdue')}">${c.all.overdue}</a>` : '0'}
                </td>
                <td class="num" data-value="${c.all.escalated}">
                  ${c.all.escalated ? html`<a class="escalated-link" href="${link(c.collegeId, '&level=escalated')}">${c.all.escalated}</a>` : '0'}
                </td>
              </tr> `,
          )}
          ${
            school
              ? html`<tr class="total">
                  <td></td>
                  <td>${m.total}</td>
                  ${shown.map((x) => cell(sum(colleges.flatMap((c) => c.months.filter((y) => y.month === x)))))}
                  <td class="num">${pctText(totals)}</td>
                  <td class="num">${totals.overdue}</td>
                  <td class="num">${totals.escalated}</td>
                </tr>`
              : ''
          }
        </tbody>
      </table>
      <p class="muted"><small>${w.rateNote}</small></p>`;
    res.send(page(req, { title: m.navOverview, body }));
  });

  /** The weekly report for the school leadership meeting: a printable page (the browser prints it, or saves it as PDF). */
  r.get('/reports/weekly', async (req, res) => {
    const user = currentUser(req);
    if (!isLeader(user)) throw new ForbiddenError('the weekly report is for leaders');
    const m = t(req);
    const w = OVERVIEW_TEXT[req.lang ?? 'zh-CN'];
    const lang = req.lang ?? 'zh-CN';
    const semester = await semesterInView(deps, req);
    if (!semester) throw new NotFoundError('no semester');
    const zone = await schoolZone(deps);
    const nowMs = (deps.now ?? Date.now)();
    const from = nowMs - 7 * 86_400_000;
    const semName = await semesterName(deps.store, semester, lang);
    const colleges = await complianceFor(deps, user, semester.id);
    const ranked = colleges
      .map((c) => ({ collegeId: c.collegeId, name: c.name, all: sum(c.months) }))
      .map((c) => ({ ...c, rate: pct(c.all) }))
      .sort((a, b) => (a.rate ?? 101) - (b.rate ?? 101) || b.all.overdue - a.all.overdue);
    const inView = new Set(colleges.map((c) => c.collegeId));
    const tasks = (await deps.store.listTaskInstances({ semesterId: semester.id })).filter((x) =>
      inView.has(x.collegeId),
    );
    const names = new Map(ranked.map((c) => [c.collegeId, c.name]));
    const label = await occurrenceLabeler(deps.store, deps.schoolId, lang);
    const week = tasks.filter((x) => x.dueAt > from && x.dueAt <= nowMs);
    const closed = (x: (typeof tasks)[number]) => x.status === 'completed' || x.status === 'waived';
    const overdueNow = tasks
      .filter((x) => !closed(x) && (x.status === 'overdue' || x.dueAt <= nowMs))
      .sort((a, b) => b.escalationLevel - a.escalationLevel || a.dueAt - b.dueAt);
    const totals = sum(colleges.flatMap((c) => c.months));
    const title = `${w.weeklyTitle} ${fmt(from, zone).slice(0, 10)} – ${fmt(nowMs, zone).slice(0, 10)}`;
    const body = html`<article class="report" id="weekly-report">
      <h1>${title}</h1>
      <p>
        ${m.semester}：${semName} · ${w.generated} ${fmt(nowMs, zone)} ·
        <button type="button" class="btn" data-print>${w.print}</button>
      </p>
      <h2>${w.summary}</h2>
      <ul>
        <li>${user.role === 'school_admin' ? w.schoolRate : w.collegeRate}：<strong>${pctText(totals)}</strong></li>
        <li>
          ${w.dueThisWeek}：${week.length}，${w.doneThisWeek}
          ${week.filter((x) => x.status === 'completed').length}，${m.overdue} ${week.filter((x) => !closed(x)).length}
        </li>
        <li>
          ${m.overdue}：${overdueNow.length}，${w.atSchool} ${overdueNow.filter((x) => x.escalationLevel >= 2).length}
        </li>
      </ul>
      <h2>${w.rankingTable}</h2>
      <table>
        <thead>
          <tr>
            <th>${w.rank}</th>
            <th>${m.college}</th>
            <th>${m.percent}</th>
            <th>${m.overdue}</th>
            <th>${m.escalated}</th>
          </tr>
        </thead>
        <tbody>
          ${ranked.map(
            (c, i) =>
              html`<tr>
                <td>${i + 1}</td>
                <td>${c.name}</td>
                <td>${pctText(c.all)}</td>
                <td>${c.all.overdue}</td>
                <td>${c.all.escalated}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <h2>${w.overdueList}</h2>
      ${
        overdueNow.length
          ? html`<table>
                <thead>
                  <tr>
                    <th>${m.college}</th>
                    <th>${m.task}</th>
                    <th>${m.due}</th>
                    <th>${m.owner}</th>
                    <th>${m.level}</th>
                  </tr>
                </thead>
                <tbody>
                  ${overdueNow.slice(0, 100).map(
                    (x) =>
                      html`<tr>
                        <td>${names.get(x.collegeId) ?? x.collegeId}</td>
                        <td>${lang === 'en' ? x.titleEn : x.titleZh}${x.occurrence ? `（${label(x)}）` : ''}</td>
                        <td>${fmt(x.dueAt, zone)}</td>
                        <td>${m.roleNames[x.ownerRole]}</td>
                        <td>${levelName(x.escalationLevel, lang)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${overdueNow.length > 100 ? html`<p class="muted">${w.more(overdueNow.length - 100)}</p>` : ''}`
          : html`<p>${w.noneOverdue}</p>`
      }
    </article>`;
    res.send(page(req, { title, body }));
  });

  /** A college's tasks with filters (month, status, escalation level). */
  r.get('/colleges/:collegeId', async (req, res) => {
    const user = currentUser(req);
    const collegeId = String(req.params.collegeId);
    const college = await deps.store.getCollege(collegeId);
    if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown college ${collegeId}`);
    assertCollege(user, collegeId);
    const semester = await semesterInView(deps, req);
    const m = t(req);
    const lang = req.lang ?? 'zh-CN';
    const zone = await schoolZone(deps);
    const rows = semester ? await filteredTasks(deps, req, semester.id, collegeId) : [];
    const status = queryString(req, 'status');
    const level = queryString(req, 'level');
    const month = queryString(req, 'month');
    // the month picker offers the semester's months (from its plan), not free text
    const months = semester
      ? [
          ...new Set((await deps.store.listTaskInstances({ semesterId: semester.id, collegeId })).map((x) => x.month)),
        ].sort()
      : [];
    const label = await occurrenceLabeler(deps.store, deps.schoolId, lang);
    const semName = semester ? await semesterName(deps.store, semester, lang) : '';
    const body = html` <h1>${lang === 'en' ? college.nameEn : college.name}</h1>
      ${semester ? html`<p class="muted">${m.semester}：${semName}</p>` : ''}
      <form method="get" class="card filters" id="task-filters">
        <input type="hidden" name="semester" value="${semester?.id ?? ''}" />
        <label
          >${m.month}
          <select name="month">
            <option value="">${m.allMonths}</option>
            ${months.map((x) => html`<option value="${x}" ${x === month ? raw(' selected') : ''}>${monthLabel(x, lang)}</option>`)}
          </select></label
        >
        <label
          >${m.status}
          <select name="status">
            <option value="">${m.any}</option>
            ${STATUSES.map((s) => html`<option value="${s}" ${s === status ? raw(' selected') : ''}>${m.statusNames[s]}</option>`)}
          </select></label
        >
        <label
          >${m.level}
          <select name="level">
            <option value="">${m.any}</option>
            ${LEVEL_FILTERS.map((l) => html`<option value="${l}" ${l === level ? raw(' selected') : ''}>${l === 'escalated' ? (lang === 'en' ? 'Escalated (level 1 or 2)' : '已预警（1 级或 2 级）') : levelName(Number(l), lang)}</option>`)}
          </select></label
        >
        <button class="btn">${m.filter}</button>
      </form>
      ${semester ? html`<p><a href="/exports/tasks.csv?semester=${semester.id}&college=${collegeId}">${m.exportCsv}</a> · <a href="/exports/tasks.xlsx?semester=${semester.id}&college=${collegeId}">${m.exportXlsx}</a></p>` : ''}
      ${taskTable(req, rows, zone, label)}`;
    res.send(page(req, { title: college.name, body }));
  });

  return r;
}

/** A semester's tasks by the listing's query string (status, month, level): see filterTasks. */
export async function filteredTasks(deps: AppDeps, req: Request, semesterId: string, collegeId?: string) {
  const f = { status: queryString(req, 'status'), level: queryString(req, 'level'), month: queryString(req, 'month') };
  return filterTasks(deps.store, semesterId, collegeId, f, (deps.now ?? Date.now)());
}

// shim (issue 13): re-export for the other areas until the merge
export { taskTable };
