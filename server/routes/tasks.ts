/**
 * The staff workspace: my tasks, a task's page (checklist text, hotlines, evidence, history),
 * completion with a note and evidence uploads (through the task workflow's Update, whose
 * rejection reasons are shown as written), waiver by the college leader, a moved due date by the
 * school admin, evidence downloads and the in-app inbox. Pages and JSON API side by side.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { TaskInstanceRow } from '../../db/store';
import { BadRequestError, currentUser, ForbiddenError, type SessionUser } from '../auth/context';
import type { AppDeps } from '../deps';
import {
  acceptUploads,
  checkUploads,
  discardUploads,
  getEvidence,
  listEvidence,
  MAX_FILE_BYTES,
  MAX_FILES,
  storeUploads,
} from '../evidence';
import { html, page, raw } from '../html';
import { NotFoundError } from '../semesters';
import { completeTask, ledgerDutyProblem, moveDue, returnTask, TaskRejectedError, waiveTask } from '../tasks';
import { idemField, once, type IdemContext } from '../idempotency';
import {
  fmt,
  isClosed,
  queryString,
  schoolZone,
  semesterInView,
  t,
  templateOf,
  templateTaskOf,
  visibleTask,
} from './common';
import { filteredTasks, taskTable } from './dashboard';
import { calendarWords, levelName, occurrenceLabeler, taskRefusalText, titleWithOccurrence } from '../views/words';
import { filesOf, receiveUploads, removeUploads, uploadDir, withUploads } from '../upload';

const TASK_STATUSES: readonly string[] = ['planned', 'open', 'overdue', 'completed', 'waived'];
/** inbox entries per page */
const INBOX_PAGE = 50;

const actorOf = (u: SessionUser) => ({ userId: u.id, role: u.role, collegeId: u.collegeId });

/** May this user complete this task? (owner role of the college, or its leader) */
const canComplete = (u: SessionUser, row: TaskInstanceRow) =>
  u.collegeId === row.collegeId && (u.role === row.ownerRole || u.role === 'college_leader');

/** May this user return (退回) this task's completion? (the college's leader, or the school admin) */
const mayReturn = (u: SessionUser, row: TaskInstanceRow) =>
  u.role === 'school_admin' || (u.role === 'college_leader' && u.collegeId === row.collegeId);

/** Tasks assigned to this user: their college's tasks of their role (leaders: the leader's), open first, due soonest first. */
async function myTasks(deps: AppDeps, user: SessionUser, semesterId: string): Promise<TaskInstanceRow[]> {
  if (!user.collegeId) return [];
  const rows = await deps.store.listTaskInstances({
    semesterId,
    collegeId: user.collegeId,
    status: ['open', 'overdue', 'planned', 'completed', 'waived'],
  });
  const now = (deps.now ?? Date.now)();
  return rows
    .filter((r) => r.ownerRole === user.role)
    .sort(
      (a, b) =>
        Number(isClosed(a)) - Number(isClosed(b)) ||
        Number(a.openAt > now) - Number(b.openAt > now) ||
        a.dueAt - b.dueAt,
    );
}

function requireClient(deps: AppDeps) {
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  return deps.client;
}

export function createTaskRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  r.get('/api/tasks', async (req, res) => {
    const user = currentUser(req);
    const semester = await semesterInView(deps, req);
    if (!semester) return void res.json({ tasks: [] });
    const status = queryString(req, 'status');
    if (status && !TASK_STATUSES.includes(status))
      throw new BadRequestError(`unknown status "${status.slice(0, 40)}": use one of ${TASK_STATUSES.join(', ')}`);
    const level = queryString(req, 'level');
    if (level && !['0', '1', '2'].includes(level))
      throw new BadRequestError(`unknown escalation level "${level.slice(0, 40)}": use 0, 1 or 2`);
    let rows: TaskInstanceRow[];
    if (req.query.mine === '1') {
      // the same filters as the college listing below (status, month, level), over my tasks
      const month = queryString(req, 'month');
      rows = (await myTasks(deps, user, semester.id)).filter(
        (r) =>
          (!status || r.status === status) &&
          (!month || r.month === month) &&
          (level === undefined || String(r.escalationLevel) === level),
      );
    } else {
      const college =
        queryString(req, 'college') ?? (user.role === 'school_admin' ? undefined : (user.collegeId ?? undefined));
      if (user.role !== 'school_admin' && college !== user.collegeId)
        throw new ForbiddenError('this belongs to another college');
      rows = await filteredTasks(deps, req, semester.id, college);
    }
    res.json({ semester: semester.id, tasks: rows });
  });

  r.get('/tasks/mine', async (req, res) => {
    const user = currentUser(req);
    const m = t(req);
    const semester = await semesterInView(deps, req);
    const zone = await schoolZone(deps);
    const rows = semester ? await myTasks(deps, user, semester.id) : [];
    const hotlines = semester ? (await templateOf(deps.store, semester)).hotlines : [];
    const body = html`<h1>${m.navMyTasks}</h1>
      <p class="card">
        ${m.hotlines}:
        ${hotlines.map((h) => html`${req.lang === 'en' ? h.name.en : h.name.zh}${h.number ? ` ${h.number}` : ''}；`)}
      </p>
      ${taskTable(req, rows, zone, await occurrenceLabeler(deps.store, deps.schoolId, req.lang ?? 'zh-CN'))}
      ${semester && user.collegeId ? html`<p><a href="/exports/tasks.xlsx?semester=${semester.id}&college=${user.collegeId}" id="ledger-export">${m.exportXlsx}</a> · <a href="/exports/tasks.csv?semester=${semester.id}&college=${user.collegeId}">${m.exportCsv}</a></p>` : ''}`;
    res.send(page(req, { title: m.navMyTasks, body }));
  });

  r.get('/api/tasks/:id', async (req, res) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    const history = await deps.store.listAudit({ subjectType: 'task', subjectId: row.id });
    const evidence = await listEvidence(deps.knex, row.id);
    res.json({
      task: row,
      history,
      evidence: evidence.map((e) => ({
        id: e.id,
        name: e.original_name,
        kind: e.kind,
        size: e.size,
        url: `/evidence/${e.id}`,
      })),
    });
  });

  r.get('/tasks/:id', async (req, res) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    const m = t(req);
    const zone = await schoolZone(deps);
    const semester = await deps.store.getSemester(row.semesterId);
    const template = semester ? await templateOf(deps.store, semester) : undefined;
    const ttask = semester ? await templateTaskOf(deps.store, semester, row.templateTaskId) : undefined;
    const history = await deps.store.listAudit({ subjectType: 'task', subjectId: row.id });
    const users = new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
    const evidence = await listEvidence(deps.knex, row.id);
    const csrf = req.csrfToken ?? '';
    // one idempotency key per page load: a form sent twice (a retry, a double click) acts once
    const idem = idemField();
    const rules = ttask?.evidence;
    const completeForm =
      !isClosed(row) && canComplete(user, row)
        ? html`<form
            class="card"
            method="post"
            enctype="multipart/form-data"
            action="/tasks/${encodeURIComponent(row.id)}/complete?_csrf=${csrf}"
          >
            ${idem}
            <h2>${m.complete}</h2>
            <label for="complete-note">${m.note}</label><textarea id="complete-note" name="note" required></textarea>
            ${(rules?.documents ?? []).map((d) => html`<label for="complete-doc_${d.id}">${req.lang === 'en' ? d.en : d.zh}</label><input type="file" id="complete-doc_${d.id}" name="doc_${d.id}" accept="image/jpeg,image/png,application/pdf" />`)}
            ${rules?.minPhotosPerActivity ? html`<label for="complete-activities">${m.activities}</label><input type="number" id="complete-activities" name="activities" min="1" max="3" value="1" />${[1, 2, 3].map((n) => html`<label for="complete-photos_${n}">#${n}</label><input type="file" id="complete-photos_${n}" name="photos_${n}" accept="image/jpeg,image/png" multiple />`)}` : ''}
            <label for="complete-files">${m.files}</label
            ><input
              type="file"
              id="complete-files"
              name="files"
              accept="image/jpeg,image/png,application/pdf"
              multiple
            />
            <p><button class="btn" type="submit">${m.submit}</button></p>
          </form>`
        : '';
    const waiveForm =
      !isClosed(row) && user.role === 'college_leader' && user.collegeId === row.collegeId
        ? html`<form class="card" method="post" action="/tasks/${encodeURIComponent(row.id)}/waive">
            <input type="hidden" name="_csrf" value="${csrf}" />${idem}
            <h2>${m.waive}</h2>
            <label>${m.reason}</label><input name="reason" required /><button class="btn">${m.waive}</button>
          </form>`
        : '';
    const moveForm =
      !isClosed(row) && user.role === 'school_admin'
        ? html`<form class="card" method="post" action="/tasks/${encodeURIComponent(row.id)}/due">
            <input type="hidden" name="_csrf" value="${csrf}" />${idem}
            <h2>${m.moveDue}</h2>
            <label>${m.newDue}</label><input name="due" required value="${fmt(row.dueAt, zone)}" /><label
              >${m.reason}</label
            ><input name="reason" required /><button class="btn">${m.moveDue}</button>
          </form>`
        : '';
    const flash = queryString(req, 'error');
    const lang = req.lang ?? 'zh-CN';
    // 退回: a completed task of a ladder semester (a per-task semester's workflow ended with the completion)
    const onReturn = queryString(req, 'form') === 'return';
    const refusal = (text: string) =>
      html`<div class="error" id="return-error" role="alert">
        <p>${taskRefusalText(text, lang) ?? text}</p>
        ${
          taskRefusalText(text, lang)
            ? html`<details>
                <summary>${lang === 'en' ? 'Details' : '详细原因'}</summary>
                <p>${text}</p>
              </details>`
            : ''
        }
      </div>`;
    const returnForm =
      row.status === 'completed' && mayReturn(user, row) && semester?.taskModel === 'ladder'
        ? html`<form class="card" id="return-form" method="post" action="/tasks/${encodeURIComponent(row.id)}/return">
            <input type="hidden" name="_csrf" value="${csrf}" />${idem}
            <h2>${lang === 'en' ? 'Return the completion' : '退回'}</h2>
            ${onReturn && flash ? refusal(flash) : ''}
            <p class="muted">
              ${lang === 'en' ? 'The task reopens with its deadline and escalation, and its assignees are told the reason.' : '退回后任务重新打开，按原截止时间和预警规则继续，负责人会收到退回理由。'}
            </p>
            <label for="return-reason">${lang === 'en' ? 'Reason' : '退回理由'}</label
            ><textarea id="return-reason" name="reason" required></textarea>
            <p><button class="btn">${lang === 'en' ? 'Return' : '退回'}</button></p>
          </form>`
        : row.status === 'completed' && mayReturn(user, row)
          ? html`<p class="card muted" id="return-unavailable">
              ${lang === 'en' ? 'This semester runs one workflow per task, which ended with the completion: it cannot be returned.' : '本学期的任务按“每任务一个流程”运行，任务完成后流程即结束，无法退回。'}
            </p>`
          : '';
    const body = html`<h1>
        ${titleWithOccurrence(row, lang, semester ? (await calendarWords(deps.store, semester.calendarId)).holidays : undefined)}
      </h1>
      ${
        flash && !(onReturn && returnForm)
          ? html`<div class="error" id="error" role="alert">
              ${
                taskRefusalText(flash, lang)
                  ? html`<p>${taskRefusalText(flash, lang)}</p>
                      <details>
                        <summary>${lang === 'en' ? 'Details' : '详细原因'}</summary>
                        <p>${flash}</p>
                      </details>`
                  : html`<p>${flash}</p>`
              }
            </div>`
          : ''
      }${queryString(req, 'done') ? html`<p class="ok">✓</p>` : ''}
      <div class="card">
        <p>${ttask?.textZh ?? ''}</p>
        ${ttask?.evidence.ledgerMonthlyReview ? html`<p class="note" id="ledger-duty">${req.lang === 'en' ? 'This task also covers the monthly update of the intervention ledger (seed 003 §8): every entry made before this month needs a follow-up this month.' : '本任务同时要求每月更新心理干预台账：本月之前录入的每条台账记录，本月都须有跟踪情况。'} <a href="/care?college=${encodeURIComponent(row.collegeId)}">${req.lang === 'en' ? 'Open the ledger' : '打开干预台账'}</a></p>` : ''}
        <p>
          ${m.status}:
          <strong class="status-${row.status}" id="status"
            >${m.statusNames[row.status]}${row.late ? ` (${m.late})` : ''}</strong
          >
          · ${m.level}: <span id="level">${levelName(row.escalationLevel, lang)}</span> · ${m.opens}:
          ${fmt(row.openAt, zone)} · ${m.due}: ${fmt(row.dueAt, zone)} · ${m.owner}: ${m.roleNames[row.ownerRole]}
        </p>
        ${row.note ? html`<p>${m.note}: ${row.note}</p>` : ''}${row.waivedReason ? html`<p>${m.reason}: ${row.waivedReason}</p>` : ''}
        <p>
          ${m.hotlines}:
          ${(template?.hotlines ?? []).map((h) => html`${req.lang === 'en' ? h.name.en : h.name.zh}${h.number ? ` ${h.number}` : ''}；`)}
        </p>
        ${user.role === 'school_admin' ? html`<p><a href="${deps.temporalUiUrl}/namespaces/${deps.namespace}/workflows/${encodeURIComponent(row.id)}">${m.temporalLink}</a></p>` : ''}
      </div>
      ${
        evidence.length
          ? html`<div class="card">
              <h2>${m.evidence}</h2>
              <ul>
                ${evidence.map((e) => html`<li><a href="/evidence/${e.id}">${e.original_name}</a> (${Math.ceil(e.size / 1024)} KB)</li>`)}
              </ul>
            </div>`
          : ''
      }
      ${completeForm}${waiveForm}${moveForm}${returnForm}
      <h2>${m.history}</h2>
      <table id="history">
        <thead>
          <tr>
            <th>${m.at}</th>
            <th>${m.action}</th>
            <th>${m.actor}</th>
          </tr>
        </thead>
        <tbody>
          ${history.map(
            (a) =>
              html`<tr>
                <td>${fmt(a.at, zone)}</td>
                <td>${(m.actionNames as Record<string, string>)[a.action] ?? a.action}</td>
                <td>${a.actor === 'timer' ? m.timer : (users.get(a.actor) ?? a.actor)}</td>
              </tr>`,
          )}
        </tbody>
      </table>`;
    res.send(page(req, { title: titleWithOccurrence(row, lang), body }));
  });

  /** Before any of the body is read: signed in, the task visible, and theirs to complete (the CSRF token was checked by then). */
  const mayComplete = async (req: Request, _res: Response, next: NextFunction) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    if (!canComplete(user, row))
      throw new ForbiddenError(`only the ${row.ownerRole} of the college or the college leader may complete this task`);
    next();
  };
  const upload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: MAX_FILE_BYTES,
    maxFiles: MAX_FILES,
    maxFields: 50,
  });

  /** Completion: uploads are stored first, then the Update decides; a rejection removes them again. */
  async function complete(req: Request, idem?: IdemContext) {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    const uploads = filesOf(req);
    const note = typeof req.body?.note === 'string' ? req.body.note : '';
    const activities = req.body?.activities ? Number(req.body.activities) : undefined;
    try {
      await checkUploads(uploads);
      // rules that read the database (the monthly ledger duty) are checked before the uploads are stored
      const problem = await ledgerDutyProblem(deps.store, row, (deps.now ?? Date.now)());
      if (problem) throw new TaskRejectedError(problem);
      const client = requireClient(deps);
      const dir = deps.evidenceDir;
      const files = await storeUploads(deps.knex, dir, row.id, user.id, uploads, (deps.now ?? Date.now)());
      const ids = files.map((f) => f.id);
      try {
        const state = await completeTask(
          client,
          deps.store,
          row.id,
          { actor: actorOf(user), note, files, ...(activities ? { activities } : {}) },
          { updateId: idem?.id, now: (deps.now ?? Date.now)() },
        );
        await acceptUploads(deps.knex, ids);
        return state;
      } catch (e) {
        await discardUploads(deps.knex, dir, ids);
        throw e;
      }
    } finally {
      await removeUploads(req); // whatever was not moved into the evidence store
    }
  }

  r.post(
    '/api/tasks/:id/complete',
    mayComplete,
    upload,
    withUploads(async (req, res) => {
      const { status, body } = await once(deps.knex, req, 200, (idem) => complete(req, idem));
      res.status(status).json({ task: body });
    }),
  );

  r.post(
    '/tasks/:id/complete',
    mayComplete,
    upload,
    withUploads(async (req, res) => {
      await backToTask(req, res, async () => (await once(deps.knex, req, 200, (idem) => complete(req, idem))).body);
    }),
  );

  const waive = async (req: Request) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    return (
      await once(deps.knex, req, 200, (idem) =>
        waiveTask(requireClient(deps), deps.store, row.id, actorOf(user), String(req.body?.reason ?? ''), {
          updateId: idem?.id,
        }),
      )
    ).body;
  };
  r.post('/api/tasks/:id/waive', async (req, res) => void res.json({ task: await waive(req) }));
  r.post('/tasks/:id/waive', async (req, res) => backToTask(req, res, () => waive(req)));

  const move = async (req: Request) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    if (user.role !== 'school_admin') throw new ForbiddenError('only the school administration may move a due date');
    return (
      await once(deps.knex, req, 200, (idem) =>
        moveDue(
          requireClient(deps),
          deps.store,
          row.id,
          actorOf(user),
          String(req.body?.due ?? ''),
          String(req.body?.reason ?? ''),
          {
            updateId: idem?.id,
          },
        ),
      )
    ).body;
  };
  r.post('/api/tasks/:id/due', async (req, res) => void res.json({ task: await move(req) }));
  r.post('/tasks/:id/due', async (req, res) => backToTask(req, res, () => move(req)));

  /** 退回: the college's leader (or the school admin) returns a completion with a reason. */
  const giveBack = async (req: Request) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    if (!mayReturn(user, row))
      throw new ForbiddenError("only the college's leader or the school administration may return a completion");
    const reason = req.body?.reason;
    if (typeof reason !== 'string' || !reason.trim())
      throw new TaskRejectedError('a reason is required to return a completion');
    if (reason.length > 2000) throw new TaskRejectedError('the reason is longer than 2000 characters');
    return (
      await once(deps.knex, req, 200, (idem) =>
        returnTask(requireClient(deps), deps.store, row.id, actorOf(user), reason, { updateId: idem?.id }),
      )
    ).body;
  };
  r.post('/api/tasks/:id/return', async (req, res) => void res.json({ task: await giveBack(req) }));
  r.post('/tasks/:id/return', async (req, res) => backToTask(req, res, () => giveBack(req), 'return'));

  r.get('/evidence/:id', async (req, res) => {
    const user = currentUser(req);
    const e = await getEvidence(deps.knex, String(req.params.id));
    if (!e) throw new NotFoundError('unknown evidence file');
    await visibleTask(deps, user, e.task_id);
    res.setHeader('Content-Type', e.mime);
    res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(e.original_name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    fs.createReadStream(path.join(deps.evidenceDir, e.id)).pipe(res);
  });

  r.get('/api/inbox', async (req, res) => {
    const user = currentUser(req);
    res.json({ notifications: await deps.store.listNotifications(user.id, { unreadOnly: req.query.unread === '1' }) });
  });

  r.post('/api/inbox/:id/read', async (req, res) => {
    const user = currentUser(req);
    await deps.store.markNotificationRead(Number(req.params.id), user.id);
    res.status(204).end();
  });

  r.get('/inbox', async (req, res) => {
    const user = currentUser(req);
    const m = t(req);
    const zone = await schoolZone(deps);
    // filters (unread only, kind) and pages of INBOX_PAGE entries
    const unreadOnly = req.query.unread === '1';
    const kind = queryString(req, 'kind');
    const everything = await deps.store.listNotifications(user.id);
    const unreadTotal = everything.filter((n) => !n.readAt).length;
    const filtered = everything.filter((n) => (!unreadOnly || !n.readAt) && (!kind || n.subjectType === kind));
    const pages = Math.max(1, Math.ceil(filtered.length / INBOX_PAGE));
    const pageNo = Math.min(pages, Math.max(1, Number.parseInt(queryString(req, 'page') ?? '1', 10) || 1));
    const items = filtered.slice((pageNo - 1) * INBOX_PAGE, pageNo * INBOX_PAGE);
    const kinds = [...new Set(everything.map((n) => n.subjectType))].sort();
    const qs = (p: number) =>
      `?${new URLSearchParams({ ...(unreadOnly ? { unread: '1' } : {}), ...(kind ? { kind } : {}), page: String(p) }).toString()}`;
    const back = qs(pageNo);
    // each entry links to its subject; a pairing's page is its college's care workspace (one query for all)
    const pairingIds = [...new Set(items.filter((n) => n.subjectType === 'pairing').map((n) => n.subjectId))];
    const pairingCollege = new Map<string, string>();
    for (let i = 0; i < pairingIds.length; i += 500) {
      const rows = (await deps
        .knex('pairings')
        .whereIn('id', pairingIds.slice(i, i + 500))
        .select('id', 'college_id')) as Array<{ id: string; college_id: string }>;
      for (const row of rows) pairingCollege.set(row.id, row.college_id);
    }
    const hrefOf = (n: { subjectType: string; subjectId: string }): string | undefined => {
      const id = encodeURIComponent(n.subjectId);
      switch (n.subjectType) {
        case 'task':
          return `/tasks/${id}`;
        case 'crisis':
          return `/crises/${id}`;
        case 'screening':
          return `/screening/warnings/${id}`;
        case 'pairing': {
          const college = pairingCollege.get(n.subjectId);
          return college ? `/care?college=${encodeURIComponent(college)}` : '/care';
        }
        case 'college':
          return `/colleges/${id}`;
        case 'school':
          return '/';
        default:
          return undefined;
      }
    };
    const csrfInput = html`<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" />`;
    const pager =
      pages > 1
        ? html`<nav class="pager" aria-label="${m.pageOf(pageNo, pages)}">
            ${pageNo > 1 ? html`<a class="btn" rel="prev" href="/inbox${qs(pageNo - 1)}">${m.prevPage}</a>` : ''}
            <span>${m.pageOf(pageNo, pages)}</span>
            ${pageNo < pages ? html`<a class="btn" rel="next" href="/inbox${qs(pageNo + 1)}">${m.nextPage}</a>` : ''}
          </nav>`
        : '';
    const body = html`<h1>${m.navInbox}</h1>
      <p class="muted" id="inbox-count">${m.inboxCount(unreadTotal, everything.length)}</p>
      <div class="card filters-row">
        <form method="get" action="/inbox" class="filters" id="inbox-filters">
          <label
            >${m.inboxShow}
            <select name="unread">
              <option value="">${m.any}</option>
              <option value="1" ${unreadOnly ? raw(' selected') : ''}>${m.inboxUnread}</option>
            </select></label
          >
          <label
            >${m.inboxKind}
            <select name="kind">
              <option value="">${m.any}</option>
              ${kinds.map((k) => html`<option value="${k}" ${k === kind ? raw(' selected') : ''}>${m.inboxKinds[k] ?? k}</option>`)}
            </select></label
          >
          <button class="btn">${m.filter}</button>
        </form>
        ${unreadTotal ? html`<form method="post" action="/inbox/read-all" id="read-all">${csrfInput}<button class="btn">${m.markAllRead}</button></form>` : ''}
      </div>
      ${items.length ? '' : html`<p>${m.inboxEmpty}</p>`}
      <table id="inbox">
        <tbody>
          ${items.map((n) => {
            const href = hrefOf(n);
            return html`<tr class="${n.readAt ? 'read' : 'unread'}">
              <td>${fmt(n.createdAt, zone)}</td>
              <td>${href ? html`<a href="${href}">${n.title}</a>` : n.title}<br /><small>${n.body}</small></td>
              <td>
                ${n.readAt ? '' : html`<form method="post" action="/inbox/${n.id}/read" class="inline">${csrfInput}<input type="hidden" name="back" value="${back}" /><button>${m.markRead}</button></form>`}
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
      ${pager}`;
    res.send(page(req, { title: m.navInbox, body }));
  });

  /** back to the inbox page the form was on (only a query string of the inbox is followed) */
  const inboxBack = (req: Request) => {
    const b = typeof req.body?.back === 'string' ? req.body.back : '';
    return /^\?[A-Za-z0-9=&%_-]*$/.test(b) ? `/inbox${b}` : '/inbox';
  };

  r.post('/inbox/:id/read', async (req, res) => {
    const user = currentUser(req);
    await deps.store.markNotificationRead(Number(req.params.id), user.id);
    res.redirect(303, inboxBack(req));
  });

  /** Every unread entry of the user read at once. */
  r.post('/inbox/read-all', async (req, res) => {
    const user = currentUser(req);
    await deps
      .knex('notifications')
      .where({ recipient_user_id: user.id })
      .whereNull('read_at')
      .update({ read_at: (deps.now ?? Date.now)() });
    res.redirect(303, '/inbox');
  });

  return r;
}

/** Page forms: on success back to the task; a rejection's reason is shown on the task page as written. */
async function backToTask(req: Request, res: Response, action: () => Promise<unknown>, form?: string): Promise<void> {
  const target = `/tasks/${encodeURIComponent(String(req.params.id))}`;
  try {
    await action();
    res.redirect(303, `${target}?done=1`);
  } catch (e) {
    if (e instanceof TaskRejectedError)
      return void res.redirect(303, `${target}?error=${encodeURIComponent(e.message)}${form ? `&form=${form}` : ''}`);
    throw e;
  }
}

export { raw };
