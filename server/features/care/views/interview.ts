/** The screening interview page (seed 003 appendices 1 and 2): the outline's five steps as a form, and the record once held. */
import type { Request } from 'express';
import { ASSESSMENTS, INTERVIEW_STEPS } from '../../../../contracts';
import { html } from '../../../platform/html';
import type { Catalogue } from '../../../platform/i18n';
import { fmt } from '../../../platform/request';
import { levelName } from '../../../platform/views/words';
import type { SessionUser } from '../../../platform/auth/context';
import type { WarningForInterview } from '../../screening/use-cases';
import { csrfField, flash, studentCell } from '../../../platform/forms';

function interviewForm(req: Request, m: Catalogue['care'], w: WarningForInterview) {
  const yesNo = (name: string) =>
    html`<label class="inline-choice"><input type="radio" name="${name}" value="yes" required> ${m.yes}</label> <label class="inline-choice"><input type="radio" name="${name}" value="no"> ${m.no}</label>`;
  return html`<form
    class="card"
    id="interview"
    method="post"
    action="/screening/warnings/${encodeURIComponent(w.id)}/interview"
  >
    ${csrfField(req)}
    <p class="muted">${m.interviewIntro}</p>
    ${INTERVIEW_STEPS.map(
      (s) =>
        html`<label for="step-${s}"><strong>${m.steps[s]!.name}</strong></label><p class="muted hint">${m.steps[s]!.hint}</p><textarea id="step-${s}" name="${s}" required maxlength="5000"></textarea>`,
    )}
    <fieldset>
      <legend>${m.assessment}</legend>
      ${ASSESSMENTS.map((a) => html`<label class="inline-choice"><input type="radio" name="assessment" value="${a}" required> ${m.assessmentNames[a]}</label> `)}
    </fieldset>
    <fieldset>
      <legend>${m.needsCounselling}</legend>
      ${yesNo('needsCounselling')}
    </fieldset>
    <fieldset>
      <legend>${m.needsCrisisIntervention}</legend>
      ${yesNo('needsCrisisIntervention')}
    </fieldset>
    <p><button class="btn" type="submit">${m.saveInterview}</button></p>
  </form>`;
}

function recordShown(m: Catalogue['care'], record: WarningForInterview['record']) {
  return record
    ? html`<div class="card" id="record"><dl>${INTERVIEW_STEPS.map((s) => html`<dt>${m.steps[s]!.name}</dt><dd>${record?.[s] ?? ''}</dd>`)}
<dt>${m.assessment}</dt><dd>${record.assessment ? (m.assessmentNames[record.assessment] ?? record.assessment) : ''}</dd>
<dt>${m.needsCounselling}</dt><dd>${record.needsCounselling ? m.yes : m.no}</dd>
<dt>${m.needsCrisisIntervention}</dt><dd>${record.needsCrisisIntervention ? m.yes : m.no}</dd></dl></div>`
    : '';
}

/** The body of GET /screening/warnings/:id; `careHref` links back to the college's care workspace. */
export function interviewBody(
  req: Request,
  m: Catalogue['care'],
  user: SessionUser,
  w: WarningForInterview,
  zone: string,
  careHref: string,
) {
  const en = req.lang === 'en';
  const mayRecord = w.status === 'open' && user.collegeId === w.college.id;
  const form = mayRecord
    ? interviewForm(req, m, w)
    : w.status === 'open'
      ? html`<p class="muted">${m.interviewByCollege}</p>`
      : '';
  return html`<h1>${m.interviewTitle}</h1>
    ${flash(req, m.saved)}
    <div class="card">
      <p>${m.student}：${studentCell(w.student)}</p>
      <p>
        ${m.college}：${en ? w.college.nameEn : w.college.name} · ${m.level}：<span class="level-${w.level}"
          >${m.levelNames[w.level] ?? w.level}</span
        >
        · ${m.interviewDue}：${fmt(w.interviewDueAt, zone)} · ${m.status}：<strong id="status"
          >${m.warningStatusNames[w.status] ?? w.status}</strong
        >
        · ${m.escalation}：<span id="escalation">${levelName(w.escalationLevel, req.lang ?? 'zh-CN')}</span
        >${w.interviewedAt != null ? html` · ${m.interviewedAt}：${fmt(w.interviewedAt, zone)}` : ''}
      </p>
      <p><a href="${careHref}#warnings">${m.careTitle}</a></p>
    </div>
    ${recordShown(m, w.record)}${form}`;
}
