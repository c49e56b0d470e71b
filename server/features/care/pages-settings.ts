/** The school's care settings page (school admin): GET shows the durations, POST saves valid ones or shows every problem. */
import express from 'express';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { careDeps } from './api';
import { changeCareSettings, readCareSettings } from './use-cases';
import { formBody } from '../../platform/forms';
import { renderSettings, SETTINGS_FIELDS } from './views/settings';

/** The form's numbers by section and key (a number's text as a number, an empty field absent). */
function settingsFromForm(b: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const number = (v: unknown) =>
    typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v === '' ? undefined : v;
  const submitted: Record<string, Record<string, unknown>> = {};
  for (const f of SETTINGS_FIELDS) (submitted[f.section] ??= {})[f.key] = number(b[f.path]);
  return submitted;
}

export function createCareSettingsPagesRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  r.get('/admin/care-settings', async (req, res) => {
    const settings = await readCareSettings(careDeps(deps), currentUser(req));
    const values = Object.fromEntries(
      SETTINGS_FIELDS.map((f) => [f.path, (settings[f.section] as Record<string, number>)[f.key]]),
    );
    res.send(renderSettings(req, values, []));
  });

  r.post('/admin/care-settings', async (req, res) => {
    const user = currentUser(req);
    const b = formBody(req);
    const values = Object.fromEntries(SETTINGS_FIELDS.map((f) => [f.path, b[f.path]]));
    const result = await changeCareSettings(careDeps(deps), user, settingsFromForm(b));
    if (result.problems) return void res.status(400).send(renderSettings(req, values, result.problems));
    res.redirect(303, '/admin/care-settings?done=1');
  });

  return r;
}
