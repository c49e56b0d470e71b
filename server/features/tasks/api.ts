/** The tasks feature's JSON API: task lists, a task with its history and evidence, the task actions, the inbox. */
import express from 'express';
import type { TaskInstanceRow } from '../../../db/store';
import { BadRequestError, currentUser, ForbiddenError } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { queryString, semesterInView, visibleTask } from '../../platform/request';
import { withUploads } from '../../platform/upload';
import { taskActions } from './actions';
import { filterTasks, listEvidence, myTasks } from './use-cases';

const TASK_STATUSES: readonly string[] = ['planned', 'open', 'overdue', 'completed', 'waived'];

export function createTaskApi(deps: AppDeps, actions: ReturnType<typeof taskActions>): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();

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
    const month = queryString(req, 'month');
    let rows: TaskInstanceRow[];
    if (req.query.mine === '1') {
      // the same filters as the college listing below (status, month, level), over my tasks
      rows = (await myTasks(deps.store, user, semester.id, now())).filter(
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
      rows = await filterTasks(deps.store, semester.id, college, { status, level, month }, now());
    }
    res.json({ semester: semester.id, tasks: rows });
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

  r.post(
    '/api/tasks/:id/complete',
    actions.mayComplete,
    actions.upload,
    withUploads(async (req, res) => {
      const { status, body } = await actions.complete(req);
      res.status(status).json({ task: body });
    }),
  );
  r.post('/api/tasks/:id/waive', async (req, res) => void res.json({ task: await actions.waive(req) }));
  r.post('/api/tasks/:id/due', async (req, res) => void res.json({ task: await actions.move(req) }));
  r.post('/api/tasks/:id/return', async (req, res) => void res.json({ task: await actions.giveBack(req) }));

  r.get('/api/inbox', async (req, res) => {
    const user = currentUser(req);
    res.json({ notifications: await deps.store.listNotifications(user.id, { unreadOnly: req.query.unread === '1' }) });
  });

  r.post('/api/inbox/:id/read', async (req, res) => {
    const user = currentUser(req);
    await deps.store.markNotificationRead(Number(req.params.id), user.id);
    res.status(204).end();
  });

  return r;
}
