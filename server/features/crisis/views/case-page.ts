/** The case page: the student, the deadlines, the live progress and timeline, and a form per step. */
import type { Request } from 'express';
import { html } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import { flash, studentCell } from '../../../platform/forms';
import type { CasePageData } from '../use-cases';
import { liveBlock } from './live';
import { stepForms, type Refused } from './steps';
import { fill, text } from '../../../platform/i18n';

const MIN = 60_000;

export function casePageBody(req: Request, data: CasePageData, ctx: { zone: string; now: number }, refused?: Refused) {
  const { c, from } = data;
  const { zone } = ctx;
  const m = text(req).care;
  const d = c.case.durations;
  const supervised = c.case.situation === 'self_harm_risk';
  return html`<h1>${m.caseTitle} ${c.case.id.slice(0, 8)}</h1>
    ${refused ? '' : flash(req, m.saved)}
    ${!c.case.collegeId ? html`<p class="card notice" id="routed">${m.routedNotice}</p>` : c.case.routedFromCollegeId ? html`<p class="card notice" id="routed">${m.routedFrom}${from ? (req.lang === 'en' ? from.nameEn : from.name) : c.case.routedFromCollegeId}</p>` : ''}
    <div class="card">
      <p>
        ${m.student}：${studentCell({ name: String(c.student.name ?? ''), studentNo: String(c.student.studentNo ?? ''), className: c.student.className ?? null }, 'archiveId' in c.student ? c.student.archiveId : null)}
      </p>
      ${c.case.reportedName ? html`<p class="error" id="name-mismatch">${req.lang === 'en' ? `Reported as “${c.case.reportedName}”, but this student number is registered under the name above: check who the student is.` : `上报姓名为“${c.case.reportedName}”，与该学号登记的姓名不一致，请核实学生身份。`}</p>` : ''}
      <p>
        ${m.situation}：${m.situationNames[c.case.situation] ?? c.case.situation} · ${m.place}：${c.case.place ?? ''} ·
        ${m.occurredAt}：${fmt(c.case.occurredAt, zone)} · ${m.reportedAt}：${fmt(c.case.reportedAt, zone)}
      </p>
      <details>
        <summary>${m.deadlines}</summary>
        <ul>
          <li>${m.onSceneDeadline}：${fmt(c.case.reportedAt + d.onSceneAckMs, zone)}</li>
          <li>${m.schoolNotifyDeadline}：${fmt(c.case.reportedAt + d.schoolNotifyMs, zone)}</li>
          <li>${fill(m.schoolAfter, { minutes: Math.round(d.schoolAfterMs / MIN) })}</li>
          ${
            supervised
              ? html`<li>${fill(m.checkInEvery, { minutes: Math.round(d.checkInEveryMs / MIN) })}</li>
<li>${fill(m.supervisionUntil, { hours: Math.round(d.supervisionMs / (60 * MIN)) })}：${fmt(c.case.reportedAt + d.supervisionMs, zone)}</li>
<li>${fill(m.schoolAlertEvery, { minutes: Math.round(d.schoolAlertEveryMs / MIN) })}</li>`
              : ''
          }
        </ul>
      </details>
    </div>
    ${liveBlock(req, { ...ctx, names: data.names }, c.case.id, c.case, c.timeline)}
    ${stepForms(req, { ...c.case, id: c.case.id }, data.members, ctx, refused)}`;
}
