/**
 * The one page layout (issue 13): every page, the sign-in page included, is rendered by page()
 * (no CDN: every asset is served by the app).
 */
import type { Request } from 'express';
import { t as texts, type Lang } from './i18n';
import { esc, html, type Raw } from './html';
import './unread-badge'; // req.unreadCount

/** The `<head>` lines every layout shares: viewport, stylesheet, icons and the web app manifest. */
export const HEAD_LINKS = `<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#0b5394">
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/favicon.ico" sizes="32x32">
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="apple-touch-icon" href="/assets/icon-192.png">
<link rel="manifest" href="/manifest.webmanifest">`;

/**
 * The page layout: navigation by role, the user, sign-out form (with the CSRF token), language
 * switch. On a phone the header wraps: the main links (with "report a crisis" and the inbox's unread
 * badge) stay visible as large touch targets, the admin pages fold into a "more" menu (`<details>`,
 * no JavaScript).
 */
export function page(req: Request, opts: { title: string; body: Raw; status?: number }): string {
  const lang: Lang = req.lang ?? 'zh-CN';
  const t = texts(lang).ui;
  const lt = texts(lang).layout;
  const other = lang === 'en' ? 'zh-CN' : 'en';
  const u = req.user;
  const unread = req.unreadCount ?? 0;
  const main: Array<[string, Raw | string]> = u
    ? [
        ['/', t.navOverview],
        // tasks belong to a college's roles: an account without a college (the school admin) has none
        ...(u.collegeId ? ([['/tasks/mine', t.navMyTasks]] as Array<[string, string]>) : []),
        [
          '/inbox',
          html`${t.navInbox}${unread > 0 ? html` <span class="badge" id="inbox-badge" aria-label="${lt.unread(unread)}">${unread > 99 ? '99+' : unread}</span>` : ''}`,
        ],
        // every role is a care role (CARE_ROLES): the college's care workspace
        ['/care', t.navCare],
      ]
    : [];
  const more: Array<[string, string]> = u
    ? [
        ...(u.role === 'school_admin'
          ? ([
              ['/admin/semesters', t.navSemesters],
              ['/admin/users', t.navUsers],
              ['/admin/care-settings', t.navCareSettings],
              ['/admin/archive-audit', texts(lang).archive.navAudit],
              ['/admin/data-requests', texts(lang).archiveRequests.nav],
              ['/admin/archive-settings', texts(lang).archiveRequests.settingsNav],
              ['/admin/workflows', t.navWorkflows],
              ['/admin/deliveries', t.navDeliveries],
            ] as Array<[string, string]>)
          : []),
        ...(u.role === 'school_admin' || u.role === 'college_leader'
          ? ([['/indicators', texts(lang).indicators.nav]] as Array<[string, string]>)
          : []),
        ['/archives', texts(lang).archive.nav],
        ['/screening', t.navScreening],
        ['/me/calendar-feed', t.navCalendar],
      ]
    : [];
  // a class or dorm reporter (a student) has their own reports only (domain/permissions.ts reporterReachRefusal)
  const reporter = u?.role === 'class_psych_member' || u?.role === 'dorm_info_officer';
  if (reporter) main.splice(0, main.length, ['/report', texts(lang).units.nav]);
  if (u?.role === 'school_admin') more.unshift(['/admin/units', texts(lang).units.rosterTitle]);
  if (u?.collegeId && !reporter) more.unshift(['/units/concerns', texts(lang).units.concernsTitle]);
  const link = ([href, label]: [string, Raw | string]) => html`<a href="${href}">${label}</a> `;
  const header = html`<header><a class="skip" href="#main">${lt.skip}</a><strong class="brand">${t.appTitle}</strong>
${
  reporter
    ? html`<nav>${main.map(link)}</nav>`
    : u
      ? html`<nav>${main.map(link)}<a class="report-crisis" href="/crises/new">${lt.reportCrisis}</a>
<details class="more"><summary>${lt.more}</summary><div class="more-links">${more.map(link)}</div></details></nav>`
      : ''
}
<span class="who">${u ? html`<span class="name">${u.displayName}</span> <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}"><button>${t.logout}</button></form>` : ''}
<a class="lang" href="?lang=${other}">${t.switchLang}</a></span></header>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
${HEAD_LINKS}
<title>${esc(opts.title)} · ${esc(t.appTitle)}</title>
<script src="/assets/app.js" defer></script>
</head>
<body>
${header.html}
<main id="main">
${opts.body.html}
</main>
</body>
</html>`;
}
