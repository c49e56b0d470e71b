/** Minimal server-side HTML: escaping and the page layout (no CDN: every asset is served by the app). */
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
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
    const part = Array.isArray(v)
      ? v.map((x) => (x instanceof Raw ? x.html : esc(x))).join('')
      : v instanceof Raw
        ? v.html
        : esc(v);
    out += part + (strings[i + 1] ?? '');
  });
  return new Raw(out);
}

/** The few layout words that are not in MESSAGES (the crisis link, the menu, the unread badge). */
const LAYOUT_TEXT: Record<Lang, { reportCrisis: string; more: string; unread: (n: number) => string; skip: string }> = {
  'zh-CN': { reportCrisis: '上报危机个案', more: '更多', unread: (n) => `${n} 条未读`, skip: '跳到正文' },
  en: { reportCrisis: 'Report a crisis', more: 'More', unread: (n) => `${n} unread`, skip: 'Skip to content' },
};

/**
 * Counts the signed-in user's unread inbox entries for the navigation's badge: one COUNT query
 * (over the notifications index on recipient and read_at) per page request, none for the JSON API.
 */
export function unreadBadge(knex: Knex): (req: Request, res: Response, next: NextFunction) => void {
  return (req, _res, next) => {
    if (!req.user || (req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/api/')) return next();
    const userId = req.user.id;
    knex('notifications')
      .where({ recipient_user_id: userId })
      .whereNull('read_at')
      .count<Array<{ n: number | string }>>({ n: '*' })
      .then(
        (rows) => {
          req.unreadCount = Number(rows[0]?.n ?? 0);
          next();
        },
        // the badge is a convenience: the page is served without it rather than failing
        () => next(),
      );
  };
}

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
  const t = MESSAGES[lang];
  const lt = LAYOUT_TEXT[lang];
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
              ['/admin/workflows', t.navWorkflows],
              ['/admin/deliveries', t.navDeliveries],
            ] as Array<[string, string]>)
          : []),
        ['/screening', t.navScreening],
        ['/me/calendar-feed', t.navCalendar],
      ]
    : [];
  const link = ([href, label]: [string, Raw | string]) => html`<a href="${href}">${label}</a> `;
  const header = html`<header>
    <a class="skip" href="#main">${lt.skip}</a><strong class="brand">${t.appTitle}</strong>
    ${
      u
        ? html`<nav>
            ${main.map(link)}<a class="report-crisis" href="/crises/new">${lt.reportCrisis}</a>
            <details class="more">
              <summary>${lt.more}</summary>
              <div class="more-links">${more.map(link)}</div>
            </details>
          </nav>`
        : ''
    }
    <span class="who"
      >${
        u
          ? html`<span class="name">${u.displayName}</span>
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" /><button>${t.logout}</button>
              </form>`
          : ''
      } <a class="lang" href="?lang=${other}">${t.switchLang}</a></span
    >
  </header>`;
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

declare module 'express-serve-static-core' {
  interface Request {
    /** the signed-in user's unread inbox entries (unreadBadge), for the navigation's badge */
    unreadCount?: number;
  }
}

/** What an error page says, per status, in each language: a title and what to do next. */
const ERROR_TEXT: Record<
  Lang,
  Record<number, [string, string]> & { other: [string, string]; home: string; back: string; details: string }
> = {
  'zh-CN': {
    400: ['请求有误', '提交的内容不完整或格式不正确，请返回修改后再试。'],
    403: ['没有权限', '您的账号无权查看或办理此项。如需办理，请联系学院负责人或学校管理员。'],
    404: ['页面不存在', '您要找的页面或记录不存在，可能链接有误或已被删除。'],
    405: ['不支持此操作', '此页面不支持这种操作，请从页面上的按钮或链接进入。'],
    409: ['操作未能完成', '此事项的状态已经改变（例如已由他人办结），请刷新页面查看最新情况。'],
    413: ['文件太大', '上传的文件超过了大小限制，请压缩或拆分后再试。'],
    415: ['文件类型不支持', '只能上传图片（JPEG、PNG）或 PDF 文件。'],
    422: ['重复提交的内容不一致', '同一表单被再次提交，但内容与第一次不同。请刷新页面后重新填写。'],
    other: ['系统出错', '服务器处理时出错，已记录。请稍后再试；如果一再出现，请联系学校管理员。'],
    home: '返回首页',
    back: '返回上一页',
    details: '技术细节',
  },
  en: {
    400: ['Bad request', 'What was sent is incomplete or malformed: go back, correct it and try again.'],
    403: ['Not allowed', 'Your account may not see or do this. Ask your college leader or the school administrator.'],
    404: ['Page not found', 'The page or record does not exist: the link may be wrong, or it was removed.'],
    405: ['Not supported', 'This page does not support that action: use the buttons and links on the pages.'],
    409: [
      'Could not be done',
      'The item has changed (someone may have completed it already): reload the page to see where it stands.',
    ],
    413: ['File too large', 'An uploaded file is over the size limit: compress or split it and try again.'],
    415: ['File type not supported', 'Only images (JPEG, PNG) or PDF files can be uploaded.'],
    422: [
      'Resubmitted form differs',
      'The same form was sent again with different content. Reload the page and fill it in again.',
    ],
    other: [
      'Something went wrong',
      'The server could not handle this; it has been logged. Try again later, and tell the school administrator if it keeps happening.',
    ],
    home: 'Back to the home page',
    back: 'Back to the previous page',
    details: 'Technical details',
  },
};

/**
 * An error page in the user's language: what happened, what to do, a link home and (when the
 * request came from one of our pages) back; the developer message folded away under "details".
 */
export function errorPage(req: Request, status: number, detail: string): string {
  const lang: Lang = req.lang ?? 'zh-CN';
  const e = ERROR_TEXT[lang];
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
  const body = html`<div class="card error-page" id="error-page" data-status="${status}">
    <h1>${title}</h1>
    <p>${advice}</p>
    <p class="actions">
      <a class="btn" href="/" id="home">${e.home}</a
      >${back ? html` <a class="btn secondary" href="${back}" id="back">${e.back}</a>` : ''}
    </p>
    ${
      detail && status < 500
        ? html`<details>
            <summary>${e.details}</summary>
            <p><code>${status} · ${detail}</code></p>
          </details>`
        : html`<p class="muted"><small>${status}</small></p>`
    }
  </div>`;
  return page(req, { title, body, status });
}
