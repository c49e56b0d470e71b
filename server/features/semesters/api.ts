/**
 * The semester administration's JSON API (school admin, or the ops bearer token): list, create,
 * preview the plan, start, apply a new checklist version, add a college.
 */
import express, { type Request } from 'express';
import { byMonth } from '../../../domain/planner';
import type { AppDeps } from '../../platform/deps';
import { schoolAdminOrToken } from '../../platform/auth/school-admin';
import { newSemesterHandlers } from './forms';
import { replanSemester, semesterOfSchool, semesterPlan, startCollege, startSemester } from './use-cases';

export function createSemesterApi(deps: AppDeps): express.Router {
  const r = express.Router();
  const admin = schoolAdminOrToken(deps);
  const client = () => {
    if (!deps.client) throw new Error('Temporal is not configured for this server');
    return deps.client;
  };
  const actorOf = (req: Request) => ({ userId: req.user!.id, role: req.user!.role, collegeId: req.user!.collegeId });

  r.get('/api/semesters', admin, async (_req, res) => {
    const rows = await deps.store.listSemesters(deps.schoolId);
    res.json({
      semesters: rows.map((s) => ({
        id: s.id,
        status: s.status,
        templateId: s.templateId,
        templateVersion: s.templateVersion,
        calendarId: s.calendarId,
        workflowId: s.workflowId,
      })),
    });
  });
  r.post('/api/semesters', ...newSemesterHandlers(deps, (res, id) => void res.status(201).json({ semester: id })));
  r.get('/api/semesters/:id/plan', admin, async (req, res) => {
    const { plan: p, adjustments } = await semesterPlan(deps.store, deps.schoolId, String(req.params.id));
    const months = [...byMonth(p.tasks.filter((x) => x.collegeId === p.tasks[0]?.collegeId))].map(([month, tasks]) => ({
      month,
      tasks: tasks.map(({ collegeId: _c, semesterId: _s, ...x }) => x),
    }));
    res.json({
      semester: p.semesterId,
      timezone: p.timezone,
      colleges: new Set(p.tasks.map((x) => x.collegeId)).size,
      tasksPerCollege: months.reduce((n, m) => n + m.tasks.length, 0),
      months,
      adjustments,
    });
  });
  r.post('/api/semesters/:id/start', admin, async (req, res) => {
    const { semester } = await semesterPlan(deps.store, deps.schoolId, String(req.params.id));
    const started = await startSemester(client(), deps.store, semester.id, deps.taskQueue);
    res.status(202).json({ semester: semester.id, workflowId: started.workflowId });
  });
  // a new checklist version for a running semester (issue 12 part 5): body { templateVersion, reason }
  r.post('/api/semesters/:id/replan', admin, async (req, res) => {
    const semester = await semesterOfSchool(deps.store, deps.schoolId, String(req.params.id));
    const body = (req.body ?? {}) as { templateVersion?: unknown; reason?: unknown };
    const outcome = await replanSemester(client(), deps.store, {
      semesterId: semester.id,
      templateVersion: Number(body.templateVersion),
      reason: typeof body.reason === 'string' ? body.reason : '',
      actor: actorOf(req),
    });
    res.status(outcome.colleges.some((c) => c.error) ? 207 : 200).json(outcome);
  });
  r.post('/api/semesters/:id/colleges/:collegeId/start', admin, async (req, res) => {
    const semester = await semesterOfSchool(deps.store, deps.schoolId, String(req.params.id));
    const collegeId = String(req.params.collegeId);
    const started = await startCollege(client(), deps.store, semester.id, collegeId, deps.taskQueue);
    res.status(202).json({ semester: semester.id, college: collegeId, workflowId: started.workflowId });
  });

  return r;
}
