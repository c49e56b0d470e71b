/** The college's concerns with their follow-up form, and the committee members' training per class. */
import type { Request } from 'express';
import { formatLocal } from '../../../../domain/local-time';
import { csrfField } from '../../../platform/forms';
import { html, type Raw } from '../../../platform/html';
import { text } from '../../../platform/i18n';
import type { ClassTraining, ConcernView } from '../use-cases';

export function concernsPage(req: Request, collegeId: string, concerns: ConcernView[], zone: string): Raw {
  const m = text(req).units;
  const respondForm = (c: ConcernView) =>
    c.followUp === 'responded'
      ? html`${m.responses[c.response ?? ''] ?? c.response}`
      : html`<form method="post" action="/units/concerns/${encodeURIComponent(c.id)}/respond?college=${encodeURIComponent(collegeId)}">${csrfField(req)}
<select name="response">${Object.entries(m.responses).map(([k, v]) => html`<option value="${k}">${v}</option>`)}</select>
<input name="note" placeholder="${m.responseNote}" maxlength="2000"> <button class="btn">${m.respond}</button></form>`;
  return html`<h1>${m.concernsTitle}</h1>
${
  concerns.length
    ? html`<table id="concerns"><thead><tr><th>${m.filedAt}</th><th>${m.unit}</th><th>${m.student}</th><th>${m.category}</th><th>${m.note}</th><th>${m.respondBy}</th><th>${m.followUp}</th><th>${m.respond}</th></tr></thead><tbody>${concerns.map(
        (c) =>
          html`<tr id="concern-${c.id}"><td>${formatLocal(c.filedAt, zone)}</td><td>${c.unitName}</td><td>${c.studentName ?? ''}</td><td>${m.categories[c.category ?? ''] ?? c.category}</td><td>${c.note}</td><td>${c.respondBy === null ? '' : formatLocal(c.respondBy, zone)}</td><td>${m.followUps[c.followUp ?? ''] ?? ''}</td><td>${respondForm(c)}</td></tr>`,
      )}</tbody></table>`
    : html`<p>${m.noConcerns}</p>`
}`;
}

export function trainingSection(
  req: Request,
  q: { semesterId: string; collegeId: string; back: string },
  classes: ClassTraining[],
  names: Map<string, string>,
  zone: string,
): Raw {
  const m = text(req).units;
  const action = (c: ClassTraining) =>
    `/units/training/${encodeURIComponent(c.unitId)}?semester=${encodeURIComponent(q.semesterId)}&college=${encodeURIComponent(q.collegeId)}`;
  return html`<section id="class-training"><h2>${m.trainingTitle}</h2>
<table><thead><tr><th>${m.code}</th><th>${m.name}</th><th>${m.followUp}</th><th>${m.trainedBy}</th><th>${m.trainedAt}</th><th></th></tr></thead><tbody>${classes.map(
    (c) =>
      html`<tr><td>${c.code}</td><td>${c.name}</td><td>${c.trained ? m.trained : m.notTrained}</td><td>${c.trainedBy ? (names.get(c.trainedBy) ?? c.trainedBy) : ''}</td><td>${c.trainedAt ? formatLocal(c.trainedAt, zone) : ''}</td><td>${
        c.trained
          ? ''
          : html`<form method="post" action="${action(c)}">${csrfField(req)}<input type="hidden" name="back" value="${q.back}"><button class="btn">${m.markTrained}</button></form>`
      }</td></tr>`,
  )}</tbody></table></section>`;
}
