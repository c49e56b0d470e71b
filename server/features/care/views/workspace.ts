/** The care workspace page of a college: its sections, the open warnings and crisis cases, and the college picker. */
import type { OpenCaseRow } from '../../../../db/repositories/crisis';
import type { WarningWithStudent } from '../../../../db/repositories/screening';
import { html, raw } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import type { keyCareMonthsOf } from '../../semesters/use-cases';
import { levelName } from '../../../platform/views/words';
import type { CareWorkspace } from '../use-cases';
import { archiveIdFor, type CarePageContext } from './context';
import { flash, studentCell } from '../../../platform/forms';
import { keyCareSection } from './key-care';
import { ledgerSection } from './ledger';
import { pairingSection } from './pairings';

type Month = Awaited<ReturnType<typeof keyCareMonthsOf>>[number];

const student = (row: { name: string; student_no: string; class_name: string | null }) => ({
  name: String(row.name),
  studentNo: String(row.student_no),
  className: row.class_name ?? null,
});

function warningSection(c: CarePageContext, warnings: WarningWithStudent[]) {
  const { m, zone } = c;
  return html`<section id="warnings">
    <h2>${m.warnings}</h2>
    <table id="warnings-table">
      <thead>
        <tr>
          <th>${m.level}</th>
          <th>${m.student}</th>
          <th>${m.interviewDue}</th>
          <th>${m.escalation}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${warnings.length ? '' : html`<tr><td colspan="5" class="muted">${m.none}</td></tr>`}
        ${warnings.map(
          (
            w,
          ) => html`<tr data-id="${String(w.id)}"><td class="level-${String(w.level)}">${m.levelNames[String(w.level)] ?? String(w.level)}</td><td>${studentCell(student(w), archiveIdFor(c, String(w.student_id)))}</td>
<td${Number(w.interview_due_at) < c.now ? raw(' class="bad"') : ''}>${fmt(Number(w.interview_due_at), zone)}</td><td class="num">${Number(w.escalation_level)}</td>
<td><a href="/screening/warnings/${encodeURIComponent(String(w.id))}">${m.interview}</a></td></tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function crisisSection(c: CarePageContext, crises: OpenCaseRow[]) {
  const { m, zone, req } = c;
  // prettier-ignore
  return html`<section id="crises"><h2>${m.crises}</h2>
<p><a class="btn" href="/crises/new">${m.reportCrisis}</a></p>
<table id="crises-table"><thead><tr><th>${m.reportedAt}</th><th>${m.student}</th><th>${m.situation}</th><th>${m.place}</th><th>${m.status}</th><th>${m.escalation}</th><th></th></tr></thead><tbody>
${crises.length ? '' : html`<tr><td colspan="7" class="muted">${m.none}</td></tr>`}
${crises.map(
  (x) => html`<tr data-id="${String(x.id)}"><td>${fmt(Number(x.reported_at), zone)}</td><td>${studentCell(student(x), archiveIdFor(c, String(x.student_id)))}</td><td>${m.situationNames[String(x.situation)] ?? String(x.situation)}</td>
<td>${x.place ?? ''}</td><td>${m.caseStatusNames[String(x.status)] ?? String(x.status)}</td><td class="level-${Number(x.escalation_level)}" data-value="${Number(x.escalation_level)}">${levelName(Number(x.escalation_level), req.lang ?? 'zh-CN')}</td>
<td><a href="/crises/${encodeURIComponent(String(x.id))}">${m.caseLink}</a></td></tr>`,
)}
</tbody></table></section>`;
}

function collegePicker(c: CarePageContext, w: CareWorkspace) {
  const { m } = c;
  // prettier-ignore
  const option = (x: CareWorkspace['colleges'][number]) =>
    html`<option value="${x.id}"${x.id === c.collegeId ? raw(' selected') : ''}>${c.en ? x.nameEn : x.name}</option>`;
  // one line (tests and the page read it so): no whitespace between the select and its options
  // prettier-ignore
  return c.user.role === 'school_admin'
    ? html`<form method="get" action="/care" class="card"><label>${m.college} <select name="college">${w.colleges.map(option)}</select></label> <button class="btn" type="submit">${m.show}</button></form>`
    : '';
}

/** The body of GET /care. */
export function careWorkspaceBody(c: CarePageContext, w: CareWorkspace, months: Month[]) {
  const { m } = c;
  return html`<h1>${m.careTitle} · ${c.en ? w.college.nameEn : w.college.name}</h1>
    ${collegePicker(c, w)}${flash(c.req, m.saved)}
    <p class="muted">
      <a href="#key-care">${m.keyCare}</a> · <a href="#ledger">${m.ledger}</a> · <a href="#pairings">${m.pairings}</a> ·
      <a href="#warnings">${m.warnings}</a> ·
      <a href="#crises">${m.crises}</a>
    </p>
    ${keyCareSection(c, w.keyCare, months)}${ledgerSection(c, w.ledger, w.members, w.names)}${pairingSection(c, w.pairings, w.members)}${warningSection(c, w.warnings)}${crisisSection(c, w.crises)}`;
}
