/** The dashboard's JSON API: the compliance matrix a leader may see. */
import express from 'express';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { queryString, semesterInView } from '../../platform/request';
import { NotFoundError } from '../semesters/use-cases';
import { complianceFor } from './use-cases';

export function createDashboardApi(deps: AppDeps): express.Router {
  const r = express.Router();
  r.get('/api/compliance', async (req, res) => {
    const user = currentUser(req);
    const semester = await semesterInView(deps, req);
    if (!semester) throw new NotFoundError('no semester');
    const now = (deps.now ?? Date.now)();
    const colleges = await complianceFor(deps.store, user, semester.id, now, queryString(req, 'month'));
    res.json({
      semester: semester.id,
      colleges: colleges.map((c) => ({
        collegeId: c.collegeId,
        name: c.name,
        months: c.months.map(({ waived: _w, ...m }) => m),
      })),
    });
  });
  return r;
}
