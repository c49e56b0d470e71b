/** The case page's forms, one per step of the procedure; after a refused step, that step's form shows why and keeps what was entered. */
import type { Request } from 'express';
import type { User } from '../../../../db/store';
import { SCHOOL_DEPARTMENTS } from '../../../../contracts';
import { html, raw } from '../../../platform/html';
import { csrfField, localInput, userSelect } from '../../../platform/forms';
import { ACTIONS, type CaseStep } from '../use-cases';
import { text } from '../../../platform/i18n';

export interface Refused {
  step: CaseStep;
  message: string;
  values: Record<string, unknown>;
}

/** None for a closed case, nor for the reporter of a routed case (who follows it but cannot act on it). */
export function stepForms(
  req: Request,
  k: { id: string; status: string; collegeId: string | null; situation: string },
  members: User[],
  ctx: { zone: string; now: number },
  refused?: Refused,
) {
  const m = text(req).care;
  const ct = text(req).crisis;
  const id = encodeURIComponent(k.id);
  const csrf = csrfField(req);
  const supervised = k.situation === 'self_harm_risk';
  const kept = (x: string) => (refused && typeof refused.values[x] === 'string' ? (refused.values[x] as string) : '');
  // one line (the tests read the chosen option so)
  // prettier-ignore
  const actionSelect = html`<select name="action" required aria-label="${m.stepAction}">${ACTIONS.map((x) => html`<option value="${x}"${kept('action') === x ? raw(' selected') : ''}>${m.actionNames[x] ?? x}</option>`)}</select>`;
  const step = (name: CaseStep, title: string, fields: unknown = '') =>
    html`<form class="card step" id="step-${name}" method="post" action="/crises/${id}/${name}">${csrf}<h3>${title}</h3>${
      refused?.step === name
        ? html`<div class="error" id="error" role="alert"><p>${ct.rejection(refused.message)}</p>${req.lang === 'en' ? '' : html`<details><summary>${ct.details}</summary><code>${refused.message}</code></details>`}</div>`
        : ''
    }${fields}<p><button class="btn" type="submit">${m.confirm}</button></p></form>`;
  return k.status === 'closed' || !k.collegeId
    ? ''
    : html`<h2>${m.stepsTitle}</h2>
        ${step('on-scene', m.stepOnScene)}
        ${step('school-notified', m.stepSchoolNotified, html`${SCHOOL_DEPARTMENTS.map((x) => html`<label><input type="checkbox" name="departments" value="${x}"> ${m.departmentNames[x] ?? x}</label>`)}`)}
        ${step('action', m.stepAction, actionSelect)}
        ${
          supervised
            ? html`${step('guardian', m.stepGuardian, html`<label>${m.guardian} ${userSelect(req, 'guardianUserId', members, { required: true, empty: '', selected: kept('guardianUserId') || null })}</label>`)}
              ${step('check-in', m.stepCheckIn, html`<label>${m.note} <textarea name="note">${kept('note')}</textarea></label>`)}
              ${step('hand-over', m.stepHandOver, html`<label>${m.receivedBy} <input name="receivedBy" required maxlength="200" value="${kept('receivedBy')}" /></label><label>${m.witnessedBy} <input name="witnessedBy" required maxlength="500" value="${kept('witnessedBy')}" /></label><label>${m.handOverAt} <input type="datetime-local" name="at" value="${kept('atText') || localInput(ctx.now, ctx.zone)}" /></label>`)}`
            : ''
        }
        ${step(
          'five-ones',
          m.stepFiveOnes,
          html`<label>${m.leaderUserId} ${userSelect(req, 'leaderUserId', members, { required: true, selected: kept('leaderUserId') || (members.find((u) => u.role === 'college_leader')?.id ?? null) })}</label>
<label>${m.team} <input name="team" required maxlength="500" value="${kept('team')}"></label>
<label>${m.plan} <textarea name="plan" required>${kept('plan')}</textarea></label>
<label>${m.followUp} <textarea name="followUp" required>${kept('followUp')}</textarea></label>`,
        )}`;
}
