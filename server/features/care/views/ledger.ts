/** The ledger section of the care workspace: appendix 4's columns with the follow-ups, and the form to add an entry. */
import type { User } from '../../../../db/store';
import { LEDGER_CATEGORIES, LEDGER_COLUMNS } from '../../../../domain/care';
import { html } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import { LEDGER_EDITORS, type LedgerView } from '../use-cases';
import { archiveIdFor, type CarePageContext } from './context';
import { studentFields, userSelect } from '../../../platform/forms';

function followUpForm(c: CarePageContext, v: LedgerView) {
  const { m } = c;
  return html`<details>
    <summary>${m.addFollowUp}</summary>
    <form method="post" action="/care/ledger/${encodeURIComponent(v.id)}/follow-ups">
      ${c.csrf}
      <label>${m.followUpText} <textarea name="text" required></textarea></label>
      <label><input type="checkbox" name="counselling" value="1" /> ${m.counselling}</label>
      <label><input type="checkbox" name="hospital" value="1" /> ${m.hospital}</label>
      <button class="btn" type="submit">${m.add}</button>
    </form>
  </details>`;
}

function ledgerCells(
  c: CarePageContext,
  v: LedgerView,
  names: Map<string, string>,
): Record<(typeof LEDGER_COLUMNS)[number]['key'], unknown> {
  const { m, zone } = c;
  const categoryName = new Map<string, string>(LEDGER_CATEGORIES.map((x) => [x.id, c.en ? x.en : x.zh]));
  return {
    seq: v.seq,
    name: html`${archiveIdFor(c, v.student.id) ? html`<a href="/archives/${encodeURIComponent(v.student.id)}" class="archive-link">${v.student.name}</a>` : v.student.name}<br><small>${v.student.studentNo}</small>`,
    gender: v.gender,
    majorClass: v.majorClass || v.student.className || '',
    contact: v.contact,
    interviewAt: fmt(v.interviewAt, zone),
    categories: v.categories.map((x) => categoryName.get(x) ?? x).join('、'),
    lifeSafety: v.lifeSafety ? m.yes : m.no,
    description: v.description,
    liaison: v.liaisonName ?? '',
    plan: v.plan,
    followUp: html`<ul class="follow-ups">
        ${v.followUps.map(
          (f) =>
            html`<li>${fmt(f.at, zone)} ${f.text}${f.counselling ? `（${m.counsellingShort}）` : ''}${f.hospital ? `（${m.hospitalShort}）` : ''} <small class="muted">${names.get(f.by) ?? f.by}</small></li>`,
        )}
      </ul>
      ${followUpForm(c, v)}`,
  };
}

function addLedgerForm(c: CarePageContext, members: User[]) {
  const { m } = c;
  return html`<form class="card" id="add-ledger" method="post" action="/care/ledger${c.collegeQ}">
    ${c.csrf}
    <h3>${m.addLedger}</h3>
    ${studentFields(m)}
    <label
      >${m.gender}
      <select name="gender">
        <option value="">${m.notChosen}</option>
        <option value="男">${m.male}</option>
        <option value="女">${m.female}</option>
      </select></label
    >
    <label>${m.majorClass} <input name="majorClass" maxlength="100" /></label>
    <label>${m.contact} <input name="contact" maxlength="100" /></label>
    <label>${m.interviewAt} <input type="datetime-local" name="interviewAt" /></label>
    <fieldset>
      <legend>${m.categories}</legend>
      ${LEDGER_CATEGORIES.map((x) => html`<label><input type="checkbox" name="categories" value="${x.id}" /> ${c.en ? x.en : x.zh}</label>`)}
    </fieldset>
    <label><input type="checkbox" name="lifeSafety" value="1" /> ${m.lifeSafety}</label>
    <label>${m.description} <textarea name="description"></textarea></label>
    <label>${m.liaison} ${userSelect(c.req, 'liaisonUserId', members, { empty: m.notChosen })}</label>
    <label>${m.interventionPlan} <textarea name="plan"></textarea></label>
    <p><button class="btn" type="submit">${m.add}</button></p>
  </form>`;
}

export function ledgerSection(c: CarePageContext, ledger: LedgerView[], members: User[], names: Map<string, string>) {
  const { m } = c;
  const empty = ledger.length ? '' : html`<tr><td colspan="${LEDGER_COLUMNS.length}" class="muted">${m.none}</td></tr>`;
  const rows = ledger.map((v) => {
    const cells = ledgerCells(c, v, names);
    return html`<tr data-id="${v.id}">
      ${LEDGER_COLUMNS.map((x) => html`<td data-col="${x.key}">${cells[x.key]}</td>`)}
    </tr>`;
  });
  // the header in one line (appendix 4's columns, read so by the tests)
  // prettier-ignore
  const table = html`<table id="ledger-table"><thead><tr>${LEDGER_COLUMNS.map((x) => html`<th>${x.zh}</th>`)}</tr></thead><tbody>
${empty}${rows}
</tbody></table>`;
  return html`<section id="ledger">
    <h2>${m.ledger}</h2>
    <p>
      <a href="/exports/ledger.xlsx${c.collegeQ}">${m.exportXlsx}</a> ·
      <a href="/exports/ledger.csv${c.collegeQ}">${m.exportCsv}</a>
    </p>
    ${table} ${LEDGER_EDITORS.includes(c.user.role) ? addLedgerForm(c, members) : ''}
  </section>`;
}
