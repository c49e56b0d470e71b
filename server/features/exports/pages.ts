/** /me/calendar-feed: create, rotate, show and revoke the signed-in user's private iCalendar feed (CSRF checked by the app). */
import express, { type Request } from 'express';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { page } from '../../platform/layout';
import { text } from '../../platform/i18n';
import { createFeedToken, getFeed, revokeUserFeed, schoolZone, sha256 } from './use-cases';
import { FEED_PATH, feedBody } from './views/feed';

const FEED_ONCE_COOKIE = 'rx_feed_once';
const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

export function createExportsPages(deps: AppDeps): express.Router {
  const { store, knex } = deps;
  const now = deps.now ?? Date.now;
  const router = express.Router();
  // from the configured public address: the Host header is the client's to choose
  const feedUrl = (token: string) => `${deps.publicUrl.replace(/\/+$/, '')}/ics/${token}.ics`;

  router.post(FEED_PATH, async (req, res) => {
    const user = currentUser(req);
    const token = await createFeedToken(knex, user.id, now());
    if (wantsJson(req)) return void res.json({ url: feedUrl(token) });
    // The URL is shown once, on the page this redirects to; only its hash is stored.
    res.cookie(FEED_ONCE_COOKIE, token, {
      path: FEED_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      maxAge: 5 * 60_000,
    });
    res.redirect(303, FEED_PATH);
  });

  router.post(`${FEED_PATH}/revoke`, async (req, res) => {
    const user = currentUser(req);
    const revoked = await revokeUserFeed(knex, user.id, now());
    if (wantsJson(req)) return void res.json({ revoked });
    res.redirect(303, FEED_PATH);
  });

  router.get(FEED_PATH, async (req, res) => {
    const user = currentUser(req);
    const t = text(req).exports.feed;
    const feed = await getFeed(knex, user.id);
    const zone = await schoolZone(store, user.schoolId);
    const once = /(?:^|;\s*)rx_feed_once=([A-Za-z0-9_-]+)/.exec(req.get('cookie') ?? '')?.[1];
    const active = !!feed && feed.revoked_at === null;
    const url = active && once && sha256(once) === feed.token_hash ? feedUrl(once) : null;
    if (once) res.clearCookie(FEED_ONCE_COOKIE, { path: FEED_PATH });
    const body = feedBody(req, { user, feed, zone, url, active });
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(page(req, { title: t.title, body }));
  });

  return router;
}
