/** Minimal server-side HTML: escaping and the page layout (no CDN: every asset is served by the app). */
import type { Request } from 'express';
import { MESSAGES, type Lang } from './messages';

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tagged template that escapes interpolations unless they are `raw(...)`. */
export class Raw {
  constructor(readonly html: string) {}
}
export const raw = (html: string) => new Raw(html);
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const part = Array.isArray(v) ? v.map((x) => (x instanceof Raw ? x.html : esc(x))).join('') : v instanceof Raw ? v.html : esc(v);
    out += part + (strings[i + 1] ?? '');
  });
  return new Raw(out);
}

/** The page layout: navigation by role, the user, sign-out form (with the CSRF token), language switch. */
export function page(req: Request, opts: { title: string; body: Raw; status?: number }): string {
  const lang: Lang = req.lang ?? 'zh-CN';
  const t = MESSAGES[lang];
  const other = lang === 'en' ? 'zh-CN' : 'en';
  const u = req.user;
  const nav: Array<[string, string]> = u
    ? [
        ['/', t.navOverview],
        ['/tasks/mine', t.navMyTasks],
        ['/inbox', t.navInbox],
        // every role is a care role (CARE_ROLES): the college's care workspace
        ['/care', t.navCare],
        ...(u.role === 'school_admin'
          ? ([['/admin/semesters', t.navSemesters], ['/admin/users', t.navUsers], ['/admin/care-settings', t.navCareSettings], ['/admin/workflows', t.navWorkflows], ['/admin/deliveries', t.navDeliveries]] as Array<[string, string]>)
          : []),
        ['/me/calendar-feed', t.navCalendar],
      ]
    : [];
  const header = html`<header><strong>${t.appTitle}</strong>
<nav>${nav.map(([href, label]) => html`<a href="${href}">${label}</a> `)}</nav>
<span class="who">${u ? html`${u.displayName} <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}"><button>${t.logout}</button></form>` : ''}
<a class="lang" href="?lang=${other}">${t.switchLang}</a></span></header>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} · ${esc(t.appTitle)}</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
${header.html}
<main>
${opts.body.html}
</main>
</body>
</html>`;
}
