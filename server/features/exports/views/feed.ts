/** The calendar feed's page: its address once after creation, its state, and the forms to create, rotate and revoke. */
import type { Request } from 'express';
import type { FeedRow } from '../../../../db/repositories/exports';
import { formatLocal } from '../../../../domain/local-time';
import type { SessionUser } from '../../../platform/auth/context';
import { html, type Raw } from '../../../platform/html';
import { text } from '../../../platform/i18n';

export const FEED_PATH = '/me/calendar-feed';

export interface FeedPageInput {
  user: SessionUser;
  feed: FeedRow | undefined;
  zone: string;
  /** the feed's address, shown once after it was created or rotated */
  url: string | null;
  active: boolean;
}

export function feedBody(req: Request, v: FeedPageInput): Raw {
  const { user, feed, zone, url, active } = v;
  const t = text(req).exports.feed;
  const day = (ms: number) => formatLocal(ms, zone);
  const csrf = html`<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}">`;
  return html`<h1>${t.title}</h1>
<p>${t.intro}</p>
${user.role === 'school_admin' ? html`<p class="muted">${t.adminIntro}</p>` : ''}
${
  url
    ? html`<p><label>${t.url}<br><input id="feed-url" readonly size="90" value="${url}"></label></p>`
    : html`<p>${!feed ? t.none : active ? t.active(day(feed.created_at)) : t.revoked(day(feed.revoked_at ?? 0))}</p>`
}
<form method="post" action="${FEED_PATH}">${csrf}<button>${active ? t.rotate : t.create}</button></form>
${active ? html`<form method="post" action="${FEED_PATH}/revoke">${csrf}<button>${t.revoke}</button></form>` : ''}`;
}
