/**
 * The indicators page, for a leader in ten seconds and on a 390-px phone: one line counting the
 * indicators met and not met, then one card per indicator (its verdict first, the big figure, the
 * seed's norm and where it is written, and the worst three colleges), then the table by college
 * (a card per college on a phone, as every table of the app).
 */
import type { Request } from 'express';
import { NORM_SOURCES, type UnitValue, type Verdict } from '../../../../domain/indicators';
import { formatLocal } from '../../../../domain/local-time';
import { html, raw, type Raw } from '../../../platform/html';
import { indicatorHeadline, indicatorValueText, t, type IndicatorMessages } from '../../../platform/i18n';
import type { IndicatorsView, ShownIndicator } from '../use-cases';

/** The page's own few rules (the verdict badges and the cards' grid); everything else is app.css. */
const STYLE = raw(`<style>
.ind-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 0 1rem; }
.ind h2 { font-size: 1.05rem; margin: 0 0 0.4rem; display: flex; justify-content: space-between; gap: 0.5rem; align-items: baseline; }
.ind .big { font-size: 1.6rem; font-weight: 700; margin: 0.2rem 0; }
.ind p { margin: 0.25rem 0; }
.ind ol { margin: 0.2rem 0 0; padding-left: 1.3rem; }
.ind.not-met { border-left: 6px solid #b42318; }
.ind.met { border-left: 6px solid #2e7d32; }
.ind.no-data, .ind.not-collected { border-left: 6px solid #8c959f; }
.verdict { white-space: nowrap; font-size: 0.85rem; padding: 0.1rem 0.5rem; border-radius: 999px; font-weight: 600; }
.verdict.met { background: #e8f5e9; color: #1b5e20; }
.verdict.not-met { background: #fdecea; color: #b42318; }
.verdict.no-data, .verdict.not-collected { background: #eaeef2; color: #57606a; }
.ind-summary { font-size: 1.05rem; }
</style>`);

const badge = (v: Verdict, m: IndicatorMessages) => html`<span class="verdict ${v}">${m.verdicts[v]}</span>`;

function card(i: ShownIndicator, v: IndicatorsView, m: IndicatorMessages, name: (id: string) => string): Raw {
  const main: UnitValue = i.school ??
    i.colleges[0]?.value ?? { verdict: 'no-data', attainment: null, figures: { kind: 'none' } };
  const note =
    main.verdict === 'not-collected'
      ? html`<p class="muted">${m.notCollectedNote}</p>`
      : main.figures.kind === 'none' && !v.inputs
        ? html`<p class="muted">${m.noInputsNote}</p>`
        : '';
  const worst = v.school
    ? html`<p><strong>${m.worst}</strong></p>${
        i.worst.length
          ? html`<ol class="worst">${i.worst.map((w) => html`<li data-college="${w.collegeId}">${m.label(name(w.collegeId))}${indicatorValueText(w.value, m)}</li>`)}</ol>`
          : html`<p class="muted">${m.allMet}</p>`
      }`
    : '';
  return html`<section class="card ind ${main.verdict}" id="ind-${i.id}" data-verdict="${main.verdict}">
<h2><span>${m.names[i.id]}</span>${badge(main.verdict, m)}</h2>
<p class="big">${indicatorHeadline(main, m)}</p>
<p class="value"><span class="muted">${m.label(v.school ? m.schoolValue : m.collegeValue)}</span>${indicatorValueText(main, m)}</p>
<p class="norm"><span class="muted">${m.label(m.norm)}</span>${m.norms[i.id]} <small class="muted">${m.aside(`${m.label(m.source)}${NORM_SOURCES[i.id]}`)}</small></p>
${note}${worst}
</section>`;
}

function collegeTable(v: IndicatorsView, m: IndicatorMessages, name: (id: string) => string): Raw {
  const cell = (i: ShownIndicator, collegeId: string) => {
    const x = i.colleges.find((c) => c.collegeId === collegeId)?.value;
    if (!x) return html`<td data-label="${m.names[i.id]}">${m.none}</td>`;
    return html`<td data-label="${m.names[i.id]}" class="${x.verdict === 'not-met' ? 'bad' : ''}">${indicatorHeadline(x, m)} ${badge(x.verdict, m)}</td>`;
  };
  return html`<details class="card" id="by-college"${v.school ? '' : raw(' open')}><summary><strong>${m.byCollege}</strong></summary>
<table><thead><tr><th>${m.college}</th>${v.indicators.map((i) => html`<th>${m.names[i.id]}</th>`)}</tr></thead>
<tbody>${v.colleges.map((c) => html`<tr data-college="${c.id}"><th scope="row" data-label="">${name(c.id)}</th>${v.indicators.map((i) => cell(i, c.id))}</tr>`)}</tbody></table></details>`;
}

export function indicatorsBody(
  req: Request,
  v: IndicatorsView,
  extra: { semesters: Array<{ id: string; name: string }>; semName: string; enteredByName: string | null },
): Raw {
  const lang = req.lang ?? 'zh-CN';
  const m = t(lang).indicators;
  const colleges = new Map(v.colleges.map((c) => [c.id, lang === 'en' ? c.nameEn : c.name]));
  const name = (id: string) => colleges.get(id) ?? id;
  const verdicts = v.indicators.map((i) => (i.school ?? i.colleges[0]?.value)?.verdict ?? 'no-data');
  const count = (x: Verdict) => verdicts.filter((y) => y === x).length;
  const q = `semester=${encodeURIComponent(v.semester.id)}`;
  const summary = (['met', 'not-met', 'no-data', 'not-collected'] as Verdict[])
    .filter((x) => count(x) > 0)
    .map((x) => html`${badge(x, m)} <strong data-count="${x}">${count(x)}</strong>`);
  return html`${STYLE}<h1>${m.title} <small class="muted">${extra.semName}</small></h1>
<p class="muted">${v.school ? m.intro : m.collegeIntro}</p>
<p class="ind-summary card" id="summary">${summary.map((s) => html`${s} `)}</p>
<p class="muted" id="as-of">${m.asOf(formatLocal(v.asOf, v.zone))}${v.inputs ? html` · ${m.inputsBy(v.inputs.version, extra.enteredByName ?? v.inputs.enteredBy, formatLocal(v.inputs.enteredAt, v.zone))}` : ''}</p>
<form method="get" class="card filters"><label>${m.semester} <select name="semester">${extra.semesters.map((s) => html`<option value="${s.id}"${s.id === v.semester.id ? raw(' selected') : ''}>${s.name}</option>`)}</select></label> <button class="btn">${m.show}</button></form>
<p class="actions"><a class="btn secondary" href="/exports/indicators.xlsx?${q}">${m.exportXlsx}</a> <a class="btn secondary" href="/exports/indicators.csv?${q}">${m.exportCsv}</a>${v.school && req.user?.role === 'school_admin' ? html` <a class="btn" href="/indicators/inputs?${q}">${m.enterInputs}</a>` : ''}</p>
<div class="ind-grid">${v.indicators.map((i) => card(i, v, m, name))}</div>
${collegeTable(v, m, name)}`;
}
