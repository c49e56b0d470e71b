/**
 * The student-care pages (server-rendered forms, no client framework), over the use cases of
 * the care and screening features:
 *  - GET /care: a college's care workspace (the key-care list with the one-student-one-plan, the
 *    intervention ledger in appendix 4's column order with its follow-ups, pairings, the open
 *    screening warnings and crisis cases), with a form for each step;
 *  - GET /screening/warnings/:id: the interview (the outline's five steps, appendix 1) and its
 *    record (appendix 2) (pages-interview.ts);
 *  - GET/POST /admin/care-settings: the school's procedure durations (school admin) (pages-settings.ts).
 * Every form posts, then redirects back (303): `?done=1`, or `?error=<reason>` for a rejection or
 * a bad form, shown as written; 403 and 404 stay errors. Care staff of the college and the
 * counselling centre (school admin) only; every read of student data is audited.
 */
import express, { type Request, type Response } from 'express';
import { BadRequestError, currentUser, type SessionUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { page } from '../../platform/layout';
import { once } from '../../platform/idempotency';
import { queryString, schoolZone, semesterInView } from '../../platform/request';
import { keyCareMonthsOf } from '../semesters/use-cases';
import { careDeps } from './api';
import { createInterviewPagesRouter } from './pages-interview';
import { createCareSettingsPagesRouter } from './pages-settings';
import {
  addFollowUp,
  addKeyCare,
  addLedgerEntry,
  assignPairing,
  careWorkspace,
  collegeOfRow,
  endPairing,
  recordPairingTalk,
  removeKeyCare,
  updateKeyCare,
  type CareDeps,
} from './use-cases';
import { backTo, csrfField, formBody, localTime } from '../../platform/forms';
import { careWorkspaceBody } from './views/workspace';
import { text } from '../../platform/i18n';

/** The college of a collection form: ?college=, else the user's own. */
const formCollege = (req: Request, user: SessionUser) =>
  queryString(req, 'college') ??
  (typeof req.body?.college === 'string' && req.body.college ? (req.body.college as string) : undefined) ??
  user.collegeId ??
  undefined;
const careOf = (collegeId: string | undefined) =>
  `/care${collegeId ? `?college=${encodeURIComponent(collegeId)}` : ''}`;
const required = (collegeId: string | undefined): string => {
  if (!collegeId) throw new BadRequestError('name the college: ?college=<id>');
  return collegeId;
};

type Table = Parameters<typeof collegeOfRow>[1];
type FormAction = (cd: CareDeps, req: Request, user: SessionUser) => Promise<unknown>;

export function createCareWorkspaceRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  /** An idempotent form write, then back to the college's workspace at `anchor`. */
  const submit = async (
    req: Request,
    res: Response,
    collegeId: string | undefined,
    status: number,
    anchor: string,
    action: FormAction,
  ) => {
    const user = currentUser(req);
    await backTo(
      res,
      careOf(collegeId),
      async () => (await once(deps.knex, req, status, () => action(careDeps(deps), req, user))).body,
      anchor,
    );
  };
  /** A form on a collection: the college is ?college= or the user's own. */
  const onCollege =
    (
      status: number,
      anchor: string,
      action: (cd: CareDeps, req: Request, user: SessionUser, collegeId: string) => Promise<unknown>,
    ) =>
    async (req: Request, res: Response) => {
      const collegeId = formCollege(req, currentUser(req));
      await submit(req, res, collegeId, status, anchor, (cd, q, user) => action(cd, q, user, required(collegeId)));
    };
  /** A form on a row: back to the row's college (404 when the row is unknown). */
  const onRow =
    (
      table: Table,
      status: number,
      anchor: string,
      action: (cd: CareDeps, req: Request, user: SessionUser, id: string) => Promise<unknown>,
    ) =>
    async (req: Request, res: Response) => {
      const id = String(req.params.id);
      const collegeId = await collegeOfRow(deps, table, id);
      await submit(req, res, collegeId, status, anchor, (cd, q, user) => action(cd, q, user, id));
    };

  // the care workspace
  r.get('/care', async (req, res) => {
    const user = currentUser(req);
    const m = text(req).care;
    const w = await careWorkspace(careDeps(deps), user, queryString(req, 'college'));
    const zone = await schoolZone(deps);
    // the key-care groups of the semester in view
    const semester = await semesterInView(deps, req);
    const months = semester ? await keyCareMonthsOf(deps.store, semester) : [];
    const collegeId = w.college.id;
    const context = {
      req,
      m,
      en: req.lang === 'en',
      user,
      collegeId,
      collegeQ: `?college=${encodeURIComponent(collegeId)}`,
      csrf: csrfField(req),
      zone,
      now: (deps.now ?? Date.now)(),
      isLeader: user.role === 'college_leader' || user.role === 'school_admin',
    };
    res.setHeader('Cache-Control', 'no-store');
    res.send(page(req, { title: m.careTitle, body: careWorkspaceBody(context, w, months) }));
  });

  // key-care list
  r.post(
    '/care/key-care',
    onCollege(201, 'key-care', (cd, req, user, c) => addKeyCare(cd, user, c, formBody(req))),
  );
  r.post(
    '/care/key-care/:id',
    onRow('key_care_entries', 204, 'key-care', (cd, req, user, id) =>
      updateKeyCare(cd, user, id, { plan: formBody(req).plan }),
    ),
  );
  r.post(
    '/care/key-care/:id/remove',
    onRow('key_care_entries', 204, 'key-care', (cd, req, user, id) =>
      removeKeyCare(cd, user, id, formBody(req).reason),
    ),
  );

  // intervention ledger
  r.post('/care/ledger', async (req, res) => {
    const b = formBody(req);
    b.interviewAt = localTime(b.interviewAt, await schoolZone(deps));
    await onCollege(201, 'ledger', (cd, _req, user, c) => addLedgerEntry(cd, user, c, b))(req, res);
  });
  r.post(
    '/care/ledger/:id/follow-ups',
    onRow('ledger_entries', 201, 'ledger', (cd, req, user, id) => addFollowUp(cd, user, id, formBody(req))),
  );

  // pairings
  r.post(
    '/care/pairings',
    onCollege(201, 'pairings', (cd, req, user, c) => assignPairing(cd, user, c, formBody(req))),
  );
  r.post(
    '/care/pairings/:id/talks',
    onRow('pairings', 200, 'pairings', (cd, req, user, id) => recordPairingTalk(cd, user, id, formBody(req).note)),
  );
  r.post(
    '/care/pairings/:id/end',
    onRow('pairings', 204, 'pairings', (cd, req, user, id) => endPairing(cd, user, id, formBody(req).reason)),
  );
  return r;
}

/** Every care page: the workspace, the screening interview and the care settings. */
export function createCarePagesRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  r.use(createCareWorkspaceRouter(deps));
  r.use(createInterviewPagesRouter(deps));
  r.use(createCareSettingsPagesRouter(deps));
  return r;
}
