/**
 * Semester administration (school admin): create a semester from a calendar and a template
 * (uploaded, or stored ones), preview its dated plan month by month, start it, add a college.
 * The JSON API also accepts the ops bearer token (ADMIN_API_TOKEN) for automation.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { byMonth, previewPlan } from '../../domain/planner';
import { parseCalendar } from '../../domain/load';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../auth/context';
import type { AppDeps } from '../deps';
import { html, page, raw } from '../html';
import {
  createSemester,
  NotFoundError,
  registerDataTexts,
  replanSemester,
  startCollege,
  startSemester,
} from '../semesters';
import { fmt, schoolZone, t, templateOf } from './common';
import {
  calendarWords,
  monthLabel,
  semesterName,
  semesterStatusName,
  titleWithOccurrence,
  workflowStatusName,
} from '../views/words';
import { filesOf, receiveUploads, takeFile, uploadDir, withUploads } from '../upload';
import { listStopped, restartStopped } from '../ended-workflows';
import { TaskRejectedError } from '../tasks';
import { handOverUser } from '../hand-over';
const SEMESTER_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function createAdminRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  /** school admin by session, or (API only) the ops bearer token */
  const admin = (req: Request, _res: Response, next: NextFunction) => {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (bearer !== undefined && req.path.startsWith('/api/')) {
      const want = Buffer.from(deps.adminApiToken ?? '');
      const given = Buffer.from(bearer);
      if (!deps.adminApiToken || given.length !== want.length || !timingSafeEqual(given, want))
        throw new UnauthorizedError('missing or wrong bearer token');
      return next();
    }
    if (!req.user) throw new UnauthorizedError('sign in first');
    if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
    next();
  };
  /** template and calendar files, received only after `admin` has passed */
  const upload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: 1024 * 1024,
    maxFiles: 2,
    maxFields: 10,
  });
  const client = () => {
    if (!deps.client) throw new Error('Temporal is not configured for this server');
    return deps.client;
  };

  /** Stored values that are not plausible dates (listed by the data_problems migration; shown as 无效日期 on pages), for correction. */
  r.get('/api/admin/data-problems', admin, async (_req, res) => {
    const rows = (await deps
      .knex('data_problems')
      .orderBy('id')
      .select('table_name', 'row_id', 'column_name', 'value', 'found_at')) as Array<Record<string, unknown>>;
    res.json({
      problems: rows.map((p) => ({
        table: String(p.table_name),
        rowId: String(p.row_id),
        column: String(p.column_name),
        value: String(p.value),
        foundAt: Number(p.found_at),
      })),
    });
  });

  /** school admin by session only: a restart is done in someone's name (no ops token) */
  const sessionAdmin = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) throw new UnauthorizedError('sign in first');
    if (req.user.role !== 'school_admin') throw new ForbiddenError('this needs the role school_admin');
    next();
  };
  const actorOf = (req: Request) => ({ userId: req.user!.id, role: req.user!.role, collegeId: req.user!.collegeId });
  const now = () => (deps.now ? deps.now() : Date.now());
  const stoppedDeps = () => ({
    client: deps.client,
    store: deps.store,
    knex: deps.knex,
    taskQueue: deps.taskQueue,
    schoolId: deps.schoolId,
  });

  /** Workflows stopped outside the app (issue 10, finding 3): scanned now, then listed (server/ended-workflows.ts). */
  r.get('/api/admin/workflows/ended', sessionAdmin, async (_req, res) => {
    const l = await listStopped({ ...stoppedDeps(), now: now() });
    res.json({
      via: l.via,
      workflows: [
        ...l.marked.map((w) => ({
          kind: w.kind,
          id: w.id,
          collegeId: w.collegeId,
          title: w.titleZh,
          noticedAt: w.noticedAt,
          status: w.endStatus,
          restartable: true,
        })),
        ...l.found.map((w) => ({
          kind: w.kind,
          id: w.id,
          collegeId: w.collegeId,
          title: w.workflowId,
          noticedAt: w.noticedAt,
          status: w.status,
          restartable: true,
        })),
      ],
    });
  });
  r.post('/api/admin/workflows/:kind/:id/restart', sessionAdmin, async (req, res) => {
    const done = await restartStopped(stoppedDeps(), String(req.params.kind), String(req.params.id), actorOf(req));
    res.status(202).json(done);
  });
  r.get('/admin/workflows', sessionAdmin, async (req, res) => {
    const m = t(req);
    const zone = await schoolZone(deps);
    const l = await listStopped({ ...stoppedDeps(), now: now() });
    const colleges = new Map((await deps.store.listColleges(deps.schoolId)).map((c) => [c.id, c.name]));
    const en = req.lang === 'en';
    const csrf = req.csrfToken ?? '';
    const done = typeof req.query.done === 'string' ? req.query.done : '';
    const error = typeof req.query.error === 'string' ? req.query.error : '';
    const what = (w: { kind: string; titleZh: string; titleEn: string }) =>
      w.kind === 'crisis'
        ? `${m.wfKinds.crisis}: ${m.wfSituations[w.titleZh as keyof typeof m.wfSituations] ?? w.titleZh}`
        : `${m.wfKinds.task}: ${en ? w.titleEn : w.titleZh}`;
    const body = html`<h1>${m.navWorkflows}</h1>
      <p>${m.wfIntro}</p>
      ${done ? html`<p class="notice" id="done">${m.wfDone}: ${done}</p>` : ''}
      ${error ? html`<p class="error" id="error">${m.wfError}: ${error}</p>` : ''}
      ${!deps.client ? html`<p class="error">${m.wfNoTemporal}</p>` : ''}
      <table id="stopped-workflows">
        <thead>
          <tr>
            <th>${m.wfWhat}</th>
            <th>${m.college}</th>
            <th>${m.wfNoticed}</th>
            <th>${m.wfStatus}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${l.marked.map(
            (w) =>
              html`<tr data-kind="${w.kind}" data-id="${w.id}">
                <td>${what(w)}<br /><small>${w.id}</small></td>
                <td>${colleges.get(w.collegeId) ?? w.collegeId}</td>
                <td>${fmt(w.noticedAt, zone)}</td>
                <td>${w.endStatus}</td>
                <td>
                  <form method="post" action="/admin/workflows/${w.kind}/${encodeURIComponent(w.id)}/restart">
                    <input type="hidden" name="_csrf" value="${csrf}" /><button class="btn">${m.wfRestart}</button>
                  </form>
                </td>
              </tr>`,
          )}
          ${l.found.map(
            (w) =>
              html`<tr data-kind="${w.kind}" data-id="${w.id}">
                <td>${m.wfKinds[w.kind as keyof typeof m.wfKinds] ?? w.kind}<br /><small>${w.workflowId}</small></td>
                <td>${colleges.get(w.collegeId) ?? w.collegeId}</td>
                <td>${fmt(w.noticedAt, zone)}</td>
                <td data-status="${w.status}">${workflowStatusName(w.status, req.lang ?? 'zh-CN')}</td>
                <td>
                  <form method="post" action="/admin/workflows/${w.kind}/${encodeURIComponent(w.id)}/restart">
                    <input type="hidden" name="_csrf" value="${csrf}" /><button class="btn">${m.wfRestart}</button>
                  </form>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${l.marked.length + l.found.length === 0 ? html`<p id="none">${m.wfNone}</p>` : ''}`;
    res.send(page(req, { title: m.navWorkflows, body }));
  });
  r.post('/admin/workflows/:kind/:id/restart', sessionAdmin, async (req, res) => {
    const kind = String(req.params.kind);
    const id = String(req.params.id);
    try {
      await restartStopped(stoppedDeps(), kind, id, actorOf(req));
      res.redirect(303, `/admin/workflows?done=${encodeURIComponent(`${kind} ${id}`)}`);
    } catch (e) {
      if (!(e instanceof TaskRejectedError || e instanceof NotFoundError || e instanceof BadRequestError)) throw e;
      res.redirect(303, `/admin/workflows?error=${encodeURIComponent(e.message)}`);
    }
  });

  /**
   * Hand-over of a departing staff member (server/hand-over.ts): pairings, 24-hour supervision
   * guardian duties to a successor of the same college, then the account is deactivated. JSON in
   * and out ({successorUserId}); a page form gets the result page.
   */
  r.get('/admin/users/:id/hand-over', sessionAdmin, async (req, res) => {
    const who = await deps.store.getUser(String(req.params.id));
    if (!who || who.schoolId !== req.user!.schoolId)
      throw new NotFoundError(`unknown user ${String(req.params.id).slice(0, 100)}`);
    const candidates = (await deps.store.listUsers({ schoolId: who.schoolId })).filter(
      (u) => u.active && u.id !== who.id && u.collegeId !== null && u.collegeId === who.collegeId,
    );
    const pairings = who.collegeId
      ? Number(
          (
            (await deps
              .knex('pairings')
              .where({ teacher_user_id: who.id, status: 'active' })
              .count({ n: '*' })
              .first()) as {
              n: number | string;
            }
          ).n,
        )
      : 0;
    const error = typeof req.query.error === 'string' ? req.query.error : '';
    const body = html`<h1>离岗交接：${who.displayName}</h1>
      ${error ? html`<div class="error" role="alert" id="error"><p>${error}</p></div>` : ''}
      <div class="card">
        <p>
          交接后，${who.displayName} 的结对帮扶（${pairings} 名学生）和 24
          小时监护的值班监护人职责转给接替人，然后停用该账号。任务按岗位（角色）分配，不随个人移交。
        </p>
        ${
          who.collegeId
            ? html`<form
                method="post"
                action="/admin/users/${encodeURIComponent(who.id)}/hand-over"
                id="hand-over-form"
              >
                <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" />
                <label for="successor">接替人（同一学院的在岗人员）</label
                ><select id="successor" name="successorUserId" required>
                  <option value=""></option>
                  ${candidates.map((u) => html`<option value="${u.id}">${u.displayName}（${u.username}）</option>`)}
                </select>
                <p class="actions">
                  <button class="btn danger" type="submit">交接并停用账号</button>
                  <a class="btn secondary" href="/admin/users">取消</a>
                </p>
              </form>`
            : html`<p>该账号不属于学院，没有学院职责可交接；请在用户列表中直接停用。</p>`
        }
      </div>`;
    res.send(page(req, { title: '离岗交接', body }));
  });
  r.post('/api/admin/users/:id/hand-over', sessionAdmin, async (req, res) => {
    res.json(
      await handOverUser(
        { store: deps.store, knex: deps.knex, client: deps.client, now },
        req.user!,
        String(req.params.id),
        req.body,
      ),
    );
  });
  r.post('/admin/users/:id/hand-over', sessionAdmin, async (req, res) => {
    const id = String(req.params.id);
    if (req.is('application/json'))
      return void res.json(
        await handOverUser({ store: deps.store, knex: deps.knex, client: deps.client, now }, req.user!, id, req.body),
      );
    let result;
    try {
      result = await handOverUser(
        { store: deps.store, knex: deps.knex, client: deps.client, now },
        req.user!,
        id,
        req.body,
      );
    } catch (e) {
      if (!(e instanceof TaskRejectedError || e instanceof BadRequestError)) throw e;
      return void res.redirect(
        303,
        `/admin/users/${encodeURIComponent(id)}/hand-over?error=${encodeURIComponent(e.message)}`,
      );
    }
    const body = html`<h1>交接完成</h1>
      <div class="card" id="hand-over-result">
        <p>
          结对帮扶移交 ${result.pairings.length} 名学生；值班监护人移交 ${result.guardianDuties.length}
          个个案；账号已停用。
        </p>
        <p>
          任务按岗位分配，不随个人移交${result.tasks.activeHoldersLeft ? '' : html`；<strong>注意：该学院已无在岗的同岗位人员，请尽快补充</strong>`}。筛查跟进由学院各岗位负责，不随个人移交。
        </p>
        <p><a class="btn" href="/admin/users">返回用户列表</a></p>
      </div>`;
    res.send(page(req, { title: '交接完成', body }));
  });

  async function create(req: Request): Promise<string> {
    const id = String(req.body?.id ?? '');
    if (!SEMESTER_ID.test(id))
      throw new BadRequestError('semester id must be 2–63 lower-case letters, digits and dashes');
    if (await deps.store.getSemester(id)) throw new BadRequestError(`semester ${id} already exists`);
    const files = Object.fromEntries(
      await Promise.all(
        filesOf(req).map(
          async (f) => [f.fieldname, { originalname: f.originalname, buffer: await takeFile(req, f) }] as const,
        ),
      ),
    );
    let templateId = String(req.body?.templateId ?? '');
    let templateVersion = Number(req.body?.templateVersion ?? 0) || undefined;
    let calendarId = String(req.body?.calendarId ?? '');
    if (files.templateFile || files.calendarFile) {
      const tplText = files.templateFile
        ? files.templateFile.buffer.toString('utf8')
        : (await deps.store.getTemplate(templateId, templateVersion))?.body;
      const calText = files.calendarFile
        ? files.calendarFile.buffer.toString('utf8')
        : (await deps.store.getCalendar(calendarId))?.body;
      if (!tplText) throw new BadRequestError(`unknown template ${templateId}`);
      if (!calText) throw new BadRequestError(`unknown calendar ${calendarId}`);
      const stored = await registerDataTexts(deps.store, {
        template: { name: files.templateFile?.originalname ?? `template ${templateId}`, text: tplText },
        calendar: { name: files.calendarFile?.originalname ?? `calendar ${calendarId}`, text: calText },
      });
      templateId = stored.template.id;
      templateVersion = stored.template.version;
      calendarId = stored.calendar.id;
    }
    const tpl = await deps.store.getTemplate(templateId, templateVersion);
    if (!tpl) throw new BadRequestError(`unknown template ${templateId}`);
    const taskModel =
      typeof req.body?.taskModel === 'string' && req.body.taskModel !== '' ? String(req.body.taskModel) : undefined;
    await createSemester(deps.store, {
      id,
      schoolId: deps.schoolId,
      templateId: tpl.id,
      templateVersion: tpl.version,
      calendarId,
      taskModel,
    });
    return id;
  }

  async function plan(id: string) {
    const semester = await deps.store.getSemester(id);
    if (!semester || semester.schoolId !== deps.schoolId) throw new NotFoundError(`unknown semester ${id}`);
    const calendarRow = await deps.store.getCalendar(semester.calendarId);
    if (!calendarRow) throw new NotFoundError(`calendar ${semester.calendarId} is missing`);
    const colleges = await deps.store.listColleges(deps.schoolId);
    const template = await templateOf(deps.store, semester);
    // the holiday reminders a missing or merged holiday changed, by the template's rule (skip / merge-into)
    const { plan: p, adjustments } = previewPlan({
      semesterId: id,
      template,
      calendar: parseCalendar(semester.calendarId, calendarRow.body),
      colleges,
    });
    const titled = adjustments.map((a) => ({
      ...a,
      title: template.tasks.find((x) => x.id === a.templateTaskId)?.title ?? {
        zh: a.templateTaskId,
        en: a.templateTaskId,
      },
    }));
    return { semester, plan: p, colleges, adjustments: titled };
  }

  r.get('/api/semesters', admin, async (_req, res) => {
    const rows = await deps.store.listSemesters(deps.schoolId);
    res.json({
      semesters: rows.map((s) => ({
        id: s.id,
        status: s.status,
        templateId: s.templateId,
        templateVersion: s.templateVersion,
        calendarId: s.calendarId,
        workflowId: s.workflowId,
      })),
    });
  });
  r.post(
    '/api/semesters',
    admin,
    upload,
    withUploads(async (req, res) => void res.status(201).json({ semester: await create(req) })),
  );
  r.get('/api/semesters/:id/plan', admin, async (req, res) => {
    const { plan: p, adjustments } = await plan(String(req.params.id));
    const months = [...byMonth(p.tasks.filter((x) => x.collegeId === p.tasks[0]?.collegeId))].map(([month, tasks]) => ({
      month,
      tasks: tasks.map(({ collegeId: _c, semesterId: _s, ...x }) => x),
    }));
    res.json({
      semester: p.semesterId,
      timezone: p.timezone,
      colleges: new Set(p.tasks.map((x) => x.collegeId)).size,
      tasksPerCollege: months.reduce((n, m) => n + m.tasks.length, 0),
      months,
      adjustments,
    });
  });
  r.post('/api/semesters/:id/start', admin, async (req, res) => {
    const { semester } = await plan(String(req.params.id));
    const started = await startSemester(client(), deps.store, semester.id, deps.taskQueue);
    res.status(202).json({ semester: semester.id, workflowId: started.workflowId });
  });
  // a new checklist version for a running semester (issue 12 part 5): body { templateVersion, reason }
  r.post('/api/semesters/:id/replan', admin, async (req, res) => {
    const semester = await deps.store.getSemester(String(req.params.id));
    if (!semester || semester.schoolId !== deps.schoolId)
      throw new NotFoundError(`unknown semester ${String(req.params.id)}`);
    const body = (req.body ?? {}) as { templateVersion?: unknown; reason?: unknown };
    const outcome = await replanSemester(client(), deps.store, {
      semesterId: semester.id,
      templateVersion: Number(body.templateVersion),
      reason: typeof body.reason === 'string' ? body.reason : '',
      actor: actorOf(req),
    });
    res.status(outcome.colleges.some((c) => c.error) ? 207 : 200).json(outcome);
  });
  r.post('/api/semesters/:id/colleges/:collegeId/start', admin, async (req, res) => {
    const semester = await deps.store.getSemester(String(req.params.id));
    if (!semester || semester.schoolId !== deps.schoolId)
      throw new NotFoundError(`unknown semester ${String(req.params.id)}`);
    const started = await startCollege(client(), deps.store, semester.id, String(req.params.collegeId), deps.taskQueue);
    res
      .status(202)
      .json({ semester: semester.id, college: String(req.params.collegeId), workflowId: started.workflowId });
  });

  r.get('/admin/semesters', admin, async (req, res) => {
    const m = t(req);
    const lang = req.lang ?? 'zh-CN';
    const semesters = await Promise.all(
      (await deps.store.listSemesters(deps.schoolId)).map(async (s) => ({
        ...s,
        name: await semesterName(deps.store, s, lang),
      })),
    );
    const templates = await deps
      .knex('templates')
      .select('id', 'version', 'title_zh')
      .orderBy([{ column: 'id' }, { column: 'version' }]);
    const calendars = await deps.knex('calendars').select('id', 'name_zh').orderBy('id');
    const csrf = req.csrfToken ?? '';
    const body = html`<h1>${m.navSemesters}</h1>
      <p id="semester-tools">
        <a href="/admin/roll-forward">${lang === 'en' ? 'Roll last year’s semester forward' : '沿用上学年的学期'}</a> ·
        <a href="/admin/checklists">${lang === 'en' ? 'Checklists (xlsx)' : '工作清单（xlsx 导入导出）'}</a>
      </p>
      <table id="semesters">
        <thead>
          <tr>
            <th>${m.semesterId}</th>
            <th>${m.template}</th>
            <th>${m.calendar}</th>
            <th>${m.status}</th>
          </tr>
        </thead>
        <tbody>
          ${semesters.map(
            (s) =>
              html`<tr>
                <td><a href="/admin/semesters/${s.id}">${s.name}</a><br /><small translate="no">${s.id}</small></td>
                <td>
                  ${templates.find((x: { id: string; version: number }) => x.id === s.templateId && x.version === s.templateVersion)?.title_zh ?? ''}<br /><small
                    translate="no"
                    >${s.templateId} v${s.templateVersion}</small
                  >
                </td>
                <td>
                  ${calendars.find((x: { id: string }) => x.id === s.calendarId)?.name_zh ?? ''}<br /><small
                    translate="no"
                    >${s.calendarId}</small
                  >
                </td>
                <td class="semester-${s.status}">${semesterStatusName(s.status, lang)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <form class="card" method="post" enctype="multipart/form-data" action="/admin/semesters?_csrf=${csrf}">
        <h2>${m.create}</h2>
        <label>${m.semesterId}</label
        ><input name="id" required pattern="[a-z0-9][a-z0-9-]{1,62}" placeholder="2025-spring" />
        <label>${m.template} (${m.uploadOr})</label
        ><input type="file" name="templateFile" accept="application/json,.json" />
        <select name="templateId">
          ${templates.map((x: { id: string; version: number; title_zh: string }) => html`<option value="${x.id}">${x.title_zh} (${x.id} v${x.version})</option>`)}
        </select>
        <label>${m.calendar} (${m.uploadOr})</label
        ><input type="file" name="calendarFile" accept="application/json,.json" />
        <select name="calendarId">
          ${calendars.map((x: { id: string; name_zh: string }) => html`<option value="${x.id}">${x.name_zh} (${x.id})</option>`)}
        </select>
        <p><button class="btn">${m.create}</button></p>
      </form>`;
    res.send(page(req, { title: m.navSemesters, body }));
  });

  r.post(
    '/admin/semesters',
    admin,
    upload,
    withUploads(async (req, res) => {
      const id = await create(req);
      res.redirect(303, `/admin/semesters/${id}`);
    }),
  );

  r.get('/admin/semesters/:id', admin, async (req, res) => {
    const m = t(req);
    const zone = await schoolZone(deps);
    const { semester, plan: p, colleges, adjustments } = await plan(String(req.params.id));
    const first = colleges[0]?.id;
    const months = [...byMonth(p.tasks.filter((x) => x.collegeId === first))];
    const lang = req.lang ?? 'zh-CN';
    const words = await calendarWords(deps.store, semester.calendarId);
    const name = lang === 'en' ? words.name.en : words.name.zh;
    const body = html`<h1>${m.preview}: ${name}</h1>
      <p>
        ${m.status}: ${semesterStatusName(semester.status, lang)} · ${m.colleges}: ${colleges.length} · ${m.planned}:
        ${p.tasks.length}
      </p>
      ${
        adjustments.length
          ? html`<section id="holiday-rules">
              <h2>${lang === 'en' ? 'Holidays this semester lacks or has merged' : '本学期缺少或合并的节假日'}</h2>
              <ul>
                ${adjustments.map((a) => html`<li>${lang === 'en' ? a.title.en : a.title.zh}: ${lang === 'en' ? a.reason : a.reasonZh}</li>`)}
              </ul>
            </section>`
          : ''
      }
      ${semester.status === 'planned' ? html`<form method="post" action="/admin/semesters/${semester.id}/start"><input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" /><button class="btn" id="start">${m.start}</button></form>` : ''}
      ${months.map(
        ([month, tasks]) =>
          html`<h2>${monthLabel(month, lang)} (${tasks.length})</h2>
            <table class="plan">
              <thead>
                <tr>
                  <th>${m.task}</th>
                  <th>${m.owner}</th>
                  <th>${m.opens}</th>
                  <th>${m.due}</th>
                </tr>
              </thead>
              <tbody>
                ${tasks.map(
                  (x) =>
                    html`<tr>
                      <td>${titleWithOccurrence(x, lang, words.holidays)}</td>
                      <td>${m.roleNames[x.ownerRole]}</td>
                      <td>${fmt(x.openAt, zone)}</td>
                      <td>${fmt(x.dueAt, zone)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`,
      )}`;
    res.send(page(req, { title: name, body }));
  });

  r.post('/admin/semesters/:id/start', admin, async (req, res) => {
    const { semester } = await plan(String(req.params.id));
    await startSemester(client(), deps.store, semester.id, deps.taskQueue);
    res.redirect(303, `/?semester=${semester.id}`);
  });

  return r;
}

export { raw };
