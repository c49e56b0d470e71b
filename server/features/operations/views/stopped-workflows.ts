/** /admin/workflows: the workflows stopped outside the app (server/ended-workflows.ts), each with its restart form. */
import type { Request } from 'express';
import type { listStopped } from '../use-cases';
import { html, type Raw } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import { workflowStatusName } from '../../../platform/views/words';
import { text } from '../../../platform/i18n';

export function stoppedWorkflowsBody(
  req: Request,
  l: Awaited<ReturnType<typeof listStopped>>,
  colleges: Map<string, string>,
  zone: string,
  /** whether Temporal is configured (a restart needs it) */
  temporal: boolean,
): Raw {
  const m = text(req).ui;
  const en = req.lang === 'en';
  const csrf = req.csrfToken ?? '';
  const done = typeof req.query.done === 'string' ? req.query.done : '';
  const error = typeof req.query.error === 'string' ? req.query.error : '';
  const what = (w: { kind: string; titleZh: string; titleEn: string }) =>
    w.kind === 'crisis'
      ? `${m.wfKinds.crisis}: ${m.wfSituations[w.titleZh as keyof typeof m.wfSituations] ?? w.titleZh}`
      : `${m.wfKinds.task}: ${en ? w.titleEn : w.titleZh}`;
  return html`<h1>${m.navWorkflows}</h1>
    <p>${m.wfIntro}</p>
    ${done ? html`<p class="notice" id="done">${m.wfDone}: ${done}</p>` : ''}
    ${error ? html`<p class="error" id="error">${m.wfError}: ${error}</p>` : ''}
    ${!temporal ? html`<p class="error">${m.wfNoTemporal}</p>` : ''}
    <table id="stopped-workflows">
      <thead>
        <tr>
          <th>${m.wfWhat}</th>
          <th>${m.college}</th>
          <th>${m.wfNoticed}</th>
          <th>${m.wfStatus}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${l.marked.map(
          (w) =>
            html`<tr data-kind="${w.kind}" data-id="${w.id}"><td>${what(w)}<br><small>${w.id}</small></td><td>${colleges.get(w.collegeId) ?? w.collegeId}</td><td>${fmt(w.noticedAt, zone)}</td><td>${w.endStatus}</td>
<td><form method="post" action="/admin/workflows/${w.kind}/${encodeURIComponent(w.id)}/restart"><input type="hidden" name="_csrf" value="${csrf}"><button class="btn">${m.wfRestart}</button></form></td></tr>`,
        )}
        ${l.found.map(
          (w) =>
            html`<tr data-kind="${w.kind}" data-id="${w.id}"><td>${m.wfKinds[w.kind as keyof typeof m.wfKinds] ?? w.kind}<br><small>${w.workflowId}</small></td><td>${colleges.get(w.collegeId) ?? w.collegeId}</td><td>${fmt(w.noticedAt, zone)}</td><td data-status="${w.status}">${workflowStatusName(w.status, req.lang ?? 'zh-CN')}</td>
<td><form method="post" action="/admin/workflows/${w.kind}/${encodeURIComponent(w.id)}/restart"><input type="hidden" name="_csrf" value="${csrf}"><button class="btn">${m.wfRestart}</button></form></td></tr>`,
        )}
      </tbody>
    </table>
    ${l.marked.length + l.found.length === 0 ? html`<p id="none">${m.wfNone}</p>` : ''}`;
}
