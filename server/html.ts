/** Minimal server-side HTML: escaping and the page layout (no CDN: every asset is served by the app). */
import type { Lang, Messages } from './messages';

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

export function page(opts: { lang: Lang; t: Messages; title: string; body: Raw }): string {
  const other = opts.lang === 'en' ? '?lang=zh-CN' : '?lang=en';
  return `<!doctype html>
<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} · ${esc(opts.t.appTitle)}</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<header><strong>${esc(opts.t.appTitle)}</strong> <a class="lang" href="${other}">${esc(opts.t.switchLang)}</a></header>
<main>
${opts.body.html}
</main>
</body>
</html>`;
}
