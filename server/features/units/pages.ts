/**
 * Pages of the class and dorm levels: the reporter's phone page (/report), the school admin's roster
 * (/admin/units), the college's concerns (/units/concerns) and the training per class (/units/training).
 * Rules are in the use cases; a refused import re-renders the roster page with every problem.
 */
import express, { type Request, type Response } from 'express';
import { currentUser, requireRole } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { ImportError } from '../../platform/csv';
import { formBody } from '../../platform/forms';
import { text } from '../../platform/i18n';
import { page } from '../../platform/layout';
import { queryString, schoolZone } from '../../platform/request';
import { safeNext } from '../../platform/safe-next';
import { AppError, BadRequestError } from '../../platform/errors';
import { unitsDeps } from './api';
import { rosterReceiver } from './upload';
import {
  changeUnitSettings,
  classTraining,
  fileConcern,
  fileNothingUnusual,
  importRosterAndStartReports,
  listConcerns,
  listRoster,
  markClassTrained,
  readUnitSettings,
  reporterHome,
  respondToConcern,
  startUnitReports,
} from './use-cases';
import { rosterPage, type AdminPageOpts } from './views/admin';
import { reportPage } from './views/report';
import { concernsPage, trainingSection } from './views/staff';

function need(req: Request, key: string): string {
  const v = queryString(req, key);
  if (!v) throw new BadRequestError(`${key} is required`);
  return v;
}

export function createUnitsPages(deps: AppDeps): express.Router {
  const r = express.Router();
  const d = unitsDeps(deps);
  const schoolAdmin = requireRole('school_admin');
  const receive = rosterReceiver(deps);

  r.get('/report', async (req, res) => {
    const m = text(req).units;
    const home = await reporterHome(d, currentUser(req));
    const flash = req.query.filed === 'ok' ? m.filedOk : req.query.filed === 'concern' ? m.concernFiled : null;
    res.send(page(req, { title: m.reportTitle, body: reportPage(req, home, await schoolZone(deps), flash) }));
  });
  r.post('/report/nothing-unusual', async (req, res) => {
    await fileNothingUnusual(d, currentUser(req));
    res.redirect(303, '/report?filed=ok');
  });
  r.post('/report/concern', async (req, res) => {
    await fileConcern(d, currentUser(req), formBody(req));
    res.redirect(303, '/report?filed=concern');
  });

  const renderRoster = async (req: Request, res: Response, opts: AdminPageOpts, status = 200) => {
    const user = currentUser(req);
    const [units, colleges, semesters, settings] = await Promise.all([
      listRoster(d, user),
      deps.store.listColleges(user.schoolId),
      deps.store.listSemesters(user.schoolId),
      readUnitSettings(d, user.schoolId),
    ]);
    const data = { units, colleges, semesters, respondHours: settings.concernRespondMs / 3_600_000 };
    res.status(status).send(page(req, { title: text(req).units.rosterTitle, body: rosterPage(req, data, opts) }));
  };
  r.get('/admin/units', schoolAdmin, async (req, res) => {
    const done = queryString(req, 'done');
    await renderRoster(req, res, done ? { notice: done } : {});
  });
  r.post('/admin/units/import', schoolAdmin, async (req, res) => {
    const m = text(req).units;
    try {
      const result = await importRosterAndStartReports(d, currentUser(req), await receive(req, res));
      res.redirect(
        303,
        `/admin/units?done=${encodeURIComponent(m.rosterDone(result.units, result.students, result.reporters))}`,
      );
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const problems = e instanceof ImportError ? e.problems : [e.message];
      await renderRoster(req, res, { error: m.importFailed, problems }, e.status);
    }
  });
  r.post('/admin/units/start', schoolAdmin, async (req, res) => {
    const { started, existing } = await startUnitReports(d, currentUser(req), String(formBody(req).semesterId ?? ''));
    res.redirect(303, `/admin/units?done=${encodeURIComponent(text(req).units.reportsStarted(started + existing))}`);
  });
  r.post('/admin/units/settings', schoolAdmin, async (req, res) => {
    await changeUnitSettings(d, currentUser(req), formBody(req));
    res.redirect(303, '/admin/units');
  });

  r.get('/units/concerns', async (req, res) => {
    const user = currentUser(req);
    const collegeId = queryString(req, 'college') ?? user.collegeId ?? '';
    const concerns = await listConcerns(d, user, collegeId);
    const body = concernsPage(req, collegeId, concerns, await schoolZone(deps));
    res.send(page(req, { title: text(req).units.concernsTitle, body }));
  });
  r.post('/units/concerns/:id/respond', async (req, res) => {
    const user = currentUser(req);
    await respondToConcern(d, user, String(req.params.id), formBody(req));
    const college = queryString(req, 'college') ?? user.collegeId ?? '';
    res.redirect(303, `/units/concerns?college=${encodeURIComponent(college)}`);
  });

  r.get('/units/training', async (req, res) => {
    const user = currentUser(req);
    const q = { semesterId: need(req, 'semester'), collegeId: need(req, 'college'), back: req.originalUrl };
    const classes = await classTraining(d, user, q.semesterId, q.collegeId);
    const names = new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
    const body = trainingSection(req, q, classes, names, await schoolZone(deps));
    res.send(page(req, { title: text(req).units.trainingTitle, body }));
  });
  r.post('/units/training/:unitId', async (req, res) => {
    const b = formBody(req);
    await markClassTrained(d, currentUser(req), need(req, 'semester'), String(req.params.unitId), { note: b.note });
    const back =
      safeNext(b.back) ??
      `/units/training?semester=${encodeURIComponent(need(req, 'semester'))}&college=${encodeURIComponent(need(req, 'college'))}`;
    res.redirect(303, back);
  });
  return r;
}
