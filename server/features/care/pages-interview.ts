/** The screening interview pages (seed 003 appendices 1 and 2), reached from the care workspace's warnings. */
import express from 'express';
import { INTERVIEW_STEPS } from '../../../contracts';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { page } from '../../platform/layout';
import { schoolZone } from '../../platform/request';
import { readWarningForInterview, submitInterview, warningToInterview } from '../screening/use-cases';
import { backTo, formBody } from '../../platform/forms';
import { interviewBody } from './views/interview';
import { text } from '../../platform/i18n';

/** The interview form's fields as a record (yes/no answers as booleans, absent ones undefined). */
function recordFromForm(b: Record<string, unknown>): Record<string, unknown> {
  const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
  const yesNo = (k: string) => (b[k] === 'yes' ? true : b[k] === 'no' ? false : undefined);
  return {
    ...Object.fromEntries(INTERVIEW_STEPS.map((s) => [s, str(s)])),
    assessment: str('assessment'),
    needsCounselling: yesNo('needsCounselling'),
    needsCrisisIntervention: yesNo('needsCrisisIntervention'),
  };
}

export function createInterviewPagesRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  r.get('/screening/warnings/:id', async (req, res) => {
    const user = currentUser(req);
    const m = text(req).care;
    const readDeps = { knex: deps.knex, store: deps.store, now: (deps.now ?? Date.now)() };
    const w = await readWarningForInterview(readDeps, user, String(req.params.id));
    const careHref = `/care?college=${encodeURIComponent(w.college.id)}`;
    const body = interviewBody(req, m, user, w, await schoolZone(deps), careHref);
    res.setHeader('Cache-Control', 'no-store');
    res.send(page(req, { title: m.interviewTitle, body }));
  });

  r.post('/screening/warnings/:id/interview', async (req, res) => {
    const user = currentUser(req);
    const id = String(req.params.id);
    const interviewDeps = { client: deps.client, knex: deps.knex };
    // 404 and 403 stay errors; a rejection or an incomplete record comes back to the form
    await warningToInterview(interviewDeps, user, id);
    const record = recordFromForm(formBody(req));
    await backTo(res, `/screening/warnings/${encodeURIComponent(id)}`, () =>
      submitInterview(interviewDeps, user, id, record),
    );
  });

  return r;
}
