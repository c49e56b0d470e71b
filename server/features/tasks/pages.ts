/**
 * The staff workspace pages: my tasks, a task's page (checklist text, hotlines, evidence, history),
 * its forms (complete, waive, move the due date, return), evidence downloads and the in-app inbox.
 */
import { classTrainingOfTask } from './views/class-training';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { pairingColleges, markAllNotificationsRead } from '../../../db/repositories/inbox';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { html } from '../../platform/html';
import { page } from '../../platform/layout';
import { queryString, schoolZone, semesterInView, visibleTask } from '../../platform/request';
import { NotFoundError, templateOf, templateTaskOf } from '../semesters/use-cases';
import { withUploads } from '../../platform/upload';
import { calendarWords, occurrenceLabeler, titleWithOccurrence } from '../../platform/views/words';
import { taskTable } from '../../platform/views/task-table';
import { taskActions } from './actions';
import { getEvidence, listEvidence, myTasks, TaskRejectedError } from './use-cases';
import { inboxBody, inboxPage, pairingIdsOf } from './views/inbox';
import { taskForms } from './views/task-forms';
import { taskPageBody } from './views/task-page';
import { text } from '../../platform/i18n';

export function createTaskPages(deps: AppDeps, actions: ReturnType<typeof taskActions>): express.Router {
  const r = express.Router();

  r.get('/tasks/mine', async (req, res) => {
    const user = currentUser(req);
    const m = text(req).ui;
    const semester = await semesterInView(deps, req);
    const zone = await schoolZone(deps);
    const rows = semester ? await myTasks(deps.store, user, semester.id, (deps.now ?? Date.now)()) : [];
    const hotlines = semester ? (await templateOf(deps.store, semester)).hotlines : [];
    const body = html`<h1>${m.navMyTasks}</h1>
<p class="card">${m.hotlines}: ${hotlines.map((h) => html`${req.lang === 'en' ? h.name.en : h.name.zh}${h.number ? ` ${h.number}` : ''}；`)}</p>
${taskTable(req, rows, zone, await occurrenceLabeler(deps.store, deps.schoolId, req.lang ?? 'zh-CN'))}
${semester && user.collegeId ? html`<p><a href="/exports/tasks.xlsx?semester=${semester.id}&college=${user.collegeId}" id="ledger-export">${m.exportXlsx}</a> · <a href="/exports/tasks.csv?semester=${semester.id}&college=${user.collegeId}">${m.exportCsv}</a></p>` : ''}`;
    res.send(page(req, { title: m.navMyTasks, body }));
  });

  r.get('/tasks/:id', async (req, res) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    const zone = await schoolZone(deps);
    const semester = await deps.store.getSemester(row.semesterId);
    const template = semester ? await templateOf(deps.store, semester) : undefined;
    const ttask = semester ? await templateTaskOf(deps.store, semester, row.templateTaskId) : undefined;
    const history = await deps.store.listAudit({ subjectType: 'task', subjectId: row.id });
    const users = new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
    const evidence = await listEvidence(deps.knex, row.id);
    const flash = queryString(req, 'error');
    const onReturn = queryString(req, 'form') === 'return';
    const forms = taskForms(req, { user, row, zone, semester, rules: ttask?.evidence, flash, onReturn });
    const holidays = semester ? (await calendarWords(deps.store, semester.calendarId)).holidays : undefined;
    const hotlines = template?.hotlines ?? [];
    const temporalUi = { url: deps.temporalUiUrl, namespace: deps.namespace };
    const body = taskPageBody(req, {
      ...{ user, row, zone, holidays, ttask, hotlines, history, users, evidence, forms, temporalUi },
    });
    const training = await classTrainingOfTask(req, deps.store, row, { zone, users });
    res.send(page(req, { title: titleWithOccurrence(row, req.lang ?? 'zh-CN'), body: html`${body}${training}` }));
  });

  r.post(
    '/tasks/:id/complete',
    actions.mayComplete,
    actions.upload,
    withUploads(async (req, res) => {
      await backToTask(req, res, async () => (await actions.complete(req)).body);
    }),
  );
  r.post('/tasks/:id/waive', async (req, res) => backToTask(req, res, () => actions.waive(req)));
  r.post('/tasks/:id/due', async (req, res) => backToTask(req, res, () => actions.move(req)));
  r.post('/tasks/:id/return', async (req, res) => backToTask(req, res, () => actions.giveBack(req), 'return'));

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

  r.get('/inbox', async (req, res) => {
    const user = currentUser(req);
    const zone = await schoolZone(deps);
    const everything = await deps.store.listNotifications(user.id);
    const ask = {
      unreadOnly: req.query.unread === '1',
      kind: queryString(req, 'kind'),
      page: queryString(req, 'page'),
    };
    const view = inboxPage(everything, ask);
    // each entry links to its subject; a pairing's page is its college's care workspace (one query for all)
    const pairingCollege = await pairingColleges(deps.knex, pairingIdsOf(view.items));
    res.send(page(req, { title: text(req).ui.navInbox, body: inboxBody(req, { ...view, zone, pairingCollege }) }));
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
    await markAllNotificationsRead(deps.knex, user.id, (deps.now ?? Date.now)());
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
