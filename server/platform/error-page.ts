/** The error page of the layout, in the user's language. */
import type { Request } from 'express';
import { html } from './html';
import { t, type Lang } from './i18n';
import { page } from './layout';

/**
 * An error page in the user's language: what happened, what to do, a link home and (when the
 * request came from one of our pages) back; the developer message folded away under "details".
 */
export function errorPage(req: Request, status: number, detail: string): string {
  const lang: Lang = req.lang ?? 'zh-CN';
  const e = t(lang).errors;
  const [title, advice] = e[status] ?? e.other;
  let back: string | undefined;
  try {
    const ref = req.get('referer');
    if (ref) {
      const u = new URL(ref);
      if (u.host === req.get('host') && u.pathname + u.search !== req.originalUrl) back = u.pathname + u.search;
    }
  } catch {
    // an unreadable Referer: no back link
  }
  // built apart so that the formatter keeps each link on one line (`…返回首页</a>`, as before the formatter)
  const home = html`<a class="btn" href="/" id="home">${e.home}</a>`;
  const backLink = back ? html` <a class="btn secondary" href="${back}" id="back">${e.back}</a>` : '';
  const body = html`<div class="card error-page" id="error-page" data-status="${status}">
    <h1>${title}</h1>
    <p>${advice}</p>
    <p class="actions">${home}${backLink}</p>
    ${
      detail && status < 500
        ? html`<details><summary>${e.details}</summary><p><code>${status} · ${detail}</code></p></details>`
        : html`<p class="muted"><small>${status}</small></p>`
    }
  </div>`;
  return page(req, { title, body, status });
}
