/** A college's tasks with filters (month, status, escalation level). */
import type { Request } from 'express';
import type { College, Semester, TaskInstanceRow, TaskStatus } from '../../../../db/store';
import { html, raw, type Raw } from '../../../platform/html';
import { queryString } from '../../../platform/request';
import { taskTable } from '../../../platform/views/task-table';
import { levelName, monthLabel } from '../../../platform/views/words';
import { text } from '../../../platform/i18n';

const STATUSES: TaskStatus[] = ['planned', 'open', 'overdue', 'completed', 'waived'];
/** the level filter: one level, or 'escalated' for level 1 or 2 (the overview's 已预警 count links here) */
const LEVEL_FILTERS = ['0', '1', '2', 'escalated'] as const;

export interface CollegePageInput {
  college: College;
  collegeId: string;
  semester: Semester | null | undefined;
  semName: string;
  months: string[];
  rows: TaskInstanceRow[];
  zone: string;
  label: (row: { semesterId: string; occurrence: string | null }) => string;
}

export function collegeBody(req: Request, v: CollegePageInput): Raw {
  const { college, collegeId, semester, semName, months, rows, zone, label } = v;
  const m = text(req).ui;
  const lang = req.lang ?? 'zh-CN';
  const status = queryString(req, 'status');
  const level = queryString(req, 'level');
  const month = queryString(req, 'month');
  return html`
<h1>${lang === 'en' ? college.nameEn : college.name}</h1>
${semester ? html`<p class="muted">${m.semester}：${semName}</p>` : ''}
<form method="get" class="card filters" id="task-filters">
  <input type="hidden" name="semester" value="${semester?.id ?? ''}">
  <label>${m.month} <select name="month"><option value="">${m.allMonths}</option>${months.map((x) => html`<option value="${x}"${x === month ? raw(' selected') : ''}>${monthLabel(x, lang)}</option>`)}</select></label>
  <label>${m.status} <select name="status"><option value="">${m.any}</option>${STATUSES.map((s) => html`<option value="${s}"${s === status ? raw(' selected') : ''}>${m.statusNames[s]}</option>`)}</select></label>
  <label>${m.level} <select name="level"><option value="">${m.any}</option>${LEVEL_FILTERS.map((l) => html`<option value="${l}"${l === level ? raw(' selected') : ''}>${l === 'escalated' ? (lang === 'en' ? 'Escalated (level 1 or 2)' : '已预警（1 级或 2 级）') : levelName(Number(l), lang)}</option>`)}</select></label>
  <button class="btn">${m.filter}</button>
</form>
${semester ? html`<p><a href="/exports/tasks.csv?semester=${semester.id}&college=${collegeId}">${m.exportCsv}</a> · <a href="/exports/tasks.xlsx?semester=${semester.id}&college=${collegeId}">${m.exportXlsx}</a></p>` : ''}
${taskTable(req, rows, zone, label)}`;
}
