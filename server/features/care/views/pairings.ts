/** The pairing section of the care workspace: proposed pairings, a new pairing, and the active ones with their talk clock. */
import type { User } from '../../../../db/store';
import { html, raw } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import { levelName } from '../../../platform/views/words';
import type { PairingView } from '../use-cases';
import { archiveIdFor, type CarePageContext } from './context';
import { studentCell, studentFields, userSelect } from '../../../platform/forms';

function proposedTable(c: CarePageContext, proposed: PairingView[], members: User[], override: unknown) {
  const { m, csrf, req } = c;
  return html`<table id="proposed-pairings">
    <thead>
      <tr>
        <th>${m.student}</th>
        <th>${m.source}</th>
        ${c.isLeader ? html`<th>${m.assign}</th>` : ''}
      </tr>
    </thead>
    <tbody>
      ${proposed.length ? '' : html`<tr><td colspan="3" class="muted">${m.none}</td></tr>`}
      ${proposed.map(
        (p) =>
          html`<tr data-id="${p.id}">
            <td>${studentCell(p.student, archiveIdFor(c, p.student.id))}</td>
            <td>${m.sourceNames[p.source] ?? p.source}</td>
            ${
              c.isLeader
                ? html`<td>
                    <form method="post" action="/care/pairings${c.collegeQ}">
                      ${csrf}<input type="hidden" name="pairingId" value="${p.id}" /><label
                        >${m.teacher} ${userSelect(req, 'teacherUserId', members, { required: true, empty: '' })}</label
                      >${override}<button class="btn" type="submit">${m.assign}</button>
                    </form>
                  </td>`
                : ''
            }
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function activeRow(c: CarePageContext, p: PairingView) {
  const { m, csrf, user, zone, req } = c;
  const overdue = p.nextTalkDueAt != null && p.nextTalkDueAt < c.now;
  const mayTalk = p.teacherUserId === user.id || (user.role === 'college_leader' && user.collegeId === c.collegeId);
  const mayEnd = user.role === 'college_leader' && user.collegeId === c.collegeId;
  return html`<tr data-id="${p.id}"><td>${studentCell(p.student, archiveIdFor(c, p.student.id))}</td><td>${p.teacherName ?? p.teacherUserId ?? ''}</td><td>${fmt(p.startedAt, zone)}</td><td>${fmt(p.lastTalkAt, zone)}</td>
<td${overdue ? raw(' class="bad"') : ''}>${fmt(p.nextTalkDueAt, zone)}</td><td class="level-${p.escalationLevel}" data-value="${p.escalationLevel}">${levelName(Number(p.escalationLevel), req.lang ?? 'zh-CN')}</td>
<td>${mayTalk ? html`<details><summary>${m.recordTalk}</summary><form method="post" action="/care/pairings/${encodeURIComponent(p.id)}/talks">${csrf}<label>${m.talkNote} <textarea name="note" required></textarea></label><button class="btn" type="submit">${m.recordTalk}</button></form></details>` : ''}
${mayEnd ? html`<details><summary>${m.endPairing}</summary><form method="post" action="/care/pairings/${encodeURIComponent(p.id)}/end">${csrf}<label>${m.endReason} <input name="reason" required maxlength="500"></label><button class="btn" type="submit">${m.endPairing}</button></form></details>` : ''}</td></tr>`;
}

export function pairingSection(c: CarePageContext, pairings: PairingView[], members: User[]) {
  const { m, csrf, user, req } = c;
  const proposed = pairings.filter((p) => p.status === 'proposed');
  const active = pairings.filter((p) => p.status === 'active');
  const override =
    user.role === 'school_admin'
      ? html`<label>${m.overrideReason} <input name="overrideReason" maxlength="500"></label>`
      : '';
  return html`<section id="pairings">
    <h2>${m.pairings}</h2>
    <h3>${m.proposed}</h3>
    ${proposedTable(c, proposed, members, override)}
    ${
      c.isLeader
        ? html`<form class="card" id="new-pairing" method="post" action="/care/pairings${c.collegeQ}">
            ${csrf}
            <h3>${m.newPairing}</h3>
            ${studentFields(m)}
            <label>${m.teacher} ${userSelect(req, 'teacherUserId', members, { required: true, empty: '' })}</label
            >${override}
            <p><button class="btn" type="submit">${m.assign}</button></p>
          </form>`
        : ''
    }
    <h3>${m.activePairings}</h3>
    <table id="active-pairings">
      <thead>
        <tr>
          <th>${m.student}</th>
          <th>${m.teacher}</th>
          <th>${m.startedAt}</th>
          <th>${m.lastTalk}</th>
          <th>${m.nextTalkDue}</th>
          <th>${m.escalation}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${active.length ? '' : html`<tr><td colspan="7" class="muted">${m.none}</td></tr>`}
        ${active.map((p) => activeRow(c, p))}
      </tbody>
    </table>
  </section>`;
}
