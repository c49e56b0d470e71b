/** JSON API of user administration: /api/users… (school admins of this school only). */
import express, { type Request } from 'express';
import type { AppDeps } from '../../platform/deps';
import { currentUser, requireRole } from '../../platform/auth/context';
import { csvReceiver } from './csv-upload';
import { answeringRefusals } from './refusals';
import { createUserAdmin } from './use-cases';

/** This feature's refusals become JSON here; others go on to the error middleware. */
const api = answeringRefusals((_req, res, known) => {
  res.status(known.status).json({ error: known.error, ...(known.problems ? { problems: known.problems } : {}) });
});

const id = (req: Request) => String(req.params.id);
const passwordOf = (req: Request) => (req.body as Record<string, unknown> | undefined)?.password;

export function createUsersApi(deps: AppDeps): express.Router {
  const admin = createUserAdmin(deps);
  const router = express.Router();
  const schoolAdmin = requireRole('school_admin');
  const receiveFile = csvReceiver(deps);

  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    router.post(
      `/api/users/:id/${action}`,
      schoolAdmin,
      api(async (req, res) => {
        res.json({ user: await admin.setActive(currentUser(req), id(req), active) });
      }),
    );
  }
  router.get(
    '/api/users',
    schoolAdmin,
    api(async (req, res) => {
      res.json({ users: await admin.list(currentUser(req)) });
    }),
  );
  router.post(
    '/api/users',
    schoolAdmin,
    api(async (req, res) => {
      res.status(201).json({ user: await admin.create(currentUser(req), req.body) });
    }),
  );
  router.post(
    '/api/users/import',
    schoolAdmin,
    api(async (req, res) => {
      res.json(await admin.importCsv(currentUser(req), await receiveFile(req, res)));
    }),
  );
  router.patch(
    '/api/users/:id',
    schoolAdmin,
    api(async (req, res) => {
      res.json({ user: await admin.update(currentUser(req), id(req), req.body) });
    }),
  );
  router.post(
    '/api/users/:id/password',
    schoolAdmin,
    api(async (req, res) => {
      await admin.resetPassword(currentUser(req), id(req), passwordOf(req));
      res.status(204).end();
    }),
  );
  return router;
}
