/** The indicators page (leaders) and the school's figures form (school admin). */
import express from 'express';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { formBody } from '../../platform/forms';
import { t } from '../../platform/i18n';
import { page } from '../../platform/layout';
import { semesterName } from '../../platform/views/words';
import { indicatorsDeps } from './api';
import { periodOf, readIndicatorInputs, readIndicators, saveIndicatorInputs } from './use-cases';
import { indicatorsBody } from './views/page';
import { renderInputs, valuesOf } from './views/inputs';

/** The form's flat fields (school.x, colleges.<id>.x) as the nested submission the use case checks. */
function nested(flat: Record<string, unknown>): {
  school: Record<string, unknown>;
  colleges: Record<string, Record<string, unknown>>;
} {
  const out = { school: {} as Record<string, unknown>, colleges: {} as Record<string, Record<string, unknown>> };
  for (const [path, value] of Object.entries(flat)) {
    const [head, a, b] = path.split('.');
    if (head === 'school' && a && !b) out.school[a] = value;
    else if (head === 'colleges' && a && b) (out.colleges[a] ??= {})[b] = value;
  }
  return out;
}

export function createIndicatorsPages(deps: AppDeps): express.Router {
  const r = express.Router();

  r.get('/indicators', async (req, res) => {
    const user = currentUser(req);
    const lang = req.lang ?? 'zh-CN';
    const v = await readIndicators(indicatorsDeps(deps), user, req.query.semester);
    const semesters = await Promise.all(
      (await deps.store.listSemesters(user.schoolId)).map(async (s) => ({
        id: s.id,
        name: await semesterName(deps.store, s, lang),
      })),
    );
    const semName = semesters.find((s) => s.id === v.semester.id)?.name ?? v.semester.id;
    const enteredByName = v.inputs ? ((await deps.store.getUser(v.inputs.enteredBy))?.displayName ?? null) : null;
    const body = indicatorsBody(req, v, { semesters, semName, enteredByName });
    res.send(page(req, { title: t(lang).indicators.title, body }));
  });

  const form = async (req: express.Request) => {
    const v = await readIndicatorInputs(indicatorsDeps(deps), currentUser(req), req.query.semester);
    const lang = req.lang ?? 'zh-CN';
    const names = new Map(v.colleges.map((c) => [c.id, lang === 'en' ? c.nameEn : c.name]));
    return { ...v, names, zone: (await periodOf(deps.store, v.semester)).zone };
  };

  r.get('/indicators/inputs', async (req, res) => {
    const v = await form(req);
    res.send(renderInputs(req, v, valuesOf(v), []));
  });

  r.post('/indicators/inputs', async (req, res) => {
    const user = currentUser(req);
    const flat = formBody(req);
    const result = await saveIndicatorInputs(indicatorsDeps(deps), user, req.query.semester, nested(flat));
    if (result.problems) return void res.status(400).send(renderInputs(req, await form(req), flat, result.problems));
    res.redirect(303, `/indicators/inputs?semester=${encodeURIComponent(result.semesterId)}&done=1`);
  });

  return r;
}
