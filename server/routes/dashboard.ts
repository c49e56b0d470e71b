/**
 * Leaders' view: the compliance matrix (college × month) and the drill-down to a college's tasks.
 * The school admin sees every college; a college leader only their own; other staff are sent to
 * their tasks (pages) or refused (API). Every number comes from the read model.
 */
import express, { type Request } from 'express';
import type { ComplianceRow, TaskStatus } from '../../db/store';
import { completionRate } from '../../domain/compliance';
import { currentUser, ForbiddenError, isLeader, assertCollege, type SessionUser } from '../auth/context';
import type { AppDeps } from '../deps';
import { html, page, raw } from '../html';
import { NotFoundError } from '../semesters';
import { fmt, queryString, schoolZone, semesterInView, t } from './common';
import { levelName, monthLabel, occurrenceLabel, occurrenceLabeler, semesterName } from '../views/words';

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
export async function complianceFor(deps: AppDeps, user: SessionUser, semesterId: string, month?: string): Promise<CollegeCompliance[]> {
  if (!isLeader(user)) throw new ForbiddenError('compliance is for leaders');
  const now = (deps.now ?? Date.now)();
  const rows: ComplianceRow[] = await deps.store.complianceByCollegeMonth(semesterId, now);
  const out = new Map<string, CollegeCompliance>();
  for (const r of rows) {
    if (user.role !== 'school_admin' && r.collegeId !== user.collegeId) continue;
    if (month && r.month !== month) continue;
    const c = out.get(r.collegeId) ?? { collegeId: r.collegeId, name: r.name, months: [] };
    c.months.push({ month: r.month, planned: r.planned, onTime: r.onTime, late: r.late, open: r.open, overdue: r.overdue, escalated: r.escalated, waived: r.waived });
    out.set(r.collegeId, c);
  }
  return [...out.values()];
}

function sum(cells: MonthCell[]): MonthCell {
  return cells.reduce(
    (a, c) => ({ month: '', planned: a.planned + c.planned, onTime: a.onTime + c.onTime, late: a.late + c.late, open: a.open + c.open, overdue: a.overdue + c.overdue, escalated: a.escalated + c.escalated, waived: a.waived + c.waived }),
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
    res.json({ semester: semester.id, colleges: colleges.map((c) => ({ collegeId: c.collegeId, name: c.name, months: c.months.map(({ waived: _w, ...m }) => m) })) });
  });

  r.get('/', async (req, res) => {
    const user = req.user;
    if (!user) return void res.redirect(303, '/login');
    if (!isLeader(user)) return void res.redirect(303, '/tasks/mine');
    const m = t(req);
    const semester = await semesterInView(deps, req);
    if (!semester) return void res.send(page(req, { title: m.navOverview, body: html`<h1>${m.navOverview}</h1><p>${m.noSemester}</p>` }));
    const month = queryString(req, 'month');
    const colleges = await complianceFor(deps, user, semester.id, month);
    const months = [...new Set(colleges.flatMap((c) => c.months.map((x) => x.month)))].sort();
    const allMonths = month ? months : months;
    const lang = req.lang ?? 'zh-CN';
    const semesters = await Promise.all((await deps.store.listSemesters(deps.schoolId)).map(async (s) => ({ id: s.id, name: await semesterName(deps.store, s, lang) })));
    const cell = (c: MonthCell | undefined) => {
      if (!c) return html`<td class="num">–</td>`;
      const p = pct(c) ?? 0;
      return html`<td data-value="${pct(c) ?? -1}" title="${m.planned} ${c.planned} · ${m.onTime} ${c.onTime} · ${m.late} ${c.late} · ${m.open} ${c.open} · ${m.overdue} ${c.overdue} · ${m.escalated} ${c.escalated}"><span class="bar-bg"><span class="bar" style="width:${p}%"></span></span>${pctText(c)}<br><small>${c.onTime}/${c.late}/${c.open}/<span class="${c.overdue ? 'status-overdue' : ''}">${c.overdue}</span>/${c.escalated}</small></td>`;
    };
    const totals = sum(colleges.flatMap((c) => c.months));
    const body = html`
<h1>${m.navOverview}</h1>
<form method="get" class="card">
  <label>${m.semester} <select name="semester">${semesters.map((s) => html`<option value="${s.id}"${s.id === semester.id ? raw(' selected') : ''}>${s.name}</option>`)}</select></label>
  <label>${m.month} <select name="month"><option value="">${m.allMonths}</option>${months.map((x) => html`<option value="${x}"${x === month ? raw(' selected') : ''}>${monthLabel(x, lang)}</option>`)}</select></label>
  <button class="btn">${m.filter}</button>
  <a href="/exports/compliance.csv?semester=${semester.id}">${m.exportCsv}</a> · <a href="/exports/compliance.xlsx?semester=${semester.id}">${m.exportXlsx}</a>
</form>
<p class="muted"><small>${m.onTime}/${m.late}/${m.open}/${m.overdue}/${m.escalated}</small></p>
<table id="compliance">
<thead><tr><th data-sort>${m.college}</th>${allMonths.map((x) => html`<th data-sort>${x}</th>`)}<th data-sort>${m.percent}</th><th data-sort>${m.overdue}</th><th data-sort>${m.escalated}</th></tr></thead>
<tbody>
${colleges.map((c) => {
  const all = sum(c.months);
  return html`<tr data-college="${c.collegeId}"><td><a href="/colleges/${c.collegeId}?semester=${semester.id}">${c.name}</a></td>${allMonths.map((x) => cell(c.months.find((y) => y.month === x)))}<td class="num" data-value="${pct(all) ?? -1}">${pctText(all)}</td><td class="num${all.overdue ? ' status-overdue' : ''}">${all.overdue}</td><td class="num">${all.escalated}</td></tr>
`;
})}
<tr class="total"><td>${m.total}</td>${allMonths.map((x) => cell(sum(colleges.flatMap((c) => c.months.filter((y) => y.month === x)))))}<td class="num">${pctText(totals)}</td><td class="num">${totals.overdue}</td><td class="num">${totals.escalated}</td></tr>
</tbody>
</table>`;
    res.send(page(req, { title: m.navOverview, body }));
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
    const months = semester ? [...new Set((await deps.store.listTaskInstances({ semesterId: semester.id, collegeId })).map((x) => x.month))].sort() : [];
    const label = await occurrenceLabeler(deps.store, deps.schoolId, lang);
    const semName = semester ? await semesterName(deps.store, semester, lang) : '';
    const body = html`
<h1>${lang === 'en' ? college.nameEn : college.name}</h1>
${semester ? html`<p class="muted">${m.semester}：${semName}</p>` : ''}
<form method="get" class="card filters" id="task-filters">
  <input type="hidden" name="semester" value="${semester?.id ?? ''}">
  <label>${m.month} <select name="month"><option value="">${m.allMonths}</option>${months.map((x) => html`<option value="${x}"${x === month ? raw(' selected') : ''}>${monthLabel(x, lang)}</option>`)}</select></label>
  <label>${m.status} <select name="status"><option value="">${m.any}</option>${STATUSES.map((s) => html`<option value="${s}"${s === status ? raw(' selected') : ''}>${m.statusNames[s]}</option>`)}</select></label>
  <label>${m.level} <select name="level"><option value="">${m.any}</option>${LEVEL_FILTERS.map((l) => html`<option value="${l}"${l === level ? raw(' selected') : ''}>${l === 'escalated' ? (lang === 'en' ? 'Escalated (level 1 or 2)' : '已预警（1 级或 2 级）') : levelName(Number(l), lang)}</option>`)}</select></label>
  <button class="btn">${m.filter}</button>
</form>
${semester ? html`<p><a href="/exports/tasks.csv?semester=${semester.id}&amp;college=${collegeId}">${m.exportCsv}</a> · <a href="/exports/tasks.xlsx?semester=${semester.id}&amp;college=${collegeId}">${m.exportXlsx}</a></p>` : ''}
${taskTable(req, rows, zone, label)}`;
    res.send(page(req, { title: college.name, body }));
  });

  return r;
}

export async function filteredTasks(deps: AppDeps, req: Request, semesterId: string, collegeId?: string) {
  const status = queryString(req, 'status');
  const level = queryString(req, 'level');
  const rows = await deps.store.listTaskInstances({
    semesterId,
    ...(collegeId ? { collegeId } : {}),
    ...(queryString(req, 'month') ? { month: queryString(req, 'month') } : {}),
    ...(status && (STATUSES as string[]).includes(status) ? { status: [status as TaskStatus] } : {}),
  });
  if (level === undefined) return rows;
  return rows.filter((x) => (level === 'escalated' ? x.escalationLevel >= 1 : String(x.escalationLevel) === level));
}

/** A task table; `label` gives a row's occurrence in words (views/words.ts occurrenceLabeler), else the built-in names. */
export function taskTable(req: Request, rows: Awaited<ReturnType<AppDeps['store']['listTaskInstances']>>, zone: string, label?: (row: { semesterId: string; occurrence: string | null }) => string) {
  const m = t(req);
  const lang = req.lang ?? 'zh-CN';
  const occ = label ?? ((x: { occurrence: string | null }) => occurrenceLabel(x.occurrence, lang));
  if (!rows.length) return html`<p>${m.noTasks}</p>`;
  return html`<table class="tasks">
<thead><tr><th data-sort>${m.task}</th><th data-sort>${m.month}</th><th data-sort>${m.owner}</th><th data-sort>${m.due}</th><th data-sort>${m.status}</th><th data-sort>${m.level}</th></tr></thead>
<tbody>
${rows.map(
  (x) => html`<tr data-task="${x.id}"><td><a href="/tasks/${encodeURIComponent(x.id)}">${req.lang === 'en' ? x.titleEn : x.titleZh}</a>${x.occurrence ? html` <small class="occurrence">${occ(x)}</small>` : ''}</td><td>${x.month}</td><td>${m.roleNames[x.ownerRole]}</td><td data-value="${x.dueAt}">${fmt(x.dueAt, zone)}</td><td class="status-${x.status}">${m.statusNames[x.status]}${x.late ? ` (${m.late})` : ''}</td><td class="level-${x.escalationLevel}" data-value="${x.escalationLevel}">${levelName(x.escalationLevel, lang)}</td></tr>
`,
)}
</tbody></table>`;
}
