/**
 * The task actions shared by the JSON API and the page forms: complete (with evidence), waive, move
 * the due date, return (退回). Each reads the request, checks who may, and calls its use case once
 * per idempotency key (server/idempotency.ts).
 */
import type { NextFunction, Request, Response } from 'express';
import { currentUser, ForbiddenError } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { once } from '../../platform/idempotency';
import { visibleTask } from '../../platform/request';
import { filesOf, receiveUploads, removeUploads, uploadDir } from '../../platform/upload';
import { actorOf, canComplete, mayReturn, requireClient } from './access';
import { completeWithEvidence, MAX_FILE_BYTES, MAX_FILES, moveDue, returnTask, waiveTask } from './use-cases';

export function taskActions(deps: AppDeps) {
  const now = () => (deps.now ?? Date.now)();

  /** Before any of the body is read: signed in, the task visible, and theirs to complete (the CSRF token was checked by then). */
  const mayComplete = async (req: Request, _res: Response, next: NextFunction) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    if (!canComplete(user, row))
      throw new ForbiddenError(`only the ${row.ownerRole} of the college or the college leader may complete this task`);
    next();
  };
  const upload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: MAX_FILE_BYTES,
    maxFiles: MAX_FILES,
    maxFields: 50,
  });

  /** Completion: uploads are stored first, then the Update decides; a rejection removes them again. */
  const complete = (req: Request) =>
    once(deps.knex, req, 200, async (idem) => {
      const user = currentUser(req);
      const row = await visibleTask(deps, user, String(req.params.id));
      try {
        return await completeWithEvidence(
          { client: deps.client, store: deps.store, knex: deps.knex, evidenceDir: deps.evidenceDir, now },
          {
            row,
            actor: actorOf(user),
            note: typeof req.body?.note === 'string' ? req.body.note : '',
            activities: req.body?.activities ? Number(req.body.activities) : undefined,
            uploads: filesOf(req),
            updateId: idem?.id,
          },
        );
      } finally {
        await removeUploads(req); // whatever was not moved into the evidence store
      }
    });

  const waive = async (req: Request) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    const reason = String(req.body?.reason ?? '');
    return (
      await once(deps.knex, req, 200, (idem) =>
        waiveTask(requireClient(deps), deps.store, row.id, actorOf(user), reason, { updateId: idem?.id }),
      )
    ).body;
  };

  const move = async (req: Request) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    if (user.role !== 'school_admin') throw new ForbiddenError('only the school administration may move a due date');
    const [due, reason] = [String(req.body?.due ?? ''), String(req.body?.reason ?? '')];
    return (
      await once(deps.knex, req, 200, (idem) =>
        moveDue(requireClient(deps), deps.store, row.id, actorOf(user), due, reason, { updateId: idem?.id }),
      )
    ).body;
  };

  /** 退回: the college's leader (or the school admin) returns a completion with a reason (checked by returnTask). */
  const giveBack = async (req: Request) => {
    const user = currentUser(req);
    const row = await visibleTask(deps, user, String(req.params.id));
    if (!mayReturn(user, row))
      throw new ForbiddenError("only the college's leader or the school administration may return a completion");
    const reason = typeof req.body?.reason === 'string' ? req.body.reason : '';
    return (
      await once(deps.knex, req, 200, (idem) =>
        returnTask(requireClient(deps), deps.store, row.id, actorOf(user), reason, { updateId: idem?.id }),
      )
    ).body;
  };

  return { mayComplete, upload, complete, waive, move, giveBack };
}
