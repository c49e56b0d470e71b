/** Pages of user administration: /admin/users… (school admins of this school only). */
import express, { type Request, type Response } from 'express';
import type { AppDeps } from '../../platform/deps';
import { currentUser, requireRole } from '../../platform/auth/context';
import { langOf } from '../../platform/auth/login-page';
import { t as texts } from '../../platform/i18n';
import { csvReceiver } from './csv-upload';
import { answeringRefusals } from './refusals';
import { createUserAdmin, UserNotFoundError, type ImportResult } from './use-cases';
import { confirmDeactivatePage } from './views/confirm-deactivate';
import { usersPage } from './views/users-page';

type PageOpts = { error?: string; problems?: string[]; notice?: string; result?: ImportResult };

const textOf = (req: Request) => texts(langOf(req)).auth;
const id = (req: Request) => String(req.params.id);
const passwordOf = (req: Request) => (req.body as Record<string, unknown> | undefined)?.password;
const backToList = (res: Response) => res.redirect(303, '/admin/users?saved=1');

export function createUsersPages(deps: AppDeps): express.Router {
  const admin = createUserAdmin(deps);
  const router = express.Router();
  const schoolAdmin = requireRole('school_admin');
  const receiveFile = csvReceiver(deps);

  const render = async (req: Request, opts: PageOpts): Promise<string> => {
    const actor = currentUser(req);
    const [users, colleges] = await Promise.all([admin.list(actor), deps.store.listColleges(actor.schoolId)]);
    return usersPage(req, users, colleges, opts);
  };

  /** A refused form re-renders the users page with the problem. */
  const page = answeringRefusals(async (req, res, known) => {
    const t = textOf(req);
    const error = known.status === 413 ? t.fileTooLarge : known.problems ? t.importFailed : known.error;
    res
      .status(known.status)
      .type('html')
      .send(await render(req, { error, problems: known.problems }));
  });

  /** How many open tasks of the user's role their college still has (told before deactivating). */
  const openTasksOf = async (target: { collegeId: string | null; role: string }): Promise<number> =>
    target.collegeId && target.role !== 'school_admin'
      ? (await deps.store.listTaskInstances({ collegeId: target.collegeId, status: ['open', 'overdue'] })).filter(
          (x) => x.ownerRole === target.role,
        ).length
      : 0;

  router.get(
    '/admin/users',
    schoolAdmin,
    page(async (req, res) => {
      res.type('html').send(await render(req, { notice: req.query.saved ? textOf(req).saved : undefined }));
    }),
  );
  router.post(
    '/admin/users',
    schoolAdmin,
    page(async (req, res) => {
      await admin.create(currentUser(req), req.body);
      backToList(res);
    }),
  );
  router.post(
    '/admin/users/import',
    schoolAdmin,
    page(async (req, res) => {
      const result = await admin.importCsv(currentUser(req), await receiveFile(req, res));
      res.type('html').send(await render(req, { result }));
    }),
  );
  // deactivation asks first: the list links here, and this page's form posts the deactivation
  router.get(
    '/admin/users/:id/deactivate',
    schoolAdmin,
    page(async (req, res) => {
      const target = (await admin.list(currentUser(req))).find((u) => u.id === id(req));
      if (!target) throw new UserNotFoundError(`unknown user ${id(req)}`);
      res.type('html').send(confirmDeactivatePage(req, target, await openTasksOf(target)));
    }),
  );
  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    router.post(
      `/admin/users/:id/${action}`,
      schoolAdmin,
      page(async (req, res) => {
        await admin.setActive(currentUser(req), id(req), active);
        backToList(res);
      }),
    );
  }
  router.post(
    '/admin/users/:id/password',
    schoolAdmin,
    page(async (req, res) => {
      await admin.resetPassword(currentUser(req), id(req), passwordOf(req));
      backToList(res);
    }),
  );
  router.post(
    '/admin/users/:id',
    schoolAdmin,
    page(async (req, res) => {
      await admin.update(currentUser(req), id(req), req.body);
      backToList(res);
    }),
  );
  return router;
}
