/** A task's page: its checklist text, state, hotlines, evidence, forms and history. */
import type { Request } from 'express';
import type { AuditEvent, TaskInstanceRow } from '../../../../db/store';
import type { Template, TemplateTask } from '../../../../domain/schema';
import type { SessionUser } from '../../../platform/auth/context';
import { html, type Raw } from '../../../platform/html';
import { fmt, queryString } from '../../../platform/request';
import { levelName, taskRefusalText, titleWithOccurrence } from '../../../platform/views/words';
import type { EvidenceRow } from '../use-cases';
import type { TaskForms } from './task-forms';
import { text } from '../../../platform/i18n';

export interface TaskPageInput {
  user: SessionUser;
  row: TaskInstanceRow;
  zone: string;
  /** the calendar's holidays (for the occurrence's words), when the semester is known */
  holidays: Parameters<typeof titleWithOccurrence>[2];
  ttask: TemplateTask | undefined;
  hotlines: Template['hotlines'];
  history: AuditEvent[];
  /** display names by user id */
  users: Map<string, string>;
  evidence: EvidenceRow[];
  forms: TaskForms;
  temporalUi: { url: string; namespace: string };
}

export function taskPageBody(req: Request, v: TaskPageInput): Raw {
  const { user, row, zone, holidays, ttask, history, users, evidence, forms, temporalUi } = v;
  const m = text(req).ui;
  const lang = req.lang ?? 'zh-CN';
  const flash = queryString(req, 'error');
  const onReturn = queryString(req, 'form') === 'return';
  return html`<h1>${titleWithOccurrence(row, lang, holidays)}</h1>
    ${
      flash && !(onReturn && forms.returnForm)
        ? html`<div class="error" id="error" role="alert">${taskRefusalText(flash, lang) ? html`<p>${taskRefusalText(flash, lang)}</p><details><summary>${lang === 'en' ? 'Details' : '详细原因'}</summary><p>${flash}</p></details>` : html`<p>${flash}</p>`}</div>`
        : ''
    }${queryString(req, 'done') ? html`<p class="ok">✓</p>` : ''}
    <div class="card">
      <p>${ttask?.textZh ?? ''}</p>
      ${ttask?.evidence.ledgerMonthlyReview ? html`<p class="note" id="ledger-duty">${req.lang === 'en' ? 'This task also covers the monthly update of the intervention ledger (seed 003 §8): every entry made before this month needs a follow-up this month.' : '本任务同时要求每月更新心理干预台账：本月之前录入的每条台账记录，本月都须有跟踪情况。'} <a href="/care?college=${encodeURIComponent(row.collegeId)}">${req.lang === 'en' ? 'Open the ledger' : '打开干预台账'}</a></p>` : ''}
      <p>
        ${m.status}:
        <strong class="status-${row.status}" id="status"
          >${m.statusNames[row.status]}${row.late ? ` (${m.late})` : ''}</strong
        >
        · ${m.level}: <span id="level">${levelName(row.escalationLevel, lang)}</span> · ${m.opens}:
        ${fmt(row.openAt, zone)} · ${m.due}: ${fmt(row.dueAt, zone)} · ${m.owner}: ${m.roleNames[row.ownerRole]}
      </p>
      ${row.note ? html`<p>${m.note}: ${row.note}</p>` : ''}${row.waivedReason ? html`<p>${m.reason}: ${row.waivedReason}</p>` : ''}
      <p>
        ${m.hotlines}:
        ${v.hotlines.map((h) => html`${req.lang === 'en' ? h.name.en : h.name.zh}${h.number ? ` ${h.number}` : ''}；`)}
      </p>
      ${user.role === 'school_admin' ? html`<p><a href="${temporalUi.url}/namespaces/${temporalUi.namespace}/workflows/${encodeURIComponent(row.id)}">${m.temporalLink}</a></p>` : ''}
    </div>
    ${
      evidence.length
        ? html`<div class="card"><h2>${m.evidence}</h2><ul>${evidence.map((e) => html`<li><a href="/evidence/${e.id}">${e.original_name}</a> (${Math.ceil(e.size / 1024)} KB)</li>`)}</ul></div>`
        : ''
    }
    ${forms.completeForm}${forms.waiveForm}${forms.moveForm}${forms.returnForm}
    <h2>${m.history}</h2>
    <table id="history">
      <thead>
        <tr>
          <th>${m.at}</th>
          <th>${m.action}</th>
          <th>${m.actor}</th>
        </tr>
      </thead>
      <tbody>
        ${history.map(
          (a) =>
            html`<tr><td>${fmt(a.at, zone)}</td><td>${(m.actionNames as Record<string, string>)[a.action] ?? a.action}</td><td>${a.actor === 'timer' ? m.timer : (users.get(a.actor) ?? a.actor)}</td></tr>`,
        )}
      </tbody>
    </table>`;
}
