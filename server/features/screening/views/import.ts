/** The screening-import page (issue 14): the upload form, the preview of the rows, the problems by line, the outcome. */
import type { Request } from 'express';
import { html, type Raw } from '../../../platform/html';
import { csrfField } from '../../../platform/forms';
import { text, type Catalogue } from '../../../platform/i18n';
import type { ScreeningImportResult, WarningRow } from '../use-cases';

const PREVIEW_ROWS = 100;

/** An import problem ("第 3 行: unknown college …") in the page's words: the line, then the row problem translated; else as given. */
function problemInWords(problem: string, words: Catalogue['screening']['problems']): string {
  const line = /^第 (\d+) 行: /.exec(problem);
  const rest = line ? problem.slice(line[0].length) : problem;
  for (const [re, say] of words) {
    const m = re.exec(rest);
    if (m) return `${line ? `第 ${line[1]} 行：` : ''}${say(m)}`;
  }
  // whole-file problems (header, encoding, size) keep their text, which names the column or limit
  return problem;
}

export function uploadForm(req: Request, role: string): Raw {
  const w = text(req).screening;
  return html`<form
    class="card"
    id="screening-upload"
    method="post"
    enctype="multipart/form-data"
    action="/screening/preview?_csrf=${encodeURIComponent(req.csrfToken ?? '')}"
  >
    <p>${w.intro}</p>
    ${role !== 'school_admin' ? html`<p class="muted">${w.collegeOnly}</p>` : ''}
    <label>${w.file} <input type="file" name="file" accept=".csv,text/csv" required /></label>
    <p><button class="btn" type="submit">${w.preview}</button></p>
  </form>`;
}

/** The file's problems by line (in the page's language), with the upload form again; `intro` on the preview's. */
export function problemsBody(req: Request, role: string, problems: string[], intro: boolean): Raw {
  const w = text(req).screening;
  return html`<h1>${w.title}</h1>
    <div class="error" id="problems" role="alert">
      <p><strong>${w.problemsTitle}</strong></p>
      ${intro ? html`<p>${w.problemsIntro}</p>` : ''}
      <ul>
        ${problems.map((p) => html`<li>${problemInWords(p, w.problems)}</li>`)}
      </ul>
    </div>
    ${uploadForm(req, role)}`;
}

export function expiredBody(req: Request, role: string): Raw {
  const w = text(req).screening;
  return html`<h1>${w.title}</h1>
    <p class="error" id="expired" role="alert">${w.expired}</p>
    ${uploadForm(req, role)}`;
}

/** One row of the preview, on one line (the tests count the rows so). */
// prettier-ignore
const previewRow = (w: Catalogue['screening'], x: WarningRow, collegeNames: Map<string, string>) =>
  html`<tr><td class="num">${x.line}</td><td>${x.studentNo}</td><td>${x.name}</td><td>${collegeNames.get(x.collegeId) ?? x.collegeId}</td><td>${x.className ?? ''}</td><td class="level-${x.level}">${w.levels[x.level] ?? x.level}</td></tr>`;

/** The rows to check before confirming (the first 100), with the confirm form of the kept file's token. */
export function previewBody(
  req: Request,
  preview: { rows: WarningRow[]; duplicate: boolean },
  token: string,
  collegeNames: Map<string, string>,
): Raw {
  const w = text(req).screening;
  const rows = preview.rows;
  return html`<h1>${w.previewTitle}</h1>
    <div class="card" id="preview-summary">
      <p>
        ${w.rowsOk(rows.length, rows.filter((x) => x.level === 'red').length, rows.filter((x) => x.level === 'orange').length)}
      </p>
      ${preview.duplicate ? html`<p class="notice" id="duplicate">${w.duplicate}</p>` : ''}
      <form method="post" action="/screening/confirm" id="screening-confirm">
        ${csrfField(req)}<input type="hidden" name="token" value="${token}" />
        <p class="actions">
          <button class="btn" type="submit">${w.confirm}</button>
          <a class="btn secondary" href="/screening">${w.cancel}</a>
        </p>
      </form>
    </div>
    <table id="preview">
      <thead>
        <tr>
          <th>${w.line}</th>
          <th>${w.studentNo}</th>
          <th>${w.name}</th>
          <th>${w.college}</th>
          <th>${w.className}</th>
          <th>${w.level}</th>
        </tr>
      </thead>
      <tbody>
        ${rows.slice(0, PREVIEW_ROWS).map((x) => previewRow(w, x, collegeNames))}
      </tbody>
    </table>
    ${rows.length > PREVIEW_ROWS ? html`<p class="muted">${w.shownFirst(PREVIEW_ROWS, rows.length)}</p>` : ''}`;
}

export function doneBody(req: Request, result: ScreeningImportResult): Raw {
  const w = text(req).screening;
  return html`<h1>${w.doneTitle}</h1><p class="ok" id="imported">${result.duplicate ? w.doneDuplicate(result.warnings) : w.done(result.warnings)}</p><p><a class="btn" href="/care">${w.toCare}</a></p>`;
}
