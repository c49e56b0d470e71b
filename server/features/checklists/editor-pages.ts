/** The web editor of a checklist (school admin): every save is a new version of the template. */
import express from 'express';
import type { AppDeps } from '../../platform/deps';
import { page } from '../../platform/layout';
import { schoolAdmin } from '../../platform/auth/school-admin';
import {
  assertMoveAction,
  copyChecklist,
  latestEditable,
  monthToEdit,
  moveTask,
  saveMonthForm,
  saveTaskForm,
  taskToEdit,
} from './use-cases';
import { editorBody } from './views/editor';
import { monthEditForm } from './views/month-form';
import { taskEditForm } from './views/task-form';

type Body = Record<string, unknown>;

export function createChecklistEditorRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const latest = (id: string, base?: unknown) => latestEditable(deps.store, id, base);
  const savedAt = (id: string, version: number) => `/admin/checklists/${id}/edit?saved=v${version}`;

  r.get('/admin/checklists/:id/edit', schoolAdmin, async (req, res) => {
    const t = await latest(String(req.params.id));
    const running = (await deps.store.listSemesters(deps.schoolId)).filter((s) => s.templateId === t.id);
    res.send(page(req, { title: t.title.zh, body: editorBody(req, t, running) }));
  });

  r.get('/admin/checklists/:id/tasks/:taskId/edit', schoolAdmin, async (req, res) => {
    const t = await latest(String(req.params.id));
    const taskId = String(req.params.taskId);
    const { task: x } = taskToEdit(t, taskId);
    res.send(page(req, { title: x ? x.title.zh : '新增任务', body: taskEditForm(req, t, x, taskId, []) }));
  });

  r.post('/admin/checklists/:id/tasks/:taskId/edit', schoolAdmin, async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const t = await latest(String(req.params.id), body.base);
    const taskId = String(req.params.taskId);
    const out = await saveTaskForm(deps.knex, deps.store, t, taskId, body);
    if ('problems' in out) {
      const form = taskEditForm(req, t, out.base, taskId, out.problems, body);
      return void res.status(400).send(page(req, { title: '未保存', status: 400, body: form }));
    }
    res.redirect(303, savedAt(t.id, out.stored.version));
  });

  r.get('/admin/checklists/:id/months/:month/edit', schoolAdmin, async (req, res) => {
    const t = await latest(String(req.params.id));
    const month = String(req.params.month);
    monthToEdit(t, month);
    res.send(page(req, { title: '每月重点关爱人群', body: monthEditForm(req, t, month, []) }));
  });

  r.post('/admin/checklists/:id/months/:month/edit', schoolAdmin, async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const t = await latest(String(req.params.id), body.base);
    const month = String(req.params.month);
    const out = await saveMonthForm(deps.store, t, month, body);
    if ('problems' in out) {
      const values = { month: String(body.month ?? ''), groups: String(body.groups ?? '') };
      const form = monthEditForm(req, t, month, out.problems, values);
      return void res.status(400).send(page(req, { title: '未保存', status: 400, body: form }));
    }
    res.redirect(303, savedAt(t.id, out.stored.version));
  });

  /** a copy under a new id and title, as its version 1 (e.g. a spring checklist made from the autumn one) */
  r.post('/admin/checklists/:id/copy', schoolAdmin, async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const t = await latest(String(req.params.id), body.base);
    const stored = await copyChecklist(deps.store, t, {
      newId: String(body.newId ?? '').trim(),
      titleZh: String(body.titleZh ?? '').trim(),
      titleEn: String(body.titleEn ?? '').trim(),
    });
    res.redirect(303, savedAt(stored.id, stored.version));
  });

  r.post('/admin/checklists/:id/tasks/:taskId/:what', schoolAdmin, async (req, res) => {
    const what = String(req.params.what);
    assertMoveAction(what);
    const t = await latest(String(req.params.id), (req.body as Body | undefined)?.base);
    const stored = await moveTask(deps.store, t, String(req.params.taskId), what);
    res.redirect(303, savedAt(t.id, stored.version));
  });

  return r;
}
