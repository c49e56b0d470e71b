/** The in-app inbox page: filters (unread only, kind), pages of INBOX_PAGE entries, each linked to its subject. */
import type { Request } from 'express';
import type { Notification } from '../../../../db/store';
import { html, raw, type Raw } from '../../../platform/html';
import { fmt } from '../../../platform/request';
import { text } from '../../../platform/i18n';

/** inbox entries per page */
const INBOX_PAGE = 50;

export interface InboxAsk {
  unreadOnly: boolean;
  kind: string | undefined;
  /** the page asked for (?page=), 1 when absent or not a number */
  page: string | undefined;
}

export interface InboxPage extends InboxAsk {
  everything: Notification[];
  unreadTotal: number;
  items: Notification[];
  kinds: string[];
  pages: number;
  pageNo: number;
}

/** The entries of the page asked for, and the counts the page shows. */
export function inboxPage(everything: Notification[], ask: InboxAsk): InboxPage {
  const { unreadOnly, kind } = ask;
  const unreadTotal = everything.filter((n) => !n.readAt).length;
  const filtered = everything.filter((n) => (!unreadOnly || !n.readAt) && (!kind || n.subjectType === kind));
  const pages = Math.max(1, Math.ceil(filtered.length / INBOX_PAGE));
  const pageNo = Math.min(pages, Math.max(1, Number.parseInt(ask.page ?? '1', 10) || 1));
  const items = filtered.slice((pageNo - 1) * INBOX_PAGE, pageNo * INBOX_PAGE);
  const kinds = [...new Set(everything.map((n) => n.subjectType))].sort();
  return { ...ask, everything, unreadTotal, items, kinds, pages, pageNo };
}

/** The pairings among the entries of a page (each links to its college's care workspace). */
export const pairingIdsOf = (items: Notification[]) => [
  ...new Set(items.filter((n) => n.subjectType === 'pairing').map((n) => n.subjectId)),
];

export function inboxBody(req: Request, v: InboxPage & { zone: string; pairingCollege: Map<string, string> }): Raw {
  const { unreadOnly, kind, everything, unreadTotal, items, kinds, pages, pageNo, zone, pairingCollege } = v;
  const m = text(req).ui;
  const qs = (p: number) =>
    `?${new URLSearchParams({ ...(unreadOnly ? { unread: '1' } : {}), ...(kind ? { kind } : {}), page: String(p) }).toString()}`;
  const back = qs(pageNo);
  const hrefOf = (n: { subjectType: string; subjectId: string }): string | undefined => {
    const id = encodeURIComponent(n.subjectId);
    switch (n.subjectType) {
      case 'task':
        return `/tasks/${id}`;
      case 'crisis':
        return `/crises/${id}`;
      case 'screening':
        return `/screening/warnings/${id}`;
      case 'pairing': {
        const college = pairingCollege.get(n.subjectId);
        return college ? `/care?college=${encodeURIComponent(college)}` : '/care';
      }
      case 'college':
        return `/colleges/${id}`;
      case 'unit-concern':
        return `/units/concerns#concern-${id}`;
      case 'school':
        return '/';
      default:
        return undefined;
    }
  };
  const csrfInput = html`<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">`;
  const pager =
    pages > 1
      ? html`<nav class="pager" aria-label="${m.pageOf(pageNo, pages)}">${pageNo > 1 ? html`<a class="btn" rel="prev" href="/inbox${qs(pageNo - 1)}">${m.prevPage}</a>` : ''} <span>${m.pageOf(pageNo, pages)}</span> ${pageNo < pages ? html`<a class="btn" rel="next" href="/inbox${qs(pageNo + 1)}">${m.nextPage}</a>` : ''}</nav>`
      : '';
  return html`<h1>${m.navInbox}</h1>
<p class="muted" id="inbox-count">${m.inboxCount(unreadTotal, everything.length)}</p>
<div class="card filters-row"><form method="get" action="/inbox" class="filters" id="inbox-filters">
<label>${m.inboxShow} <select name="unread"><option value="">${m.any}</option><option value="1"${unreadOnly ? raw(' selected') : ''}>${m.inboxUnread}</option></select></label>
<label>${m.inboxKind} <select name="kind"><option value="">${m.any}</option>${kinds.map((k) => html`<option value="${k}"${k === kind ? raw(' selected') : ''}>${m.inboxKinds[k] ?? k}</option>`)}</select></label>
<button class="btn">${m.filter}</button></form>
${unreadTotal ? html`<form method="post" action="/inbox/read-all" id="read-all">${csrfInput}<button class="btn">${m.markAllRead}</button></form>` : ''}</div>
${items.length ? '' : html`<p>${m.inboxEmpty}</p>`}
<table id="inbox"><tbody>${items.map((n) => {
    const href = hrefOf(n);
    return html`<tr class="${n.readAt ? 'read' : 'unread'}"><td>${fmt(n.createdAt, zone)}</td><td>${href ? html`<a href="${href}">${n.title}</a>` : n.title}<br><small>${n.body}</small></td><td>${n.readAt ? '' : html`<form method="post" action="/inbox/${n.id}/read" class="inline">${csrfInput}<input type="hidden" name="back" value="${back}"><button>${m.markRead}</button></form>`}</td></tr>`;
  })}</tbody></table>
${pager}`;
}
