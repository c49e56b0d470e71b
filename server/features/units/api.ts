/**
 * JSON API of the class and dorm levels: the reporter's own reports (/api/report), the school's
 * roster and weekly reports (/api/units…, school admin), the concerns' follow-up and the training
 * per class (/api/units/…, the college's care staff). Rules are in the use cases.
 */
import express, { type Request } from 'express';
import { currentUser, requireRole } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { queryString } from '../../platform/request';
import { BadRequestError } from '../../platform/errors';
import { rosterReceiver } from './upload';
import {
  changeUnitSettings,
  classTraining,
  fileReport,
  importRosterAndStartReports,
  listConcerns,
  listRoster,
  markClassTrained,
  reporterHome,
  respondToConcern,
  startUnitReports,
  type UnitsDeps,
} from './use-cases';

export const unitsDeps = (deps: AppDeps): UnitsDeps => ({
  store: deps.store,
  knex: deps.knex,
  client: deps.client,
  taskQueue: deps.taskQueue,
  now: deps.now,
});

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
const param = (req: Request, name: string) => String(req.params[name]);
function required(req: Request, key: string): string {
  const v = queryString(req, key) ?? body(req)[key];
  if (typeof v !== 'string' || !v) throw new BadRequestError(`${key} is required`);
  return v;
}

export function createUnitsApi(deps: AppDeps): express.Router {
  const r = express.Router();
  const d = unitsDeps(deps);
  const schoolAdmin = requireRole('school_admin');
  const receive = rosterReceiver(deps);

  r.get('/api/report', async (req, res) => void res.json(await reporterHome(d, currentUser(req))));
  r.post(
    '/api/report',
    async (req, res) => void res.status(201).json(await fileReport(d, currentUser(req), body(req))),
  );

  r.get('/api/units', schoolAdmin, async (req, res) => void res.json({ units: await listRoster(d, currentUser(req)) }));
  r.post('/api/units/import', schoolAdmin, async (req, res) => {
    res.json(await importRosterAndStartReports(d, currentUser(req), await receive(req, res)));
  });
  r.post('/api/units/start', schoolAdmin, async (req, res) => {
    res.json(await startUnitReports(d, currentUser(req), required(req, 'semesterId')));
  });
  r.post('/api/units/settings', schoolAdmin, async (req, res) => {
    res.json(await changeUnitSettings(d, currentUser(req), body(req)));
  });

  r.get('/api/units/concerns', async (req, res) => {
    res.json({ concerns: await listConcerns(d, currentUser(req), required(req, 'college')) });
  });
  r.post('/api/units/concerns/:id/respond', async (req, res) => {
    res.json(await respondToConcern(d, currentUser(req), param(req, 'id'), body(req)));
  });
  r.get('/api/units/training', async (req, res) => {
    const classes = await classTraining(d, currentUser(req), required(req, 'semester'), required(req, 'college'));
    res.json({ classes });
  });
  r.post('/api/units/training/:unitId', async (req, res) => {
    const b = body(req);
    const classes = await markClassTrained(d, currentUser(req), required(req, 'semester'), param(req, 'unitId'), {
      trained: b.trained !== false,
      note: b.note,
    });
    res.json({ classes });
  });
  return r;
}
