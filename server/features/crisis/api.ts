/**
 * Crisis cases over the JSON API: report, read, and each step of the procedure through the
 * workflows' Updates. Care staff of the student's college and the counselling centre only; reads
 * of student data are audited (use-cases.ts).
 */
import express from 'express';
import { currentUser } from '../../platform/auth/context';
import { requestDeps, type AppDeps } from '../../platform/deps';
import { once, uuidFrom } from '../../platform/idempotency';
import { actOnCase, isCaseStep, readCase, reportCase, reportFromBody, type ReportDeps } from './use-cases';

/** The use cases' dependencies for a report (Temporal is required). */
export function reportDeps(deps: AppDeps): ReportDeps {
  if (!deps.client) throw new Error('Temporal is not configured for this server');
  return { ...requestDeps(deps), client: deps.client };
}

export function createCrisisApiRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();

  r.post('/api/crises', async (req, res) => {
    const user = currentUser(req);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const { status, body: result } = await once(deps.knex, req, 201, (idem) =>
      reportCase(reportDeps(deps), user, reportFromBody(b, user, now()), {
        caseId: idem ? uuidFrom(idem.id) : undefined,
      }),
    );
    res.status(status).json(result);
  });

  r.get('/api/crises/:id', async (req, res) => {
    res.json(
      await readCase({ store: deps.store, knex: deps.knex, now: now() }, currentUser(req), String(req.params.id)),
    );
  });

  r.post('/api/crises/:id/:step', async (req, res) => {
    const step = String(req.params.step);
    if (!isCaseStep(step)) return void res.status(404).json({ error: `unknown step ${step}` });
    const { body: state } = await once(deps.knex, req, 200, (idem) =>
      actOnCase(
        { client: deps.client, knex: deps.knex },
        currentUser(req),
        String(req.params.id),
        step,
        (req.body ?? {}) as Record<string, unknown>,
        { updateId: idem?.id },
      ),
    );
    res.json({ state });
  });

  return r;
}
