/**
 * The school admin's operations pages and API: workflows stopped outside the app (issue 10, finding 3),
 * scanned, listed and restarted; stored values that are not plausible dates. The data problems also
 * accept the ops bearer token (ADMIN_API_TOKEN) for automation; a restart is done in someone's name
 * (session only).
 */
import express, { type Request } from 'express';
import { listDataProblems } from '../../../db/repositories/operations';
import { BadRequestError, schoolAdminSession as sessionAdmin } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { NotFoundError } from '../../platform/errors';
import { page } from '../../platform/layout';
import { schoolAdminOrToken } from '../../platform/auth/school-admin';
import { TaskRejectedError } from '../tasks/use-cases';
import { schoolZone } from '../../platform/request';
import { listStopped, restartStopped } from './use-cases';
import { stoppedWorkflowsBody } from './views/stopped-workflows';
import { text } from '../../platform/i18n';

export function createOperationsAdminRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  /** Stored values that are not plausible dates (listed by the data_problems migration; shown as 无效日期 on pages), for correction. */
  r.get('/api/admin/data-problems', schoolAdminOrToken(deps), async (_req, res) => {
    res.json({ problems: await listDataProblems(deps.knex) });
  });
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
    const zone = await schoolZone(deps);
    const l = await listStopped({ ...stoppedDeps(), now: now() });
    const colleges = new Map((await deps.store.listColleges(deps.schoolId)).map((c) => [c.id, c.name]));
    const body = stoppedWorkflowsBody(req, l, colleges, zone, !!deps.client);
    res.send(page(req, { title: text(req).ui.navWorkflows, body }));
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

  return r;
}
