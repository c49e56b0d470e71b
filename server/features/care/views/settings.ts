/** The school's care settings page (school admin): every duration with its unit, default and bounds. */
import type { Request } from 'express';
import type { z } from '../../../../domain/zod';
import { careSettingsSchema, DEFAULT_CARE_SETTINGS, type CareSettings } from '../../../../domain/care';
import { html } from '../../../platform/html';
import { page } from '../../../platform/layout';
import { csrfField, flash } from '../../../platform/forms';
import { fill, text } from '../../../platform/i18n';

interface SettingsField {
  section: keyof CareSettings;
  key: string;
  path: string;
  unit: 'minutes' | 'hours' | 'days' | 'students';
  min: number;
  max: number;
  default: number;
}

/** Every field of the care settings, with its bounds from the schema and its default. */
export const SETTINGS_FIELDS: SettingsField[] = (
  Object.keys(DEFAULT_CARE_SETTINGS) as Array<keyof CareSettings>
).flatMap((section) =>
  Object.entries(DEFAULT_CARE_SETTINGS[section]).map(([key, value]) => {
    const schema = careSettingsSchema.shape[section].shape[key as never] as z.ZodNumber;
    const unit = key.endsWith('Minutes')
      ? 'minutes'
      : key.endsWith('Hours')
        ? 'hours'
        : key.endsWith('Days')
          ? 'days'
          : 'students';
    return {
      section,
      key,
      path: `${section}.${key}`,
      unit,
      min: schema.minValue ?? 0,
      max: schema.maxValue ?? Number.MAX_SAFE_INTEGER,
      default: value as number,
    } as SettingsField;
  }),
);

export function renderSettings(req: Request, values: Record<string, unknown>, problems: string[]): string {
  const m = text(req).care;
  const label = (path: string) => m.fields[path] ?? path;
  const shownProblems = problems.map((p) => {
    const i = p.indexOf(': ');
    const path = i > 0 ? p.slice(0, i) : '';
    return m.fields[path] ? `${label(path)}（${path}）：${p.slice(i + 2)}` : p;
  });
  const sections = (Object.keys(DEFAULT_CARE_SETTINGS) as Array<keyof CareSettings>).map(
    (section) =>
      html`<fieldset><legend>${m.sections[section] ?? section}</legend>
${SETTINGS_FIELDS.filter((f) => f.section === section).map(
  (f) => html`<label for="${f.path}">${label(f.path)}</label>
<input id="${f.path}" name="${f.path}" type="number" step="1" min="${f.min}" max="${f.max}" required value="${String(values[f.path] ?? '')}"> ${m.units[f.unit]} <small class="muted">${fill(m.defaultAndRange, { default: `${f.default} ${m.units[f.unit]}`, min: f.min, max: f.max })}</small>`,
)}</fieldset>`,
  );
  const body = html`<h1>${m.settingsTitle}</h1>
<p class="muted">${m.settingsIntro}</p>
${problems.length ? html`<div class="error" id="error" role="alert"><p>${m.settingsProblems}</p><ul>${shownProblems.map((p) => html`<li>${p}</li>`)}</ul></div>` : flash(req, m.saved)}
<form class="card" id="care-settings" method="post" action="/admin/care-settings">${csrfField(req)}
${sections}
<p><button class="btn" type="submit">${m.save}</button></p></form>`;
  return page(req, { title: m.settingsTitle, body });
}
