/**
 * Leaders' pages: the overview (compliance matrix, charts, ranking), the weekly report and the
 * drill-down to a college's tasks. The school admin sees every college; a college leader only their
 * own; other staff are sent to their tasks.
 */
import express from 'express';
import { assertCollege, BadRequestError, currentUser, ForbiddenError, isLeader } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { html } from '../../platform/html';
import { page } from '../../platform/layout';
import { text } from '../../platform/i18n';
import { fmt, queryString, schoolZone, semesterInView } from '../../platform/request';
import { monthLabel, occurrenceLabeler, semesterName } from '../../platform/views/words';
import { NotFoundError } from '../semesters/use-cases';
import { filterTasks } from '../tasks/use-cases';
import { complianceFor, monthPoints, rankColleges, sum, weeklyReport } from './use-cases';
import { collegeBody } from './views/college';
import { overviewBody } from './views/overview';
import { weeklyBody } from './views/weekly';

export function createDashboardPages(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();

  r.get('/', async (req, res) => {
    const user = req.user;
    if (!user) return void res.redirect(303, '/login');
    if (!isLeader(user)) return void res.redirect(303, '/tasks/mine');
    const m = text(req).ui;
    const lang = req.lang ?? 'zh-CN';
    const semester = await semesterInView(deps, req);
    if (!semester) {
      const body = html`<h1>${m.navOverview}</h1><p>${m.noSemester}</p>`;
      return void res.send(page(req, { title: m.navOverview, body }));
    }
    const month = queryString(req, 'month');
    if (month && !/^\d{4}-\d{2}$/.test(month))
      throw new BadRequestError(`month must be YYYY-MM, got "${month.slice(0, 20)}"`);
    const all = await complianceFor(deps.store, user, semester.id, now());
    const colleges = all.map((c) => ({ ...c, months: month ? c.months.filter((x) => x.month === month) : c.months }));
    const months = [...new Set(all.flatMap((c) => c.months.map((x) => x.month)))].sort();
    const named = async (s: typeof semester) => ({ id: s.id, name: await semesterName(deps.store, s, lang) });
    const semesters = await Promise.all((await deps.store.listSemesters(deps.schoolId)).map(named));
    const semName = semesters.find((s) => s.id === semester.id)?.name ?? semester.id;
    const q = (extra: string) =>
      `/colleges/%ID%?semester=${encodeURIComponent(semester.id)}${month ? `&month=${month}` : ''}${extra}`;
    const link = (collegeId: string, extra: string) => q(extra).replace('%ID%', encodeURIComponent(collegeId));
    // the charts cover the whole semester (the month filter narrows the table)
    const points = monthPoints(all, months, (x) => monthLabel(x, lang).replace(/^\d{4} 年 /, ''));
    const body = overviewBody(req, {
      ...{ semester, semName, semesters, month, months, shown: month ? [month] : months, colleges, points, link },
      ranked: rankColleges(colleges),
      totals: sum(colleges.flatMap((c) => c.months)),
      school: user.role === 'school_admin',
    });
    res.send(page(req, { title: m.navOverview, body }));
  });

  /** The weekly report for the school leadership meeting: a printable page (the browser prints it, or saves it as PDF). */
  r.get('/reports/weekly', async (req, res) => {
    const user = currentUser(req);
    if (!isLeader(user)) throw new ForbiddenError('the weekly report is for leaders');
    const w = text(req).overview;
    const lang = req.lang ?? 'zh-CN';
    const semester = await semesterInView(deps, req);
    if (!semester) throw new NotFoundError('no semester');
    const zone = await schoolZone(deps);
    const nowMs = now();
    const semName = await semesterName(deps.store, semester, lang);
    const report = await weeklyReport(deps.store, user, semester.id, nowMs);
    const label = await occurrenceLabeler(deps.store, deps.schoolId, lang);
    const title = `${w.weeklyTitle} ${fmt(report.from, zone).slice(0, 10)} – ${fmt(nowMs, zone).slice(0, 10)}`;
    const body = weeklyBody(req, { user, title, semName, zone, nowMs, report, label });
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
    const lang = req.lang ?? 'zh-CN';
    const zone = await schoolZone(deps);
    const f = {
      status: queryString(req, 'status'),
      level: queryString(req, 'level'),
      month: queryString(req, 'month'),
    };
    const rows = semester ? await filterTasks(deps.store, semester.id, collegeId, f, now()) : [];
    // the month picker offers the semester's months (from its plan), not free text
    const months = semester
      ? [
          ...new Set((await deps.store.listTaskInstances({ semesterId: semester.id, collegeId })).map((x) => x.month)),
        ].sort()
      : [];
    const label = await occurrenceLabeler(deps.store, deps.schoolId, lang);
    const semName = semester ? await semesterName(deps.store, semester, lang) : '';
    const body = collegeBody(req, { college, collegeId, semester, semName, months, rows, zone, label });
    res.send(page(req, { title: college.name, body }));
  });

  return r;
}
