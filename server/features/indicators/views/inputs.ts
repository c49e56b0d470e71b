/**
 * The school's figures form (school admin): the school's three figures, a row per college (a card per
 * college on a phone), every problem named by its field above the form and marked on the field, and
 * the versions entered so far with who and when.
 */
import type { Request } from 'express';
import { COLLEGE_FIELDS, SCHOOL_FIELDS, type InputProblem } from '../../../../domain/indicators-inputs';
import { formatLocal } from '../../../../domain/local-time';
import { csrfField, flash } from '../../../platform/forms';
import { html, raw } from '../../../platform/html';
import { t, type IndicatorMessages } from '../../../platform/i18n';
import { page } from '../../../platform/layout';
import type { InputsView } from '../use-cases';

/** A field's label for the user: "文学院 · 新生人数", "全校 · 课程学时". */
export function fieldLabel(field: string, m: IndicatorMessages, collegeName: (id: string) => string): string {
  const parts = field.split('.');
  if (parts[0] === 'school' && parts[1]) return `${m.schoolSection} · ${m.fields[parts[1]] ?? parts[1]}`;
  if (parts[0] === 'colleges' && parts[1]) {
    const college = collegeName(parts[1]);
    return parts[2] ? `${college} · ${m.fields[parts[2]] ?? parts[2]}` : college;
  }
  return field;
}

export function renderInputs(
  req: Request,
  v: InputsView & { zone: string; names: Map<string, string> },
  values: Record<string, unknown>,
  problems: InputProblem[],
): string {
  const m = t(req.lang ?? 'zh-CN').indicators;
  const collegeName = (id: string) => v.names.get(id) ?? id;
  const bad = new Set(problems.map((p) => p.field));
  const input = (path: string, rule: { whole: boolean; max: number; optional?: boolean }, label: string) =>
    html`<input id="${path}" name="${path}" type="number" inputmode="${rule.whole ? 'numeric' : 'decimal'}" min="0" max="${rule.max}" step="${rule.whole ? '1' : '0.5'}"${rule.optional ? '' : raw(' required')}${bad.has(path) ? raw(' aria-invalid="true"') : ''} aria-label="${label}" value="${String(values[path] ?? '')}">`;
  const schoolFields = Object.entries(SCHOOL_FIELDS).map(
    ([key, rule]) =>
      html`<label for="school.${key}">${m.fields[key]}</label>${input(`school.${key}`, rule, m.fields[key] ?? key)}`,
  );
  const collegeKeys = Object.entries(COLLEGE_FIELDS);
  const rows = v.colleges.map(
    (c) =>
      html`<tr data-college="${c.id}"><th scope="row" data-label="">${collegeName(c.id)}</th>${collegeKeys.map(
        ([key, rule]) =>
          html`<td data-label="${m.fields[key]}${rule.optional ? m.optional : ''}">${input(`colleges.${c.id}.${key}`, rule, `${collegeName(c.id)} ${m.fields[key]}`)}</td>`,
      )}</tr>`,
  );
  const shown = problems.map((p) =>
    m.problem(p, fieldLabel(p.field, m, collegeName), p.other ? fieldLabel(p.other, m, collegeName) : ''),
  );
  const q = `semester=${encodeURIComponent(v.semester.id)}`;
  const body = html`<h1>${m.inputsTitle} <small class="muted">${v.semester.id}</small></h1>
<p class="muted">${m.inputsIntro}</p>
<p><a href="/indicators?${q}">${m.backToIndicators}</a></p>
${problems.length ? html`<div class="error" id="error" role="alert"><p>${m.problemsTitle}</p><ul>${shown.map((p) => html`<li>${p}</li>`)}</ul></div>` : flash(req, m.saved)}
<form class="card" id="indicator-inputs" method="post" action="/indicators/inputs?${q}">${csrfField(req)}
<fieldset><legend>${m.schoolSection}</legend>${schoolFields}</fieldset>
<fieldset><legend>${m.collegeSection}</legend>
<table><thead><tr><th>${m.college}</th>${collegeKeys.map(([key, rule]) => html`<th>${m.fields[key]}${rule.optional ? html`<br><small class="muted">${m.optional}</small>` : ''}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table></fieldset>
<p><button class="btn" type="submit">${m.save}</button></p></form>
<section class="card" id="versions"><h2>${m.versions}</h2>${
    v.versions.length
      ? html`<table><thead><tr><th>${m.version}</th><th>${m.enteredBy}</th><th>${m.enteredAt}</th></tr></thead><tbody>${v.versions.map(
          (x) =>
            html`<tr><td data-label="${m.version}">${x.version}</td><td data-label="${m.enteredBy}">${x.enteredByName ?? x.enteredBy}</td><td data-label="${m.enteredAt}">${formatLocal(x.enteredAt, v.zone)}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">${m.noVersions}</p>`
  }</section>`;
  return page(req, { title: m.inputsTitle, body });
}

/** The stored inputs as the form's values (path → value). */
export function valuesOf(v: InputsView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const inputs = v.latest?.inputs;
  if (!inputs) return out;
  for (const key of Object.keys(SCHOOL_FIELDS))
    out[`school.${key}`] = (inputs.school as unknown as Record<string, unknown>)[key];
  for (const [id, c] of Object.entries(inputs.colleges))
    for (const key of Object.keys(COLLEGE_FIELDS))
      out[`colleges.${id}.${key}`] = (c as unknown as Record<string, unknown>)[key] ?? '';
  return out;
}
