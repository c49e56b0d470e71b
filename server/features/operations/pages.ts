/** The operations pages of the school admin: failed notification deliveries and their re-send. */
import express from 'express';
import { BadRequestError } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { page } from '../../platform/layout';
import { schoolZone } from '../../platform/request';
import { NotFoundError } from '../../platform/errors';
import { parseDeliveryId, sessionAdmin } from './api';
import { DeliveryStateError, listFailed, resend, resendAll } from './use-cases';
import { deliveriesPage } from './views/deliveries';

export function createOperationsPages(deps: AppDeps): express.Router {
  const r = express.Router();
  r.get('/admin/deliveries', sessionAdmin, async (req, res) => {
    const { deliveries, unsent } = await listFailed(deps);
    const { title, body } = deliveriesPage({
      en: req.lang === 'en',
      zone: await schoolZone(deps),
      deliveries,
      unsent,
      csrf: req.csrfToken ?? '',
      done: typeof req.query.done === 'string' ? req.query.done : '',
      error: typeof req.query.error === 'string' ? req.query.error : '',
    });
    res.send(page(req, { title, body }));
  });
  r.post('/admin/deliveries/resend-failed', sessionAdmin, async (req, res) => {
    const queued = await resendAll(deps, req.user!.id);
    res.redirect(303, `/admin/deliveries?done=${queued}`);
  });
  r.post('/admin/deliveries/:id/resend', sessionAdmin, async (req, res) => {
    try {
      const d = await resend(deps, parseDeliveryId(req.params.id), req.user!.id);
      res.redirect(303, `/admin/deliveries?done=${d.id}`);
    } catch (e) {
      if (!(e instanceof DeliveryStateError || e instanceof NotFoundError || e instanceof BadRequestError)) throw e;
      res.redirect(303, `/admin/deliveries?error=${encodeURIComponent(e.message)}`);
    }
  });
  return r;
}
