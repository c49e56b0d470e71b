/** The sign-in page, in the one layout. */
import type { Request } from 'express';
import { html } from '../html';
import { pickLang, t as texts, type Lang } from '../i18n';
import { page } from '../layout';
import { safeNext } from '../safe-next';

export const langOf = (req: Request): Lang => req.lang ?? pickLang(req.query.lang);

/** The Chinese-first login page; `error` is shown above the form (never which field was wrong). */
export function renderLogin(req: Request, error?: string, username = ''): string {
  const lang = langOf(req);
  const t = texts(lang).auth;
  const next = safeNext(
    req.body && typeof req.body === 'object' && 'next' in req.body
      ? (req.body as Record<string, unknown>).next
      : req.query.next,
  );
  const body = html`<h1>${t.loginTitle}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form class="card" method="post" action="/login${lang === 'en' ? '?lang=en' : ''}">
<label for="username">${t.username}</label>
<input id="username" name="username" autocomplete="username" required autofocus value="${username}">
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<p><button type="submit">${t.signIn}</button></p>
</form>`;
  return page(req, { title: t.loginTitle, body });
}
