/**
 * Hand-over of a departing staff member (school admin, by session): the form, the JSON API and the
 * result page over handOverUser (./use-cases.ts).
 */
import express from 'express';
import { activePairingCount } from '../../../db/repositories/operations';
import { BadRequestError, schoolAdminSession as sessionAdmin } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { NotFoundError } from '../../platform/errors';
import { page } from '../../platform/layout';
import { TaskRejectedError } from '../tasks/use-cases';
import { handOverUser } from './use-cases';
import { handOverForm, handOverResult } from './views/hand-over';

export function createHandOverPages(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ? deps.now() : Date.now());

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

  return r;
}
