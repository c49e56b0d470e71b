/** The crisis report form (issue 14): the student, the situation (no default: it must be chosen), where and when; the school admin also picks the college. Problems are named on the form, the values kept. */
import type { Request } from 'express';
import type { College } from '../../../../db/store';
import { html, raw, type Raw } from '../../../platform/html';
import { csrfField, flash, localInput } from '../../../platform/forms';
import { SITUATIONS, type ReportProblems } from '../use-cases';
import { text } from '../../../platform/i18n';

/** The form's problems in the user's words, by field, in the order found; `other`: the use case's refusal. */
export function problemTexts(req: Request, problems: ReportProblems, other = false): Record<string, string> {
  const c = text(req).crisis;
  const m = text(req).care;
  const labels: Record<string, string> = { studentName: m.studentName, className: m.className, place: m.place };
  const out: Record<string, string> = {};
  for (const [k, p] of Object.entries(problems))
    out[k] = p === 'control' ? `${labels[k]}${req.lang === 'en' ? ' ' : ''}${c.errors.control}` : c.errors[k]!;
  if (other) out.other = c.errors.other!;
  return out;
}

/** The report form: the student, the situation (no default: it must be chosen), where and when (the school admin also picks the college). */
export function reportForm(
  req: Request,
  page: { colleges: College[]; zone: string; now: number },
  values: Record<string, string>,
  errors: Record<string, string>,
  detail?: string,
): Raw {
  const { colleges, zone } = page;
  const m = text(req).care;
  const c = text(req).crisis;
  const en = req.lang === 'en';
  const v = (k: string) => values[k] ?? '';
  const err = (k: string) =>
    errors[k] ? html`<span class="field-error" id="error-${k}" role="alert">${errors[k]}</span>` : '';
  const bad = (k: string) => (errors[k] ? raw(' aria-invalid="true"') : '');
  const problems = Object.values(errors);
  // the markup as the tests and the pages have read it since issue 14 (one line per field)
  // prettier-ignore
  return html`<h1>${m.reportCrisis}</h1>
${flash(req, m.saved)}
<form class="card" id="report" method="post" action="/crises" novalidate>${csrfField(req)}
${problems.length ? html`<div class="error" id="error" role="alert"><p>${c.formProblems}</p><ul>${problems.map((x) => html`<li>${x}</li>`)}</ul>${detail ? html`<details><summary>${c.details}</summary><code>${detail}</code></details>` : ''}</div>` : ''}
${colleges.length ? html`<label>${m.college} <select name="collegeId" required${bad('college')}><option value="">${c.choose}</option>${colleges.map((x) => html`<option value="${x.id}"${x.id === v('collegeId') ? raw(' selected') : ''}>${en ? x.nameEn : x.name}</option>`)}</select>${err('college')}</label>` : ''}
<label>${m.studentNo} <input name="studentNo" required maxlength="32" pattern="[A-Za-z0-9_\\-]{1,32}" value="${v('studentNo')}"${bad('studentNo')}>${err('studentNo')}</label>
<label>${m.studentName} <input name="studentName" required maxlength="100" value="${v('studentName')}"${bad('studentName')}>${err('studentName')}</label>
<label>${m.className} <input name="className" maxlength="100" value="${v('className')}"${bad('className')}>${err('className')}</label>
<label>${m.situation} <select name="situation" required${bad('situation')}><option value="">${c.choose}</option>${SITUATIONS.map((x) => html`<option value="${x}"${x === v('situation') ? raw(' selected') : ''}>${m.situationNames[x]}</option>`)}</select>${err('situation')}</label>
<label>${m.place} <input name="place" required maxlength="200" value="${v('place')}"${bad('place')}>${err('place')}</label>
<label>${m.occurredAt} <input type="datetime-local" name="occurredAt" required value="${v('occurredAt') || localInput(page.now, zone)}"${bad('occurredAt')}>${err('occurredAt')}</label>
<p><button class="btn" type="submit">${m.report}</button></p></form>`;
}
