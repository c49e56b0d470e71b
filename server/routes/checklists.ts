/**
 * Checklists and the roll forward, for the school admin (issue 12 parts 3 and 4):
 *  - /admin/checklists: every stored checklist version, each downloadable as xlsx; an xlsx upload is
 *    stored as a new version (every problem by row and column, nothing stored on any);
 *  - /admin/roll-forward: pick last year's semester and a calendar (stored, or an uploaded JSON),
 *    see last year's dates next to this year's, task by task, with why each moved and what needs a
 *    decision, then create the semester (and start it). GET /api/roll-forward answers the same rows
 *    as JSON (the CLI's `roll-forward --json` gives the same).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { ChecklistXlsxError } from '../../domain/checklist-xlsx';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../auth/context';
import { exportChecklist, importChecklist } from '../checklist-xlsx';
import type { AppDeps } from '../deps';
import { html, page } from '../html';
import { createRolledSemester, rollForwardPreview, storeNewCalendar, type RollForwardAsk, type RollRow } from '../roll-forward';
import { startSemester } from '../semesters';
import { filesOf, receiveUploads, takeFile, uploadDir, withUploads } from '../upload';
import { semesterName } from '../views/words';

const ROLE_ZH: Record<string, string> = { college_leader: '学院领导', psych_counsellor: '心理辅导员', counsellor: '辅导员', class_teacher: '班主任' };
const ROLE_EN: Record<string, string> = { college_leader: 'College leader', psych_counsellor: 'Psych. counsellor', counsellor: 'Counsellor', class_teacher: 'Class teacher' };
const WEEKDAY_ZH = ['', '一', '二', '三', '四', '五', '六', '日'];
const WEEKDAY_EN = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const FLAG_ZH: Record<string, string> = { 'holiday-missing': '缺少节日', 'holiday-merged': '节日合并', 'day-off': '休息日' };
const FLAG_EN: Record<string, string> = { 'holiday-missing': 'holiday missing', 'holiday-merged': 'holiday merged', 'day-off': 'day off' };

export function createChecklistRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const admin = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) throw new UnauthorizedError('sign in first');
    if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
    next();
  };
  const en = (req: Request) => req.lang === 'en';
  const w = (req: Request, zh: string, english: string) => (en(req) ? english : zh);
  const xlsxUpload = receiveUploads({ dir: uploadDir(deps.evidenceDir), maxFileBytes: 5 * 1024 * 1024, maxFiles: 1, maxFields: 5, tooLarge: () => '文件太大，最大 5 MB' });
  const calendarUpload = receiveUploads({ dir: uploadDir(deps.evidenceDir), maxFileBytes: 1024 * 1024, maxFiles: 1, maxFields: 10 });
  const templates = async () => (await deps.knex('templates').select('id', 'version', 'title_zh', 'kind').orderBy([{ column: 'id' }, { column: 'version' }])) as Array<{ id: string; version: number; title_zh: string; kind: string }>;
  const calendars = async () => (await deps.knex('calendars').select('id', 'name_zh').orderBy('id')) as Array<{ id: string; name_zh: string }>;

  // ------------------------------------------------------------------------------------------
  // checklists as xlsx

  r.get('/admin/checklists', admin, async (req, res) => {
    const rows = await templates();
    const problems = typeof req.query.problems === 'string' ? req.query.problems : '';
    const done = typeof req.query.done === 'string' ? req.query.done : '';
    const body = html`<h1>${w(req, '工作清单', 'Checklists')}</h1>
<p>${w(req, '每次导入都保存为新版本；正在进行的学期继续使用它开始时的版本。', 'Every import is stored as a new version; a running semester keeps the version it started with.')}</p>
${done ? html`<p class="notice" id="done">${w(req, '已保存', 'Stored')}: ${done}</p>` : ''}
<table id="checklists"><thead><tr><th>${w(req, '清单', 'Checklist')}</th><th>${w(req, '版本', 'Version')}</th><th></th></tr></thead><tbody>
${rows.map(
  (t) =>
    html`<tr><td>${t.title_zh}<br><small>${t.id}</small></td><td>v${t.version}</td><td>${t.kind === 'semester-checklist' ? html`<a href="/admin/checklists/${t.id}/v${t.version}.xlsx">${w(req, '下载 xlsx', 'Download xlsx')}</a>` : ''}</td></tr>`,
)}
</tbody></table>
<form class="card" id="import" method="post" enctype="multipart/form-data" action="/admin/checklists/import?_csrf=${req.csrfToken ?? ''}">
<h2>${w(req, '导入 xlsx', 'Import xlsx')}</h2>
${problems ? html`<div class="error" id="problems"><p>${w(req, '文件有问题，未保存：', 'The file was refused, nothing stored:')}</p><ul>${problems.split('\n').map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<label>${w(req, 'xlsx 文件（按下载的格式填写）', 'xlsx file (in the downloaded form)')}</label><input type="file" name="file" required accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
<p><button class="btn">${w(req, '导入为新版本', 'Import as a new version')}</button></p></form>`;
    res.send(page(req, { title: w(req, '工作清单', 'Checklists'), body }));
  });

  r.get('/admin/checklists/:id/:file', admin, async (req, res) => {
    const version = Number(/^v(\d{1,6})\.xlsx$/.exec(String(req.params.file))?.[1] ?? NaN);
    if (!Number.isInteger(version) || version < 1) throw new BadRequestError('ask for vN.xlsx, N the version');
    const { template, xlsx } = await exportChecklist(deps.store, String(req.params.id), version);
    res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('content-disposition', `attachment; filename="${template.id}-v${template.version}.xlsx"`);
    res.send(xlsx);
  });

  r.post(
    '/admin/checklists/import',
    admin,
    xlsxUpload,
    withUploads(async (req, res) => {
      const file = filesOf(req)[0];
      if (!file) throw new BadRequestError('choose an xlsx file');
      try {
        const stored = await importChecklist(deps.store, await takeFile(req, file));
        res.redirect(303, `/admin/checklists?done=${encodeURIComponent(`${stored.id} v${stored.version}`)}`);
      } catch (e) {
        if (!(e instanceof ChecklistXlsxError)) throw e;
        res.redirect(303, `/admin/checklists?problems=${encodeURIComponent(e.problems.slice(0, 100).join('\n'))}#import`);
      }
    }),
  );

  // ------------------------------------------------------------------------------------------
  // roll forward

  const askOf = (q: Record<string, unknown>): RollForwardAsk => {
    const from = typeof q.from === 'string' ? q.from : '';
    const calendarId = typeof q.calendar === 'string' ? q.calendar : '';
    if (!from) throw new BadRequestError('from: pick last year’s semester');
    if (!calendarId) throw new BadRequestError('calendar: pick or upload the new calendar');
    const template = typeof q.template === 'string' ? q.template : '';
    const m = template ? /^([a-z0-9][a-z0-9-]*)@(\d+)$/.exec(template) : undefined;
    if (template && !m) throw new BadRequestError(`template must be ID@VERSION, got "${template}"`);
    return { from, calendarId, ...(m ? { templateId: m[1], templateVersion: Number(m[2]) } : {}) };
  };

  r.get('/api/roll-forward', admin, async (req, res) => {
    res.json(await rollForwardPreview(deps.store, askOf(req.query)));
  });

  r.get('/admin/roll-forward', admin, async (req, res) => {
    const lang = req.lang ?? 'zh-CN';
    const semesters = await Promise.all((await deps.store.listSemesters(deps.schoolId)).map(async (s) => ({ ...s, name: await semesterName(deps.store, s, lang) })));
    const tpls = (await templates()).filter((t) => t.kind === 'semester-checklist');
    const body = html`<h1>${w(req, '沿用上学年的学期', 'Roll a semester forward')}</h1>
<p>${w(req, '选择去年的学期和新的校历：先看新旧日期对照，再确认创建。', 'Pick last year’s semester and the new calendar: see the dates side by side, then confirm.')}</p>
<form class="card" id="roll-forward" method="post" enctype="multipart/form-data" action="/admin/roll-forward?_csrf=${req.csrfToken ?? ''}">
<label for="from">${w(req, '去年的学期', 'Last year’s semester')}</label>
<select name="from" id="from" required>${semesters.map((s) => html`<option value="${s.id}">${s.name}（${s.id}，${s.templateId} v${s.templateVersion}）</option>`)}</select>
<label for="calendar">${w(req, '新的校历（已登记的）', 'New calendar (stored)')}</label>
<select name="calendar" id="calendar"><option value="">${w(req, '— 上传 —', '— upload —')}</option>${(await calendars()).map((c) => html`<option value="${c.id}">${c.name_zh}（${c.id}）</option>`)}</select>
<label for="calendarFile">${w(req, '或上传校历 JSON', 'or upload a calendar JSON')}</label><input type="file" id="calendarFile" name="calendarFile" accept="application/json,.json">
<label for="template">${w(req, '工作清单', 'Checklist')}</label>
<select name="template" id="template"><option value="">${w(req, '沿用去年学期的版本', 'the version last year’s semester used')}</option>${tpls.map((t) => html`<option value="${t.id}@${t.version}">${t.title_zh}（${t.id} v${t.version}）</option>`)}</select>
<p><button class="btn" id="preview">${w(req, '查看对照', 'Compare')}</button></p></form>`;
    res.send(page(req, { title: w(req, '沿用上学年的学期', 'Roll forward'), body }));
  });

  r.post(
    '/admin/roll-forward',
    admin,
    calendarUpload,
    withUploads(async (req, res) => {
      let calendar = String(req.body?.calendar ?? '');
      const file = filesOf(req).find((f) => f.fieldname === 'calendarFile');
      if (file) calendar = (await storeNewCalendar(deps.store, file.originalname, (await takeFile(req, file)).toString('utf8'))).id;
      const ask = askOf({ ...req.body, calendar });
      const q = new URLSearchParams({ from: ask.from, calendar: ask.calendarId, ...(ask.templateId ? { template: `${ask.templateId}@${ask.templateVersion}` } : {}) });
      res.redirect(303, `/admin/roll-forward/preview?${q.toString()}`);
    }),
  );

  r.get('/admin/roll-forward/preview', admin, async (req, res) => {
    const ask = askOf(req.query);
    const p = await rollForwardPreview(deps.store, ask);
    const lang = req.lang ?? 'zh-CN';
    const calRow = await deps.store.getCalendar(p.to.calendarId);
    const day = (d: RollRow['old']) => (d ? html`${d.due.slice(0, 10)}<br><small>${w(req, `星期${WEEKDAY_ZH[d.weekday]}`, WEEKDAY_EN[d.weekday]!)}</small>` : '—');
    const suggested = /^\d{4}-(autumn|spring)$/.test(p.to.calendarId) ? p.to.calendarId : '';
    const body = html`<h1>${w(req, '新旧日期对照', 'Last year next to this year')}</h1>
<p id="summary">${w(req, '去年', 'Last year')}: ${await semesterName(deps.store, (await deps.store.getSemester(p.from.semesterId))!, lang)}（${p.from.templateId} v${p.from.templateVersion}）→ ${w(req, '新校历', 'new calendar')}: ${calRow?.nameZh ?? p.to.calendarId}（${p.to.templateId} v${p.to.templateVersion}）。
${w(req, `共 ${p.rows.length} 项，其中 ${p.flagged} 项需要确认。`, `${p.rows.length} rows, ${p.flagged} need a decision.`)}</p>
${p.adjustments.length ? html`<section id="holiday-rules"><h2>${w(req, '本学期缺少或合并的节假日', 'Holidays this semester lacks or has merged')}</h2><ul>${p.adjustments.map((a) => html`<li>${en(req) ? a.reason : a.reasonZh}</li>`)}</ul></section>` : ''}
<table id="roll-forward-table"><thead><tr><th>${w(req, '任务', 'Task')}</th><th>${w(req, '负责', 'Owner')}</th><th>${w(req, '去年截止', 'Due last year')}</th><th>${w(req, '今年截止', 'Due this year')}</th><th>${w(req, '原因', 'Why')}</th><th>${w(req, '需确认', 'Decide')}</th></tr></thead><tbody>
${p.rows.map(
  (x) => html`<tr data-task="${x.templateTaskId}" data-occurrence="${x.occurrence ?? ''}" data-why="${x.why.code}" class="${x.flags.length ? 'flagged' : ''}"><td>${en(req) ? x.title.en : x.title.zh}${x.occurrence ? html`<br><small>${x.occurrence}</small>` : ''}<br><small>${x.rule}</small></td>
<td>${(en(req) ? ROLE_EN : ROLE_ZH)[x.ownerRole]}</td><td class="old">${day(x.old)}</td><td class="new">${day(x.new)}</td><td>${en(req) ? x.why.en : x.why.zh}</td>
<td>${x.flags.map((f) => html`<p class="error" data-flag="${f.code}"><strong>${(en(req) ? FLAG_EN : FLAG_ZH)[f.code]}</strong>: ${en(req) ? f.en : f.zh}</p>`)}</td></tr>`,
)}
</tbody></table>
<form class="card" id="confirm" method="post" action="/admin/roll-forward/create">
<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}"><input type="hidden" name="from" value="${ask.from}"><input type="hidden" name="calendar" value="${ask.calendarId}"><input type="hidden" name="template" value="${`${p.to.templateId}@${p.to.templateVersion}`}">
<label for="id">${w(req, '新学期标识', 'New semester id')}</label><input name="id" id="id" required pattern="[a-z0-9][a-z0-9-]{1,62}" value="${suggested}">
<p><button class="btn" name="action" value="create" id="create">${w(req, '确认创建', 'Create')}</button> <button class="btn" name="action" value="start" id="create-start">${w(req, '创建并开始', 'Create and start')}</button></p></form>`;
    res.send(page(req, { title: w(req, '新旧日期对照', 'Roll forward'), body }));
  });

  r.post('/admin/roll-forward/create', admin, async (req, res) => {
    const ask = askOf(req.body ?? {});
    const p = await rollForwardPreview(deps.store, ask);
    const id = String(req.body?.id ?? '');
    await createRolledSemester(deps.store, deps.schoolId, p, id);
    if (req.body?.action === 'start') {
      if (!deps.client) throw new Error('Temporal is not configured for this server');
      await startSemester(deps.client, deps.store, id, deps.taskQueue);
      return void res.redirect(303, `/?semester=${id}`);
    }
    res.redirect(303, `/admin/semesters/${id}`);
  });

  return r;
}
