/** The forms of a task's page: complete (with evidence), waive, move the due date, return (退回). */
import type { Request } from 'express';
import type { Semester, TaskInstanceRow } from '../../../../db/store';
import type { Evidence } from '../../../../domain/schema';
import type { SessionUser } from '../../../platform/auth/context';
import { html, raw, type Raw } from '../../../platform/html';
import { idemField } from '../../../platform/idempotency';
import { fmt, isClosed } from '../../../platform/request';
import { taskRefusalText } from '../../../platform/views/words';
import { canComplete, mayReturn } from '../access';
import { text } from '../../../platform/i18n';

export interface TaskFormsInput {
  user: SessionUser;
  row: TaskInstanceRow;
  zone: string;
  semester: Semester | undefined;
  rules: Evidence | undefined;
  /** the refusal shown on the page (?error=) */
  flash: string | undefined;
  /** the refusal came from the return form (?form=return) */
  onReturn: boolean;
}

export interface TaskForms {
  completeForm: Raw | string;
  waiveForm: Raw | string;
  moveForm: Raw | string;
  returnForm: Raw | string;
}

export function taskForms(req: Request, i: TaskFormsInput): TaskForms {
  const { user, row, zone, semester, rules, flash, onReturn } = i;
  const m = text(req).ui;
  const lang = req.lang ?? 'zh-CN';
  const csrf = req.csrfToken ?? '';
  // one idempotency key per page load: a form sent twice (a retry, a double click) acts once
  const idem = idemField();
  // the files the checklist asks for; when this field is the only place for them (no named
  // documents, no photos per activity), the browser asks for them before sending (the server checks again)
  const minFiles = rules?.minFiles ?? 0;
  const filesOnlyHere = minFiles > 0 && !(rules?.documents ?? []).length && !rules?.minPhotosPerActivity;
  const completeForm =
    !isClosed(row) && canComplete(user, row)
      ? html`<form class="card" method="post" enctype="multipart/form-data" action="/tasks/${encodeURIComponent(row.id)}/complete?_csrf=${csrf}">
${idem}<h2>${m.complete}</h2>
<label for="complete-note">${m.note}</label><textarea id="complete-note" name="note" required></textarea>
${(rules?.documents ?? []).map((d) => html`<label for="complete-doc_${d.id}">${req.lang === 'en' ? d.en : d.zh}</label><input type="file" id="complete-doc_${d.id}" name="doc_${d.id}" accept="image/jpeg,image/png,application/pdf">`)}
${rules?.minPhotosPerActivity ? html`<label for="complete-activities">${m.activities}</label><input type="number" id="complete-activities" name="activities" min="1" max="3" value="1">${[1, 2, 3].map((n) => html`<label for="complete-photos_${n}">#${n}</label><input type="file" id="complete-photos_${n}" name="photos_${n}" accept="image/jpeg,image/png" multiple>`)}` : ''}
<label for="complete-files">${filesOnlyHere ? m.filesAtLeast(minFiles) : m.files}</label><input type="file" id="complete-files" name="files" accept="image/jpeg,image/png,application/pdf" multiple${filesOnlyHere ? raw(' required') : ''}>
<p><button class="btn" type="submit">${m.submit}</button></p></form>`
      : '';
  const waiveForm =
    !isClosed(row) && user.role === 'college_leader' && user.collegeId === row.collegeId
      ? html`<form class="card" method="post" action="/tasks/${encodeURIComponent(row.id)}/waive"><input type="hidden" name="_csrf" value="${csrf}">${idem}<h2>${m.waive}</h2><label>${m.reason}</label><input name="reason" required><button class="btn">${m.waive}</button></form>`
      : '';
  const moveForm =
    !isClosed(row) && user.role === 'school_admin'
      ? html`<form class="card" method="post" action="/tasks/${encodeURIComponent(row.id)}/due"><input type="hidden" name="_csrf" value="${csrf}">${idem}<h2>${m.moveDue}</h2><label>${m.newDue}</label><input name="due" required value="${fmt(row.dueAt, zone)}"><label>${m.reason}</label><input name="reason" required><button class="btn">${m.moveDue}</button></form>`
      : '';
  // 退回: a completed task of a ladder semester (a per-task semester's workflow ended with the completion)
  const refusal = (text: string) =>
    html`<div class="error" id="return-error" role="alert"><p>${taskRefusalText(text, lang) ?? text}</p>${taskRefusalText(text, lang) ? html`<details><summary>${lang === 'en' ? 'Details' : '详细原因'}</summary><p>${text}</p></details>` : ''}</div>`;
  const returnForm =
    row.status === 'completed' && mayReturn(user, row) && semester?.taskModel === 'ladder'
      ? html`<form class="card" id="return-form" method="post" action="/tasks/${encodeURIComponent(row.id)}/return"><input type="hidden" name="_csrf" value="${csrf}">${idem}<h2>${lang === 'en' ? 'Return the completion' : '退回'}</h2>
${onReturn && flash ? refusal(flash) : ''}<p class="muted">${lang === 'en' ? 'The task reopens with its deadline and escalation, and its assignees are told the reason.' : '退回后任务重新打开，按原截止时间和预警规则继续，负责人会收到退回理由。'}</p>
<label for="return-reason">${lang === 'en' ? 'Reason' : '退回理由'}</label><textarea id="return-reason" name="reason" required></textarea>
<p><button class="btn">${lang === 'en' ? 'Return' : '退回'}</button></p></form>`
      : row.status === 'completed' && mayReturn(user, row)
        ? html`<p class="card muted" id="return-unavailable">${lang === 'en' ? 'This semester runs one workflow per task, which ended with the completion: it cannot be returned.' : '本学期的任务按“每任务一个流程”运行，任务完成后流程即结束，无法退回。'}</p>`
        : '';
  return { completeForm, waiveForm, moveForm, returnForm };
}
