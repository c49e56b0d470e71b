/**
 * The crisis pages: the report form at /crises/new (its problems named on the form in the user's
 * language, the values kept), the case page (each step done, due or overdue with countdowns, a
 * form per step, the live timeline refreshed every 30 s without a student read), and each step's
 * form (back with ?done, or the refusal shown on that step's form).
 */
import express, { type Request, type Response } from 'express';
import { BadRequestError, currentUser, requireCareRole } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { page } from '../../platform/layout';
import { once, uuidFrom } from '../../platform/idempotency';
import { schoolZone } from '../../platform/request';
import { NotFoundError } from '../../platform/errors';
import { TaskRejectedError } from '../tasks/use-cases';
import { formBody, localTime } from '../../platform/forms';
import { reportDeps } from './api';
import {
  actOnCase,
  isCaseStep,
  readCasePage,
  readLive,
  reportCase,
  reportCollege,
  reportProblems,
  reportValues,
  userNames,
  type ReportValues,
} from './use-cases';
import { casePageBody } from './views/case-page';
import { liveBlock } from './views/live';
import { problemTexts, reportForm } from './views/report-form';
import type { Refused } from './views/steps';
import { text } from '../../platform/i18n';

export function createCrisisPagesRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();
  const readDeps = () => ({ store: deps.store, knex: deps.knex, now: now() });

  /** The report form, with the values and problems of a post that came back. */
  async function sendReportForm(
    req: Request,
    res: Response,
    status: number,
    values = {},
    errors = {},
    detail?: string,
  ) {
    const user = currentUser(req);
    const colleges = user.role === 'school_admin' ? await deps.store.listColleges(user.schoolId) : [];
    const ctx = { colleges, zone: await schoolZone(deps), now: now() };
    const body = reportForm(req, ctx, values, errors, detail);
    res.status(status).send(page(req, { title: text(req).care.reportCrisis, body }));
  }

  /** The case page (after a refused step, that step's form shows why). */
  async function casePage(req: Request, caseId: string, refused?: Refused): Promise<string> {
    const data = await readCasePage(readDeps(), currentUser(req), caseId);
    const body = casePageBody(req, data, { zone: await schoolZone(deps), now: now() }, refused);
    return page(req, { title: text(req).care.caseTitle, body });
  }

  r.get('/crises/new', async (req, res) => {
    requireCareRole(currentUser(req));
    await sendReportForm(req, res, 200);
  });

  /** The report form's post: checked first (each problem named on the form, the values kept); then the case is opened and its workflow started; then its page. */
  r.post('/crises', async (req, res) => {
    const user = currentUser(req);
    requireCareRole(user);
    const values: ReportValues = reportValues(formBody(req));
    const problems = await reportProblems(readDeps(), user, values, await schoolZone(deps));
    if (Object.keys(problems).length) return sendReportForm(req, res, 400, values, problemTexts(req, problems));
    let caseId: string;
    try {
      ({ caseId } = (
        await once(deps.knex, req, 201, (idem) =>
          reportCase(
            reportDeps(deps),
            user,
            {
              studentNo: values.studentNo,
              studentName: values.studentName,
              className: values.className || undefined,
              collegeId: reportCollege(user, values),
              situation: values.situation as never,
              place: values.place,
              // local text in the school's zone, checked by reportCase (domain/dates.ts)
              occurredAt: values.occurredAt || now(),
            },
            { caseId: idem ? uuidFrom(idem.id) : undefined },
          ),
        )
      ).body);
    } catch (e) {
      if (!(e instanceof BadRequestError || e instanceof TaskRejectedError || e instanceof NotFoundError)) throw e;
      const status = e instanceof TaskRejectedError ? 409 : 400;
      return sendReportForm(req, res, status, values, problemTexts(req, problems, true), e.message);
    }
    res.redirect(303, `/crises/${encodeURIComponent(caseId)}?done=1`);
  });

  /** The case page: the student, each step as done / due / overdue with countdowns, a form per step, and the live timeline (who did what, when). */
  r.get('/crises/:id', async (req, res) => {
    const user = currentUser(req);
    const caseId = String(req.params.id);
    res.setHeader('Cache-Control', 'no-store');
    if (req.query.fragment === 'live' || req.query.fragment === 'timeline') {
      // the page's live refresh: status, progress and timeline, without the student (not a student read)
      const live = await readLive({ store: deps.store, knex: deps.knex }, user, caseId);
      const ctx = { zone: await schoolZone(deps), now: now(), names: await userNames(deps, user) };
      const block = liveBlock(req, ctx, caseId, live.case, live.timeline);
      return void res.type('html').send(`<!doctype html><html><body>${block.html}</body></html>`);
    }
    res.send(await casePage(req, caseId));
  });

  /** A step's form (the page version of POST /api/crises/:id/:step): back to the case page with ?done; a refusal is shown on the step's form with what was entered. */
  r.post('/crises/:id/:step', async (req, res) => {
    const step = String(req.params.step);
    if (!isCaseStep(step)) throw new NotFoundError(`unknown step ${step}`);
    const caseId = String(req.params.id);
    const b = formBody(req);
    const values = { ...b, atText: b.at };
    try {
      if (step === 'hand-over') b.at = localTime(b.at, await schoolZone(deps));
      await once(deps.knex, req, 200, (idem) =>
        actOnCase({ client: deps.client, knex: deps.knex }, currentUser(req), caseId, step, b, { updateId: idem?.id }),
      );
    } catch (e) {
      if (!(e instanceof TaskRejectedError || e instanceof BadRequestError)) throw e;
      const status = e instanceof TaskRejectedError ? 409 : 400;
      return void res.status(status).send(await casePage(req, caseId, { step, message: e.message, values }));
    }
    res.redirect(303, `/crises/${encodeURIComponent(caseId)}?done=1`);
  });

  return r;
}
