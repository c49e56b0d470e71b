/**
 * The roll forward, for the school admin (issue 12 part 4): pick last year's semester and a calendar
 * (stored, or an uploaded JSON), see last year's dates next to this year's, task by task, with why
 * each moved and what needs a decision, then create the semester (and start it). GET
 * /api/roll-forward answers the same rows as JSON (the CLI's `roll-forward --json` gives the same).
 */
import express from 'express';
import { listCalendarNames, listTemplateVersions } from '../../../db/repositories/checklists';
import { BadRequestError } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { page } from '../../platform/layout';
import { filesOf, receiveUploads, takeFile, uploadDir, withUploads } from '../../platform/upload';
import { semesterName } from '../../platform/views/words';
import { schoolAdmin } from '../../platform/auth/school-admin';
import {
  createRolledSemester,
  rollForwardPreview,
  startSemester,
  storeNewCalendar,
  type RollForwardAsk,
} from './use-cases';
import { rollForwardForm } from './views/roll-forward-form';
import { rollForwardPreviewBody } from './views/roll-forward-preview';

const w = (lang: string | undefined, zh: string, english: string) => (lang === 'en' ? english : zh);

/** The ask of a query or a form: last year's semester, the new calendar, the checklist (ID@VERSION) when another. */
export const askOf = (q: Record<string, unknown>): RollForwardAsk => {
  const from = typeof q.from === 'string' ? q.from : '';
  const calendarId = typeof q.calendar === 'string' ? q.calendar : '';
  if (!from) throw new BadRequestError('from: pick last year’s semester');
  if (!calendarId) throw new BadRequestError('calendar: pick or upload the new calendar');
  const template = typeof q.template === 'string' ? q.template : '';
  const m = template ? /^([a-z0-9][a-z0-9-]*)@(\d+)$/.exec(template) : undefined;
  if (template && !m) throw new BadRequestError(`template must be ID@VERSION, got "${template}"`);
  return { from, calendarId, ...(m ? { templateId: m[1], templateVersion: Number(m[2]) } : {}) };
};

export function createRollForwardRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const calendarUpload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: 1024 * 1024,
    maxFiles: 1,
    maxFields: 10,
  });

  r.get('/api/roll-forward', schoolAdmin, async (req, res) => {
    res.json(await rollForwardPreview(deps.store, askOf(req.query)));
  });

  r.get('/admin/roll-forward', schoolAdmin, async (req, res) => {
    const lang = req.lang ?? 'zh-CN';
    const semesters = await Promise.all(
      (await deps.store.listSemesters(deps.schoolId)).map(async (s) => ({
        ...s,
        name: await semesterName(deps.store, s, lang),
      })),
    );
    const tpls = (await listTemplateVersions(deps.knex)).filter((t) => t.kind === 'semester-checklist');
    const body = rollForwardForm(req, semesters, await listCalendarNames(deps.knex), tpls);
    res.send(page(req, { title: w(req.lang, '沿用上学年的学期', 'Roll forward'), body }));
  });

  r.post(
    '/admin/roll-forward',
    schoolAdmin,
    calendarUpload,
    withUploads(async (req, res) => {
      let calendar = String(req.body?.calendar ?? '');
      const file = filesOf(req).find((f) => f.fieldname === 'calendarFile');
      if (file) {
        const text = (await takeFile(req, file)).toString('utf8');
        calendar = (await storeNewCalendar(deps.store, file.originalname, text)).id;
      }
      const ask = askOf({ ...req.body, calendar });
      const q = new URLSearchParams({
        from: ask.from,
        calendar: ask.calendarId,
        ...(ask.templateId ? { template: `${ask.templateId}@${ask.templateVersion}` } : {}),
      });
      res.redirect(303, `/admin/roll-forward/preview?${q.toString()}`);
    }),
  );

  r.get('/admin/roll-forward/preview', schoolAdmin, async (req, res) => {
    const ask = askOf(req.query);
    const p = await rollForwardPreview(deps.store, ask);
    const lang = req.lang ?? 'zh-CN';
    const calRow = await deps.store.getCalendar(p.to.calendarId);
    const fromName = await semesterName(deps.store, (await deps.store.getSemester(p.from.semesterId))!, lang);
    const body = rollForwardPreviewBody(req, { ask, p, fromName, calRow });
    res.send(page(req, { title: w(req.lang, '新旧日期对照', 'Roll forward'), body }));
  });

  r.post('/admin/roll-forward/create', schoolAdmin, async (req, res) => {
    const ask = askOf(req.body ?? {});
    const p = await rollForwardPreview(deps.store, ask);
    const id = String(req.body?.id ?? '');
    await createRolledSemester(deps.store, deps.schoolId, p, id);
    if (req.body?.action === 'start') {
      if (!deps.client) throw new Error('Temporal is not configured for this server');
      await startSemester(deps.client, deps.store, id, deps.taskQueue);
      return void res.redirect(303, `/?semester=${id}`);
    }
    res.redirect(303, `/admin/semesters/${id}`);
  });

  return r;
}
