/**
 * The printable archive (seed 003 appendix 3's layout, the same sheet as the .docx): an A4 page set
 * in the Chinese font the app ships (server/assets/fonts, @font-face in app.css), which the browser
 * prints, or saves as a PDF, the same on any computer. Print rules in server/assets/archive-print.css.
 */
import type { Request } from 'express';
import { html, type Raw } from '../../../platform/html';
import { text } from '../../../platform/i18n';
import { page } from '../../../platform/layout';
import type { ArchiveSheet, ArchiveView, SheetCell } from '../use-cases';

/** A table row: label cells head their row, or their column when the whole row is labels (a list's heading row). */
const row = (r: SheetCell[]): Raw => {
  const scope = r.every((c) => c.label) ? 'col' : 'row';
  const cell = (c: SheetCell) => {
    const span = c.span ? html` colspan="${c.span}"` : '';
    return c.label ? html`<th scope="${scope}"${span}>${c.text}</th>` : html`<td${span}>${c.text}</td>`;
  };
  return html`<tr>${r.map(cell)}</tr>`;
};

export function renderArchivePrint(req: Request, p: { sheet: ArchiveSheet; student: ArchiveView['student'] }): string {
  const m = text(req).archive;
  const { sheet, student } = p;
  const body = html`<link rel="stylesheet" href="/assets/archive-print.css">
<p class="print-actions"><a href="/archives/${student.id}">${m.backToArchive}</a>
 <button type="button" class="btn" data-print id="print">${m.printButton}</button>
 <span class="muted">${m.printHint}</span></p>
<article class="report archive-print" id="archive-print">
<h1>${sheet.title}</h1>
<p class="subtitle">${sheet.subtitle}</p>
${sheet.sections.map(
  (s) =>
    html`<section id="print-${s.key}"><h2>${s.heading}</h2><table class="sheet sheet-${s.key}"><tbody>${s.rows.map(row)}</tbody></table></section>`,
)}
<p class="exported">${sheet.exported}</p>
</article>`;
  return page(req, { title: `${sheet.title} · ${student.name}`, body });
}
