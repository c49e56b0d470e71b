/**
 * The school admin's operations (workflows stopped outside the app, stored values that are not dates,
 * the hand-over of a departing staff member), and the semester administration
 * (server/features/semesters: api.ts, pages.ts). The JSON API also accepts the ops bearer token
 * (ADMIN_API_TOKEN) for automation.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { activePairingCount, listDataProblems } from '../../db/repositories/operations';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../platform/auth/context';
import type { AppDeps } from '../deps';
import { listStopped, restartStopped } from '../features/operations/use-cases';
import { schoolAdminOrToken } from '../features/semesters/access';
import { createSemesterApi } from '../features/semesters/api';
import { createSemesterPages } from '../features/semesters/pages';
import { NotFoundError } from '../features/semesters/use-cases';
import { TaskRejectedError } from '../features/tasks/use-cases';
import { handOverUser } from '../features/hand-over/use-cases';
import { page } from '../platform/layout';
import { raw } from '../platform/html';
import { handOverForm, handOverResult } from '../views/hand-over';
import { stoppedWorkflowsBody } from '../views/stopped-workflows';
import { schoolZone, t } from './common';

export function createAdminRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  /** school admin by session, or (API only) the ops bearer token */
  const admin = schoolAdminOrToken(deps);

  /** Stored values that are not plausible dates (listed by the data_problems migration; shown as 无效日期 on pages), for correction. */
  r.get('/api/admin/data-problems', admin, async (_req, res) => {
    res.json({ problems: await listDataProblems(deps.knex) });
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
    const zone = await schoolZone(deps);
    const l = await listStopped({ ...stoppedDeps(), now: now() });
    const colleges = new Map((await deps.store.listColleges(deps.schoolId)).map((c) => [c.id, c.name]));
    const body = stoppedWorkflowsBody(req, l, colleges, zone, !!deps.client);
    res.send(page(req, { title: t(req).navWorkflows, body }));
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
    const pairings = who.collegeId ? await activePairingCount(deps.knex, who.id) : 0;
    res.send(page(req, { title: '离岗交接', body: handOverForm(req, who, candidates, pairings) }));
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
    res.send(page(req, { title: '交接完成', body: handOverResult(result) }));
  });

  r.use(createSemesterApi(deps));
  r.use(createSemesterPages(deps));
  return r;
}

export { raw };
