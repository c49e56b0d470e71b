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
import { ChecklistXlsxError, dueRuleWords, KIND_WORDS } from '../../domain/checklist-xlsx';
import {
  HOLIDAY_KIND_NAMES,
  OBSERVED_DAY_KINDS,
  PUBLIC_HOLIDAY_KINDS,
  TASK_KINDS,
  templateTaskSchema,
  type Template,
  type TemplateTask,
} from '../../domain/schema';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../auth/context';
import { exportChecklist, importChecklist, saveNewVersion, storedTemplate } from '../checklist-xlsx';
import type { AppDeps } from '../deps';
import { html, page, raw } from '../html';
import {
  createRolledSemester,
  rollForwardPreview,
  storeNewCalendar,
  type RollForwardAsk,
  type RollRow,
} from '../roll-forward';
import { NotFoundError, startSemester } from '../semesters';
import { filesOf, receiveUploads, takeFile, uploadDir, withUploads } from '../upload';
import { occurrenceLabel, semesterName } from '../views/words';
import { AppError } from '../platform/errors';

const ROLE_ZH: Record<string, string> = {
  college_leader: '学院领导',
  psych_counsellor: '心理辅导员',
  counsellor: '辅导员',
  class_teacher: '班主任',
};
const ROLE_EN: Record<string, string> = {
  college_leader: 'College leader',
  psych_counsellor: 'Psych. counsellor',
  counsellor: 'Counsellor',
  class_teacher: 'Class teacher',
};
const WEEKDAY_ZH = ['', '一', '二', '三', '四', '五', '六', '日'];
const WEEKDAY_EN = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const FLAG_ZH: Record<string, string> = {
  'holiday-missing': '缺少节日',
  'holiday-merged': '节日合并',
  'day-off': '休息日',
};
const FLAG_EN: Record<string, string> = {
  'holiday-missing': 'holiday missing',
  'holiday-merged': 'holiday merged',
  'day-off': 'day off',
};

export function createChecklistRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const admin = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) throw new UnauthorizedError('sign in first');
    if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
    next();
  };
  const en = (req: Request) => req.lang === 'en';
  const w = (req: Request, zh: string, english: string) => (en(req) ? english : zh);
  const xlsxUpload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: 5 * 1024 * 1024,
    maxFiles: 1,
    maxFields: 5,
    tooLarge: () => '文件太大，最大 5 MB',
  });
  const calendarUpload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: 1024 * 1024,
    maxFiles: 1,
    maxFields: 10,
  });
  const templates = async () =>
    (await deps
      .knex('templates')
      .select('id', 'version', 'title_zh', 'kind')
      .orderBy([{ column: 'id' }, { column: 'version' }])) as Array<{
      id: string;
      version: number;
      title_zh: string;
      kind: string;
    }>;
  const calendars = async () =>
    (await deps.knex('calendars').select('id', 'name_zh').orderBy('id')) as Array<{ id: string; name_zh: string }>;

  // ------------------------------------------------------------------------------------------
  // checklists as xlsx

  const listPage = async (req: Request, problems: string[]) => {
    const rows = await templates();
    const done = typeof req.query.done === 'string' ? req.query.done : '';
    const body = html`<h1>${w(req, '工作清单', 'Checklists')}</h1>
      <p>
        ${w(req, '每次导入都保存为新版本；正在进行的学期继续使用它开始时的版本。', 'Every import is stored as a new version; a running semester keeps the version it started with.')}
      </p>
      ${done ? html`<p class="notice" id="done">${w(req, '已保存', 'Stored')}: ${done}</p>` : ''}
      <table id="checklists">
        <thead>
          <tr>
            <th>${w(req, '清单', 'Checklist')}</th>
            <th>${w(req, '版本', 'Version')}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (t) =>
              html`<tr>
                <td>${t.title_zh}<br /><small>${t.id}</small></td>
                <td>v${t.version}</td>
                <td>
                  ${t.kind === 'semester-checklist' ? html`<a href="/admin/checklists/${t.id}/v${t.version}.xlsx">${w(req, '下载 xlsx', 'Download xlsx')}</a> · <a href="/admin/checklists/${t.id}/edit">${w(req, '编辑', 'Edit')}</a>` : ''}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      <form
        class="card"
        id="import"
        method="post"
        enctype="multipart/form-data"
        action="/admin/checklists/import?_csrf=${req.csrfToken ?? ''}"
      >
        <h2>${w(req, '导入 xlsx', 'Import xlsx')}</h2>
        ${
          problems.length
            ? html`<div class="error" id="problems">
                <p>${w(req, '文件有问题，未保存：', 'The file was refused, nothing stored:')}</p>
                <ul>
                  ${problems.map((p) => html`<li>${p}</li>`)}
                </ul>
              </div>`
            : ''
        }
        <label>${w(req, 'xlsx 文件（按下载的格式填写）', 'xlsx file (in the downloaded form)')}</label
        ><input
          type="file"
          name="file"
          required
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        />
        <p><button class="btn">${w(req, '导入为新版本', 'Import as a new version')}</button></p>
      </form>`;
    return page(req, { title: w(req, '工作清单', 'Checklists'), body });
  };
  r.get('/admin/checklists', admin, async (req, res) => {
    res.send(await listPage(req, []));
  });

  r.get('/admin/checklists/:id/:file', admin, async (req, res, next) => {
    const version = Number(/^v(\d{1,6})\.xlsx$/.exec(String(req.params.file))?.[1] ?? NaN);
    if (!Number.isInteger(version) || version < 1) return next(); // not vN.xlsx: another route (the editor)
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
        // every problem on the page itself (a long list does not fit in a redirect's URL)
        res.status(400).send(await listPage(req, e.problems));
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
    const semesters = await Promise.all(
      (await deps.store.listSemesters(deps.schoolId)).map(async (s) => ({
        ...s,
        name: await semesterName(deps.store, s, lang),
      })),
    );
    const tpls = (await templates()).filter((t) => t.kind === 'semester-checklist');
    const body = html`<h1>${w(req, '沿用上学年的学期', 'Roll a semester forward')}</h1>
      <p>
        ${w(req, '选择去年的学期和新的校历：先看新旧日期对照，再确认创建。', 'Pick last year’s semester and the new calendar: see the dates side by side, then confirm.')}
      </p>
      <form
        class="card"
        id="roll-forward"
        method="post"
        enctype="multipart/form-data"
        action="/admin/roll-forward?_csrf=${req.csrfToken ?? ''}"
      >
        <label for="from">${w(req, '去年的学期', 'Last year’s semester')}</label>
        <select name="from" id="from" required>
          ${semesters.map((s) => html`<option value="${s.id}">${s.name}（${s.id}，${s.templateId} v${s.templateVersion}）</option>`)}
        </select>
        <label for="calendar">${w(req, '新的校历（已登记的）', 'New calendar (stored)')}</label>
        <select name="calendar" id="calendar">
          <option value="">${w(req, '— 上传 —', '— upload —')}</option>
          ${(await calendars()).map((c) => html`<option value="${c.id}">${c.name_zh}（${c.id}）</option>`)}
        </select>
        <label for="calendarFile">${w(req, '或上传校历 JSON', 'or upload a calendar JSON')}</label
        ><input type="file" id="calendarFile" name="calendarFile" accept="application/json,.json" />
        <label for="template">${w(req, '工作清单', 'Checklist')}</label>
        <select name="template" id="template">
          <option value="">${w(req, '沿用去年学期的版本', 'the version last year’s semester used')}</option>
          ${tpls.map((t) => html`<option value="${t.id}@${t.version}">${t.title_zh}（${t.id} v${t.version}）</option>`)}
        </select>
        <p><button class="btn" id="preview">${w(req, '查看对照', 'Compare')}</button></p>
      </form>`;
    res.send(page(req, { title: w(req, '沿用上学年的学期', 'Roll forward'), body }));
  });

  r.post(
    '/admin/roll-forward',
    admin,
    calendarUpload,
    withUploads(async (req, res) => {
      let calendar = String(req.body?.calendar ?? '');
      const file = filesOf(req).find((f) => f.fieldname === 'calendarFile');
      if (file)
        calendar = (await storeNewCalendar(deps.store, file.originalname, (await takeFile(req, file)).toString('utf8')))
          .id;
      const ask = askOf({ ...req.body, calendar });
      const q = new URLSearchParams({
        from: ask.from,
        calendar: ask.calendarId,
        ...(ask.templateId ? { template: `${ask.templateId}@${ask.templateVersion}` } : {}),
      });
      res.redirect(303, `/admin/roll-forward/preview?${q.toString()}`);
    }),
  );

  r.get('/admin/roll-forward/preview', admin, async (req, res) => {
    const ask = askOf(req.query);
    const p = await rollForwardPreview(deps.store, ask);
    const lang = req.lang ?? 'zh-CN';
    const calRow = await deps.store.getCalendar(p.to.calendarId);
    const day = (d: RollRow['old']) =>
      d
        ? html`${d.due.slice(0, 10)}<br /><small
              >${w(req, `星期${WEEKDAY_ZH[d.weekday]}`, WEEKDAY_EN[d.weekday]!)}</small
            >`
        : '—';
    const suggested = /^\d{4}-(autumn|spring)$/.test(p.to.calendarId) ? p.to.calendarId : '';
    const body = html`<h1>${w(req, '新旧日期对照', 'Last year next to this year')}</h1>
      <p id="summary">
        ${w(req, '去年', 'Last year')}:
        ${await semesterName(deps.store, (await deps.store.getSemester(p.from.semesterId))!, lang)}（${p.from.templateId}
        v${p.from.templateVersion}）→ ${w(req, '新校历', 'new calendar')}:
        ${calRow?.nameZh ?? p.to.calendarId}（${p.to.templateId} v${p.to.templateVersion}）。
        ${w(req, `共 ${p.rows.length} 项，其中 ${p.flagged} 项需要确认。`, `${p.rows.length} rows, ${p.flagged} need a decision.`)}
      </p>
      ${
        p.adjustments.length
          ? html`<section id="holiday-rules">
              <h2>${w(req, '本学期缺少或合并的节假日', 'Holidays this semester lacks or has merged')}</h2>
              <ul>
                ${p.adjustments.map((a) => html`<li>${en(req) ? a.reason : a.reasonZh}</li>`)}
              </ul>
            </section>`
          : ''
      }
      <table id="roll-forward-table">
        <thead>
          <tr>
            <th>${w(req, '任务', 'Task')}</th>
            <th>${w(req, '负责', 'Owner')}</th>
            <th>${w(req, '去年截止', 'Due last year')}</th>
            <th>${w(req, '今年截止', 'Due this year')}</th>
            <th>${w(req, '原因', 'Why')}</th>
            <th>${w(req, '需确认', 'Decide')}</th>
          </tr>
        </thead>
        <tbody>
          ${p.rows.map(
            (x) =>
              html`<tr
                data-task="${x.templateTaskId}"
                data-occurrence="${x.occurrence ?? ''}"
                data-why="${x.why.code}"
                class="${x.flags.length ? 'flagged' : ''}"
              >
                <td>
                  ${en(req) ? x.title.en : x.title.zh}${x.occurrence ? html`（${occurrenceLabel(x.occurrence, lang)}）` : ''}<br /><small
                    >${x.rule}</small
                  >
                </td>
                <td>${(en(req) ? ROLE_EN : ROLE_ZH)[x.ownerRole]}</td>
                <td class="old">${day(x.old)}</td>
                <td class="new">${day(x.new)}</td>
                <td>${en(req) ? x.why.en : x.why.zh}</td>
                <td>
                  ${x.flags.map((f) => html`<p class="error" data-flag="${f.code}"><strong>${(en(req) ? FLAG_EN : FLAG_ZH)[f.code]}</strong>: ${en(req) ? f.en : f.zh}</p>`)}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      <form class="card" id="confirm" method="post" action="/admin/roll-forward/create">
        <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" /><input
          type="hidden"
          name="from"
          value="${ask.from}"
        /><input type="hidden" name="calendar" value="${ask.calendarId}" /><input
          type="hidden"
          name="template"
          value="${`${p.to.templateId}@${p.to.templateVersion}`}"
        />
        <label for="id">${w(req, '新学期标识', 'New semester id')}</label
        ><input name="id" id="id" required pattern="[a-z0-9][a-z0-9-]{1,62}" value="${suggested}" />
        <p>
          <button class="btn" name="action" value="create" id="create">${w(req, '确认创建', 'Create')}</button>
          <button class="btn" name="action" value="start" id="create-start">
            ${w(req, '创建并开始', 'Create and start')}
          </button>
        </p>
      </form>`;
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

// ---------------------------------------------------------------------------------------------
// the web editor: every save is a new version of the template

const RULE_CHOICES: Array<[string, string, string]> = [
  ['month-last', '当月最后一个工作日', 'last working day of the month'],
  ['month-day', '当月第N天前', 'by day N of the month'],
  ['week-last', '当周最后一个工作日', 'last working day of the week'],
  ['week-day', '当周周X前', 'by weekday X of the week'],
  ['weekly', '每周（至学期结束）', 'every week (to the semester end)'],
  ['weekly-vacation', '每周（至放假）', 'every week (to the vacation)'],
  ['before-holiday', '节前最后一个工作日', 'working day before the holidays'],
  ['exam-week', '考试周', 'each exam week'],
  ['after-exam-weeks', '考试周后第一个工作日', 'first working day after the exam weeks'],
];
const EDITOR_HOLIDAYS = [...PUBLIC_HOLIDAY_KINDS, ...OBSERVED_DAY_KINDS, 'vacation'];

/** The form's fields as a task (every problem named, in Chinese). */
export function taskFromForm(
  body: Record<string, unknown>,
  base: TemplateTask | undefined,
  id: string,
): { task?: TemplateTask; problems: string[] } {
  const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
  const problems: string[] = [];
  const int = (k: string, label: string, min: number, max: number): number | undefined => {
    const v = s(k);
    if (!/^\d{1,3}$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`“${label}” 应为 ${min} 到 ${max} 的整数`);
      return undefined;
    }
    return Number(v);
  };
  const when = s('when');
  const month = /^m(\d{1,2})$/.exec(when)?.[1];
  const week = /^w(\d{1,2})$/.exec(when)?.[1];
  const rule = s('rule');
  let due: Record<string, unknown> | undefined;
  switch (rule) {
    case 'month-last':
    case 'month-day':
      due = { type: 'in-month', dueDay: rule === 'month-last' ? 'last' : int('dueDay', '当月第几天', 1, 31) };
      if (s('withinDays')) due.withinDaysOfSemesterStart = int('withinDays', '开学后几天内', 1, 60);
      if (!month) problems.push('按月的截止规则需要选择月份');
      break;
    case 'week-last':
    case 'week-day':
      due = { type: 'in-week', dueDay: rule === 'week-last' ? 'last' : int('weekday', '周几', 1, 7) };
      if (!week) problems.push('按周的截止规则需要选择第几周');
      break;
    case 'weekly':
    case 'weekly-vacation':
      due = { type: 'weekly', until: rule === 'weekly' ? 'semester-end' : 'vacation-start' };
      break;
    case 'before-holiday': {
      // the task's own order first (an unchanged form changes nothing), new ones after
      const had = base?.due.type === 'before-holiday' ? base.due.holidays : [];
      const holidays = [...had, ...EDITOR_HOLIDAYS.filter((h) => !had.includes(h))].filter(
        (h) => body[`holiday-${h}`] !== undefined,
      );
      if (!holidays.length) problems.push('请至少选择一个节日');
      const ifMissing: Record<string, string> = {};
      for (const h of holidays) {
        const v = s(`ifMissing-${h}`);
        if (v === 'skip' || (v.startsWith('merge-into:') && EDITOR_HOLIDAYS.includes(v.slice(11)) && v.slice(11) !== h))
          ifMissing[h] = v;
        else if (v) problems.push(`“缺少${HOLIDAY_KIND_NAMES[h]?.zh ?? h}时” 的选项无效`);
      }
      due = {
        type: 'before-holiday',
        holidays,
        opensDaysBefore: int('opensDaysBefore', '提前几天开放', 0, 60),
        ifMissing,
      };
      break;
    }
    case 'exam-week':
    case 'after-exam-weeks':
      due = { type: rule, opensDaysBefore: int('opensDaysBefore', '提前几天开放', 0, 60) };
      break;
    default:
      problems.push('请选择截止规则');
  }
  const titleZh = s('titleZh');
  if (!titleZh) problems.push('“任务内容(标题)” 不能为空');
  const role = s('ownerRole');
  if (!(role in ROLE_ZH)) problems.push('请选择负责角色');
  const kind = s('kind');
  if (!(TASK_KINDS as readonly string[]).includes(kind) || kind === 'campaign-phase') problems.push('请选择任务类型');
  const number = s('number') ? int('number', '任务编号', 1, 999) : undefined;
  const minFiles = int('minFiles', '至少几个文件', 0, 50);
  if (problems.length) return { problems };
  const raw = {
    id,
    ...(number !== undefined ? { number } : {}),
    kind,
    title: { zh: titleZh, en: s('titleEn') || titleZh },
    textZh: s('textZh') || titleZh,
    ownerRole: role,
    ...(month ? { month: Number(month) } : {}),
    ...(week ? { week: Number(week) } : {}),
    due,
    ...(base?.ladder ? { ladder: base.ladder } : {}),
    evidence: {
      ...(base?.evidence ?? {}),
      note: body.noteRequired !== undefined ? 'required' : 'optional',
      minFiles,
      ledgerMonthlyReview: body.ledger !== undefined,
    },
  };
  const parsed = templateTaskSchema.safeParse(raw);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  return { task: parsed.data, problems: [] };
}

export function createChecklistEditorRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const admin = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) throw new UnauthorizedError('sign in first');
    if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
    next();
  };
  /** the latest version; a save from an older one is refused (someone saved in between) */
  const latest = async (id: string, base?: unknown): Promise<Template> => {
    const t = await storedTemplate(deps.store, id);
    if (t.kind !== 'semester-checklist') throw new BadRequestError(`${id} is a campaign; edit it as JSON`);
    if (base !== undefined && Number(base) !== t.version)
      throw new ConflictError(`清单 ${id} 已有更新的版本 v${t.version}（你编辑的是 v${String(base)}），请刷新后再改`);
    return t;
  };
  const allIds = async (id: string) =>
    new Set(
      ((await deps.knex('templates').where({ id }).select('body')) as Array<{ body: string }>).flatMap((row) =>
        (JSON.parse(row.body) as { tasks: Array<{ id: string }> }).tasks.map((x) => x.id),
      ),
    );

  r.get('/admin/checklists/:id/edit', admin, async (req, res) => {
    const t = await latest(String(req.params.id));
    const csrf = req.csrfToken ?? '';
    const saved = typeof req.query.saved === 'string' ? req.query.saved : '';
    const running = (await deps.store.listSemesters(deps.schoolId)).filter((s) => s.templateId === t.id);
    const action = (taskId: string, what: string, label: string) =>
      html`<form method="post" action="/admin/checklists/${t.id}/tasks/${taskId}/${what}" class="inline">
        <input type="hidden" name="_csrf" value="${csrf}" /><input
          type="hidden"
          name="base"
          value="${t.version}"
        /><button class="btn" data-action="${what}">${label}</button>
      </form>`;
    const body = html`<h1>${t.title.zh}</h1>
      <p>
        v${t.version} · ${t.tasks.length}
        项任务${saved ? html` · <span class="notice" id="saved">已保存为 ${saved}</span>` : ''}
      </p>
      ${running.length ? html`<p>使用此清单的学期：${running.map((s) => html`${s.id}（v${s.templateVersion}）`)}；修改保存为新版本，已有学期继续使用原版本。</p>` : ''}
      <p>
        <a class="btn" href="/admin/checklists/${t.id}/tasks/new/edit">新增任务</a>
        <a href="/admin/checklists/${t.id}/v${t.version}.xlsx">下载 xlsx</a>
      </p>
      <details id="copy">
        <summary>另存为新清单（如由秋季清单制作春季清单）</summary>
        <form class="card" method="post" action="/admin/checklists/${t.id}/copy">
          <input type="hidden" name="_csrf" value="${csrf}" /><input type="hidden" name="base" value="${t.version}" />
          <label for="newId">新清单标识</label
          ><input name="newId" id="newId" required pattern="[a-z0-9][a-z0-9-]{1,62}" placeholder="runxin-spring" />
          <label for="newTitle">新清单名称</label><input name="titleZh" id="newTitle" required />
          <p><button class="btn" id="copy-save">另存为新清单</button></p>
        </form>
      </details>
      <h2>每月重点关爱人群</h2>
      <table id="months">
        <thead>
          <tr>
            <th>月份</th>
            <th>重点关爱人群</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${t.months.map(
            (m) =>
              html`<tr data-month="${m.month}">
                <td>${m.month}月</td>
                <td>
                  <ul>
                    ${m.keyCareGroups.map((g) => html`<li>${g.zh}</li>`)}
                  </ul>
                </td>
                <td><a href="/admin/checklists/${t.id}/months/${m.month}/edit">编辑</a></td>
              </tr>`,
          )}
        </tbody>
      </table>
      <p><a href="/admin/checklists/${t.id}/months/new/edit">新增月份</a></p>
      <h2>任务</h2>
      <table id="tasks">
        <thead>
          <tr>
            <th>月份或周次</th>
            <th>任务</th>
            <th>负责角色</th>
            <th>截止规则</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${t.tasks.map(
            (x, i) =>
              html`<tr data-task="${x.id}">
                <td>${x.month !== undefined ? `${x.month}月` : x.week !== undefined ? `第${x.week}周` : ''}</td>
                <td>${x.number ? `${x.number}. ` : ''}${x.title.zh}<br /><small>${x.id}</small></td>
                <td>${ROLE_ZH[x.ownerRole]}</td>
                <td>${dueRuleWords(x.due)}</td>
                <td>
                  <a href="/admin/checklists/${t.id}/tasks/${x.id}/edit">编辑</a>
                  ${i > 0 ? action(x.id, 'up', '上移') : ''}
                  ${i < t.tasks.length - 1 ? action(x.id, 'down', '下移') : ''} ${action(x.id, 'retire', '停用')}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>`;
    res.send(page(req, { title: t.title.zh, body }));
  });

  const editForm = (
    req: Request,
    t: Template,
    x: TemplateTask | undefined,
    taskId: string,
    problems: string[],
    values?: Record<string, unknown>,
  ) => {
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
      html`<option value="${value}" ${raw(value === current ? ' selected' : '')}>${label}</option>`;
    const box = (name: string, on: boolean) =>
      html`<input type="checkbox" name="${name}" id="${name}" ${raw(on ? ' checked' : '')} />`;
    const hname = (h: string) => (h === 'vacation' ? '假期（放假）' : (HOLIDAY_KIND_NAMES[h]?.zh ?? h));
    return html`<h1>${x ? `编辑任务：${x.title.zh}` : '新增任务'}</h1>
      ${
        problems.length
          ? html`<div class="error" id="problems">
              <p>未保存：</p>
              <ul>
                ${problems.map((p) => html`<li>${p}</li>`)}
              </ul>
            </div>`
          : ''
      }
      <form class="card" id="task-form" method="post" action="/admin/checklists/${t.id}/tasks/${taskId}/edit">
        <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" /><input
          type="hidden"
          name="base"
          value="${t.version}"
        />
        <label for="when">月份或周次</label
        ><select name="when" id="when">
          ${opt('', '（不限）', when)}${[9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8].map((m) => opt(`m${m}`, `${m}月`, when))}${Array.from({ length: 30 }, (_, i) => opt(`w${i + 1}`, `第${i + 1}周`, when))}
        </select>
        <label for="number">任务编号</label
        ><input
          name="number"
          id="number"
          inputmode="numeric"
          value="${v('number', x?.number !== undefined ? String(x.number) : '')}"
        />
        <label for="kind">任务类型</label
        ><select name="kind" id="kind">
          ${TASK_KINDS.filter((k) => k !== 'campaign-phase').map((k) => opt(k, KIND_WORDS[k], v('kind', x?.kind ?? 'once')))}
        </select>
        <label for="titleZh">任务内容(标题)</label
        ><input name="titleZh" id="titleZh" value="${v('titleZh', x?.title.zh ?? '')}" />
        <label for="titleEn">英文标题</label
        ><input name="titleEn" id="titleEn" value="${v('titleEn', x?.title.en ?? '')}" />
        <label for="textZh">任务说明</label
        ><textarea name="textZh" id="textZh" rows="4">${v('textZh', x?.textZh ?? '')}</textarea>
        <label for="ownerRole">负责角色</label
        ><select name="ownerRole" id="ownerRole">
          ${Object.entries(ROLE_ZH).map(([k, w]) => opt(k, w, v('ownerRole', x?.ownerRole ?? 'counsellor')))}
        </select>
        <fieldset>
          <legend>截止规则</legend>
          <select name="rule" id="rule">
            ${opt('', '（请选择）', rule)}${RULE_CHOICES.map(([k, zh]) => opt(k, zh, rule))}
          </select>
          <label for="dueDay">当月第几天（当月第N天前）</label
          ><input
            name="dueDay"
            id="dueDay"
            inputmode="numeric"
            value="${v('dueDay', due?.type === 'in-month' && due.dueDay !== 'last' ? String(due.dueDay) : '')}"
          />
          <label for="withinDays">且开学后几天内（可空）</label
          ><input
            name="withinDays"
            id="withinDays"
            inputmode="numeric"
            value="${v('withinDays', due?.type === 'in-month' && due.withinDaysOfSemesterStart ? String(due.withinDaysOfSemesterStart) : '')}"
          />
          <label for="weekday">周几（当周周X前）</label
          ><select name="weekday" id="weekday">
            ${WEEKDAY_ZH.slice(1).map((d, i) => opt(String(i + 1), `周${d}`, v('weekday', due?.type === 'in-week' && due.dueDay !== 'last' ? String(due.dueDay) : '5')))}
          </select>
          <label for="opensDaysBefore">提前几天开放（节前、考试周、考试周后）</label
          ><input
            name="opensDaysBefore"
            id="opensDaysBefore"
            inputmode="numeric"
            value="${v('opensDaysBefore', due && 'opensDaysBefore' in due && due.opensDaysBefore !== undefined ? String(due.opensDaysBefore) : '7')}"
          />
          <p>节日（节前最后一个工作日）与缺少该节日时的做法：</p>
          ${EDITOR_HOLIDAYS.map((h) => {
            const cur = v(`ifMissing-${h}`, ifMissing[h] ?? '');
            return html`<p>
              ${box(`holiday-${h}`, checked(`holiday-${h}`, holidays.includes(h)))}
              <label for="holiday-${h}" class="inline">${hname(h)}</label>
              <select name="ifMissing-${h}" aria-label="缺少${hname(h)}时">
                ${opt('', '缺少时：（不设）', cur)}${opt('skip', '缺少时：跳过', cur)}${EDITOR_HOLIDAYS.filter((o) => o !== h).map((o) => opt(`merge-into:${o}`, `缺少时：并入${hname(o)}`, cur))}
              </select>
            </p>`;
          })}
        </fieldset>
        <fieldset>
          <legend>佐证要求</legend>
          <p>
            ${box('noteRequired', checked('noteRequired', x ? x.evidence.note === 'required' : true))}
            <label for="noteRequired" class="inline">须填写说明</label>
          </p>
          <label for="minFiles">至少几个文件</label
          ><input
            name="minFiles"
            id="minFiles"
            inputmode="numeric"
            value="${v('minFiles', String(x?.evidence.minFiles ?? 0))}"
          />
          <p>
            ${box('ledger', checked('ledger', x?.evidence.ledgerMonthlyReview ?? false))}
            <label for="ledger" class="inline">须更新本月干预台账</label>
          </p>
          ${x?.evidence.documents.length ? html`<p>需提交的文件（保持不变，可在 xlsx 中修改）：${x.evidence.documents.map((d) => d.zh).join('、')}</p>` : ''}
        </fieldset>
        <p><button class="btn" id="save">保存为新版本</button> <a href="/admin/checklists/${t.id}/edit">取消</a></p>
      </form>`;
  };

  r.get('/admin/checklists/:id/tasks/:taskId/edit', admin, async (req, res) => {
    const t = await latest(String(req.params.id));
    const taskId = String(req.params.taskId);
    const x = taskId === 'new' ? undefined : t.tasks.find((y) => y.id === taskId);
    if (taskId !== 'new' && !x) throw new NotFoundError(`checklist ${t.id} v${t.version} has no task ${taskId}`);
    res.send(page(req, { title: x ? x.title.zh : '新增任务', body: editForm(req, t, x, taskId, []) }));
  });

  r.post('/admin/checklists/:id/tasks/:taskId/edit', admin, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const t = await latest(String(req.params.id), body.base);
    const taskId = String(req.params.taskId);
    const index = taskId === 'new' ? -1 : t.tasks.findIndex((y) => y.id === taskId);
    if (taskId !== 'new' && index < 0) throw new NotFoundError(`checklist ${t.id} v${t.version} has no task ${taskId}`);
    const base = index >= 0 ? t.tasks[index] : undefined;
    let id = taskId;
    if (taskId === 'new') {
      // a new id, never used by any version of this checklist
      const used = await allIds(t.id);
      const when = String(body.when ?? '') || 't';
      for (let n = t.tasks.length + 1; ; n += 1) if (!used.has((id = `${when}-${n}`))) break;
    }
    const { task, problems } = taskFromForm(body, base, id);
    if (!task)
      return void res
        .status(400)
        .send(page(req, { title: '未保存', status: 400, body: editForm(req, t, base, taskId, problems, body) }));
    const tasks = index >= 0 ? t.tasks.map((y, i) => (i === index ? task : y)) : [...t.tasks, task];
    let stored: Template;
    try {
      stored = await saveNewVersion(deps.store, { ...t, tasks });
    } catch (e) {
      if (!(e instanceof Error && e.name === 'ZodError')) throw e;
      return void res
        .status(400)
        .send(page(req, { title: '未保存', status: 400, body: editForm(req, t, base, taskId, [e.message], body) }));
    }
    res.redirect(303, `/admin/checklists/${t.id}/edit?saved=v${stored.version}`);
  });

  // the key-care groups of a month (one a line); another month moves them, no line removes the month
  const monthForm = (
    req: Request,
    t: Template,
    month: string,
    problems: string[],
    values?: { month: string; groups: string },
  ) => {
    const cur = t.months.find((m) => String(m.month) === month);
    const sel = values?.month ?? (cur ? String(cur.month) : '');
    const opt = (value: string, label: string) =>
      html`<option value="${value}" ${raw(value === sel ? ' selected' : '')}>${label}</option>`;
    return html`<h1>${cur ? `${cur.month}月的重点关爱人群` : '新增月份的重点关爱人群'}</h1>
      ${
        problems.length
          ? html`<div class="error" id="problems">
              <p>未保存：</p>
              <ul>
                ${problems.map((p) => html`<li>${p}</li>`)}
              </ul>
            </div>`
          : ''
      }
      <form class="card" id="month-form" method="post" action="/admin/checklists/${t.id}/months/${month}/edit">
        <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" /><input
          type="hidden"
          name="base"
          value="${t.version}"
        />
        <label for="month">月份</label
        ><select name="month" id="month">
          ${[9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8].map((m) => opt(String(m), `${m}月`))}
        </select>
        <label for="groups">重点关爱人群（每行一类；清空则删除这个月）</label
        ><textarea name="groups" id="groups" rows="8">
${values?.groups ?? (cur ? cur.keyCareGroups.map((g) => g.zh).join('\n') : '')}</textarea>
        <p>
          <button class="btn" id="save-month">保存为新版本</button> <a href="/admin/checklists/${t.id}/edit">取消</a>
        </p>
      </form>`;
  };
  r.get('/admin/checklists/:id/months/:month/edit', admin, async (req, res) => {
    const t = await latest(String(req.params.id));
    const month = String(req.params.month);
    if (month !== 'new' && !t.months.some((m) => String(m.month) === month))
      throw new NotFoundError(`checklist ${t.id} v${t.version} has no key-care groups for month ${month}`);
    res.send(page(req, { title: '每月重点关爱人群', body: monthForm(req, t, month, []) }));
  });
  r.post('/admin/checklists/:id/months/:month/edit', admin, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const t = await latest(String(req.params.id), body.base);
    const month = String(req.params.month);
    const cur = t.months.find((m) => String(m.month) === month);
    if (month !== 'new' && !cur)
      throw new NotFoundError(`checklist ${t.id} v${t.version} has no key-care groups for month ${month}`);
    const to = Number(body.month);
    const lines = String(body.groups ?? '')
      .split(/\r?\n/)
      .map((x) => x.trim())
      .filter(Boolean);
    const problems = [
      ...(Number.isInteger(to) && to >= 1 && to <= 12 ? [] : ['请选择月份']),
      ...(to !== cur?.month && t.months.some((m) => m.month === to)
        ? [`${to}月已有重点关爱人群，请直接编辑那个月`]
        : []),
      ...(!cur && !lines.length ? ['请至少写一类重点关爱人群'] : []),
    ];
    if (problems.length)
      return void res.status(400).send(
        page(req, {
          title: '未保存',
          status: 400,
          body: monthForm(req, t, month, problems, {
            month: String(body.month ?? ''),
            groups: String(body.groups ?? ''),
          }),
        }),
      );
    // an unchanged line keeps its English name
    const groups = lines.map((zh) => cur?.keyCareGroups.find((g) => g.zh === zh) ?? { zh, en: zh });
    const others = t.months.filter((m) => m !== cur);
    const months = lines.length
      ? cur
        ? t.months.map((m) => (m === cur ? { month: to, keyCareGroups: groups } : m))
        : [...others, { month: to, keyCareGroups: groups }]
      : others;
    const stored = await saveNewVersion(deps.store, { ...t, months });
    res.redirect(303, `/admin/checklists/${t.id}/edit?saved=v${stored.version}`);
  });

  /** a copy under a new id and title, as its version 1 (e.g. a spring checklist made from the autumn one) */
  r.post('/admin/checklists/:id/copy', admin, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const t = await latest(String(req.params.id), body.base);
    const newId = String(body.newId ?? '').trim();
    const titleZh = String(body.titleZh ?? '').trim();
    const problems = [
      ...(/^[a-z0-9][a-z0-9-]{1,62}$/.test(newId) ? [] : ['新清单标识只能用小写字母、数字和短横线（2 到 63 个字符）']),
      ...(newId && (await deps.store.getTemplate(newId)) ? [`清单 ${newId} 已存在`] : []),
      ...(titleZh ? [] : ['新清单名称不能为空']),
    ];
    if (problems.length) throw new BadRequestError(problems.join('；'));
    const stored = await saveNewVersion(deps.store, {
      ...t,
      id: newId,
      title: { zh: titleZh, en: String(body.titleEn ?? '').trim() || titleZh },
      source: `${t.source} (copied from ${t.id} v${t.version})`,
    });
    res.redirect(303, `/admin/checklists/${stored.id}/edit?saved=v${stored.version}`);
  });

  r.post('/admin/checklists/:id/tasks/:taskId/:what', admin, async (req, res) => {
    const what = String(req.params.what);
    if (!['up', 'down', 'retire'].includes(what)) throw new NotFoundError(`no action ${what}`);
    const t = await latest(String(req.params.id), (req.body as Record<string, unknown> | undefined)?.base);
    const i = t.tasks.findIndex((y) => y.id === String(req.params.taskId));
    if (i < 0) throw new NotFoundError(`checklist ${t.id} v${t.version} has no task ${String(req.params.taskId)}`);
    const tasks = [...t.tasks];
    if (what === 'retire') {
      if (tasks.length === 1) throw new BadRequestError('a checklist keeps at least one task');
      tasks.splice(i, 1);
    } else {
      const j = what === 'up' ? i - 1 : i + 1;
      if (j < 0 || j >= tasks.length) throw new BadRequestError(`task ${tasks[i]!.id} cannot move ${what}`);
      [tasks[i], tasks[j]] = [tasks[j]!, tasks[i]!];
    }
    const stored = await saveNewVersion(deps.store, { ...t, tasks });
    res.redirect(303, `/admin/checklists/${t.id}/edit?saved=v${stored.version}`);
  });

  return r;
}

class ConflictError extends AppError {
  override name = 'ConflictError';
  readonly status = 409;
}
