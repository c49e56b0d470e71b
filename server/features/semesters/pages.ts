/** The semester administration's pages (school admin): the list and the form to create, a semester's plan, start. */
import express from 'express';
import { listCalendarNames, listTemplateVersions } from '../../../db/repositories/checklists';
import type { AppDeps } from '../../platform/deps';
import { page } from '../../platform/layout';
import { schoolZone } from '../../platform/request';
import { calendarWords, semesterName } from '../../platform/views/words';
import { schoolAdminOrToken } from '../../platform/auth/school-admin';
import { newSemesterHandlers } from './forms';
import { semesterPlan, startSemester } from './use-cases';
import { semesterListBody } from './views/semester-list';
import { semesterPlanBody } from './views/semester-plan';
import { text } from '../../platform/i18n';

export function createSemesterPages(deps: AppDeps): express.Router {
  const r = express.Router();
  const admin = schoolAdminOrToken(deps);

  r.get('/admin/semesters', admin, async (req, res) => {
    const lang = req.lang ?? 'zh-CN';
    const semesters = await Promise.all(
      (await deps.store.listSemesters(deps.schoolId)).map(async (s) => ({
        ...s,
        name: await semesterName(deps.store, s, lang),
      })),
    );
    const [templates, calendars] = [await listTemplateVersions(deps.knex), await listCalendarNames(deps.knex)];
    const body = semesterListBody(req, semesters, templates, calendars);
    res.send(page(req, { title: text(req).ui.navSemesters, body }));
  });

  r.post('/admin/semesters', ...newSemesterHandlers(deps, (res, id) => res.redirect(303, `/admin/semesters/${id}`)));

  r.get('/admin/semesters/:id', admin, async (req, res) => {
    const zone = await schoolZone(deps);
    const plan = await semesterPlan(deps.store, deps.schoolId, String(req.params.id));
    const words = await calendarWords(deps.store, plan.semester.calendarId);
    const name = req.lang === 'en' ? words.name.en : words.name.zh;
    res.send(page(req, { title: name, body: semesterPlanBody(req, { ...plan, name, zone, words }) }));
  });

  r.post('/admin/semesters/:id/start', admin, async (req, res) => {
    const { semester } = await semesterPlan(deps.store, deps.schoolId, String(req.params.id));
    if (!deps.client) throw new Error('Temporal is not configured for this server');
    await startSemester(deps.client, deps.store, semester.id, deps.taskQueue);
    res.redirect(303, `/?semester=${semester.id}`);
  });

  return r;
}
