/**
 * The operations JSON API for the school admin (session only; a re-send is audited in their name):
 * the failed notification deliveries and their re-send.
 */
import express from 'express';
import { BadRequestError, schoolAdminSession } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { listFailed, resend, resendAll } from './use-cases';

/** School admin by session only. */
export const sessionAdmin = schoolAdminSession;

/** A delivery id of the path: a positive whole number. */
export function parseDeliveryId(raw: unknown): number {
  const s = String(raw);
  if (!/^[1-9][0-9]{0,15}$/.test(s))
    throw new BadRequestError(`delivery id must be a positive whole number, got "${s.slice(0, 40)}"`);
  return Number(s);
}

export function createOperationsApi(deps: AppDeps): express.Router {
  const r = express.Router();
  r.get('/api/admin/deliveries/failed', sessionAdmin, async (_req, res) => {
    res.json(await listFailed(deps));
  });
  r.post('/api/admin/deliveries/resend-failed', sessionAdmin, async (req, res) => {
    res.status(202).json({ queued: await resendAll(deps, req.user!.id) });
  });
  r.post('/api/admin/deliveries/:id/resend', sessionAdmin, async (req, res) => {
    res.status(202).json({ delivery: await resend(deps, parseDeliveryId(req.params.id), req.user!.id) });
  });
  return r;
}
