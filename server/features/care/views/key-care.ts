/** The key-care section of the care workspace: the list with its plans, and the form to add a student. */
import { DateTime } from 'luxon';
import type { KeyCareReason } from '../../../../domain/care';
import { html, raw } from '../../../platform/html';
import { fill, type Catalogue } from '../../../platform/i18n';
import { fmt } from '../../../platform/request';
import type { keyCareMonthsOf } from '../../semesters/use-cases';
import type { KeyCareView } from '../use-cases';
import { archiveIdFor, type CarePageContext } from './context';
import { studentCell, studentFields } from '../../../platform/forms';

type Month = Awaited<ReturnType<typeof keyCareMonthsOf>>[number];

function reasonText(m: Catalogue['care'], r: KeyCareReason): string {
  if (r.kind === 'group') return `${r.zh}（${r.month}）`;
  if (r.kind === 'screening' || r.kind === 'crisis') return `${r.zh}（${m.sourceNames[r.kind]}）`;
  return r.zh;
}

/** The key-care groups of the semester in view, the current month's first. */
function groupChoices(c: CarePageContext, months: Month[]) {
  const { m, en } = c;
  const month = DateTime.fromMillis(c.now, { zone: c.zone }).toFormat('yyyy-MM');
  const groupSet = (x: Month) =>
    html`<fieldset class="groups"><legend>${fill(m.groupsOfMonth, { month: x.month })}</legend>${x.keyCareGroups.map(
      (g, i) =>
        html`<label><input type="checkbox" name="reasons" value="group:${x.month}:${i}|${g.zh}"> ${en ? g.en : g.zh}</label>`,
    )}</fieldset>`;
  const current = months.find((x) => x.month === month);
  const others = months.filter((x) => x !== current);
  return !months.length
    ? html`<p class="muted">${m.noGroups}</p>`
    : html`${current ? groupSet(current) : ''}${others.length ? html`<details${current ? '' : raw(' open')}><summary>${m.otherMonths}</summary>${others.map(groupSet)}</details>` : ''}`;
}

function keyCareRow(c: CarePageContext, e: KeyCareView) {
  const { m, csrf } = c;
  return html`<tr data-id="${e.id}">
    <td>
      ${studentCell(e.student, archiveIdFor(c, e.student.id))}<br /><small class="muted"
        >${m.source}：${m.sourceNames[e.source] ?? e.source} · ${fmt(e.addedAt, c.zone)}</small
      >
    </td>
    <td>
      <ul class="reasons">
        ${e.reasons.map((x) => html`<li>${reasonText(m, x)}</li>`)}
      </ul>
    </td>
    <td>
      <form method="post" action="/care/key-care/${encodeURIComponent(e.id)}">
        ${csrf}<textarea name="plan" aria-label="${m.plan}">${e.plan}</textarea
        ><button class="btn" type="submit">${m.savePlan}</button>
      </form>
    </td>
    ${
      c.isLeader
        ? html`<td><form method="post" action="/care/key-care/${encodeURIComponent(e.id)}/remove">${csrf}<label>${m.removeReason} <input name="reason" required maxlength="500"></label><button class="btn" type="submit">${m.remove}</button></form></td>`
        : ''
    }
  </tr>`;
}

export function keyCareSection(c: CarePageContext, keyCare: KeyCareView[], months: Month[]) {
  const { m, csrf } = c;
  return html`<section id="key-care">
    <h2>${m.keyCare}</h2>
    <table id="key-care-table">
      <thead>
        <tr>
          <th>${m.student}</th>
          <th>${m.reasons}</th>
          <th>${m.plan}</th>
          ${c.isLeader ? html`<th>${m.remove}</th>` : ''}
        </tr>
      </thead>
      <tbody>
        ${keyCare.length ? '' : html`<tr><td colspan="4" class="muted">${m.none}</td></tr>`}
        ${keyCare.map((e) => keyCareRow(c, e))}
      </tbody>
    </table>
    <form class="card" id="add-key-care" method="post" action="/care/key-care${c.collegeQ}">
      ${csrf}
      <h3>${m.addKeyCare}</h3>
      ${studentFields(m)}
      <fieldset>
        <legend>${m.reasons}</legend>
        ${groupChoices(c, months)} <label>${m.otherReason} <input name="reasons" maxlength="500" /></label>
      </fieldset>
      <label>${m.plan} <textarea name="plan"></textarea></label>
      <p><button class="btn" type="submit">${m.add}</button></p>
    </form>
  </section>`;
}
