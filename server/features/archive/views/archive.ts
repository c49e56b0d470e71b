/** The archive page of one student (seed 003 appendix 3's sections), its hand-edit form and version history. */
import type { Request } from 'express';
import { DateTime } from 'luxon';
import { ARCHIVE_FIELDS, LEFT_REASONS, lifeEventsOf, type ArchiveFieldDef } from '../../../../domain/archive';
import { archiveCloseRefusal, archiveReviewRefusal } from '../../../../domain/permissions';
import { html, raw, type Raw } from '../../../platform/html';
import { page } from '../../../platform/layout';
import { text } from '../../../platform/i18n';
import { csrfField, flash } from '../../../platform/forms';
import type { ArchiveView } from '../use-cases';
import { timelineFacts } from '../use-cases';

export interface ArchivePageOpts {
  zone: string;
  names: Map<string, string>;
  /** the submitted values and problems of a refused save */
  submitted?: Record<string, unknown>;
  problems?: string[];
}

export function renderArchive(req: Request, v: ArchiveView, o: ArchivePageOpts): string {
  const m = text(req).archive;
  const lang = req.lang ?? 'zh-CN';
  const at = (ms: number, f = 'yyyy-MM-dd HH:mm') => DateTime.fromMillis(ms, { zone: o.zone }).toFormat(f);
  const user = req.user!;
  const actor = { userId: user.id, role: user.role, collegeId: user.collegeId };
  const open = v.state.status === 'open';
  const shown = (f: ArchiveFieldDef) => {
    const value = v.fields[f.key];
    if (!value) return html`<span class="muted">${m.none}</span>`;
    return f.kind === 'choice' ? (m.options[f.key]?.[value] ?? value) : value;
  };
  const section = (s: string) =>
    html`<section id="${s}"><h2>${m.sections[s]}</h2><dl>${ARCHIVE_FIELDS.filter(
      (f) => f.section === s && f.kind !== 'events',
    ).map((f) => html`<dt>${m.fields[f.key]}</dt><dd data-field="${f.key}">${shown(f)}</dd>`)}</dl></section>`;
  const events = lifeEventsOf(v.fields.lifeEvents);
  const body = html`<h1>${m.title} <small>${m.subtitle}</small></h1>
${flash(req, m.saved)}
<p><strong>${v.student.name}</strong> · ${v.student.studentNo} · ${v.collegeName}${v.student.className ? ` · ${v.student.className}` : ''}
 · ${m.openedAt}：${at(v.openedAt, 'yyyy-MM-dd')} · <span id="archive-status">${m.status[v.state.status]}</span>
${v.state.purgeDueAt ? html` · ${m.purgeDue}：${at(v.state.purgeDueAt, 'yyyy-MM-dd')}` : ''}</p>
<p><a class="button" id="export" href="/exports/archives/${v.student.id}.docx">${m.export}</a>
 <a class="button" id="print" href="/archives/${v.student.id}/print">${m.print}</a></p>
${section('personal')}${section('family')}${section('relationships')}
<section id="lifeEvents"><h2>${m.sections.lifeEvents}</h2>${
    events.length
      ? html`<table><thead><tr><th>${m.seq}</th><th>${m.eventDate}</th><th>${m.eventText}</th></tr></thead><tbody>${events.map(
          (e, i) => html`<tr><td>${i + 1}</td><td>${e.date}</td><td>${e.text}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">${m.noEntries}</p>`
  }</section>
<section id="assessments"><h2>${m.sections.assessments}</h2>${
    v.assessments.length
      ? html`<ul>${v.assessments.map((a) => html`<li>${at(a.at, 'yyyy-MM-dd')} · ${m.assessmentSource[a.source]}：<strong>${m.assessmentValues[a.value] ?? a.value}</strong></li>`)}</ul>`
      : html`<p class="muted">${m.noEntries}</p>`
  }</section>
<section id="timeline"><h2>${m.sections.timeline}</h2><table id="timeline-table"><thead><tr><th>${m.when}</th><th>${m.what}</th><th>${m.detail}</th><th></th></tr></thead><tbody>${v.timeline.map(
    (e) =>
      html`<tr data-kind="${e.kind}"><td>${at(e.at)}</td><td>${m.kinds[e.kind] ?? e.kind}</td><td>${timelineFacts(e.facts, lang)}</td><td><a href="${e.link}">${m.open}</a></td></tr>`,
  )}</tbody></table></section>
${section('support')}
${reviewsPart(req, v, at, o.names, open && !archiveReviewRefusal(actor, v.student.collegeId))}
${open ? editForm(req, v, o) : ''}
${historyPart(req, v, at, o.names)}
${open && !archiveCloseRefusal(actor, v.student.collegeId) ? leftForm(req, v) : ''}`;
  return page(req, { title: `${m.title} · ${v.student.name}`, body, status: o.problems?.length ? 400 : 200 });
}

function reviewsPart(
  req: Request,
  v: ArchiveView,
  at: (ms: number) => string,
  names: Map<string, string>,
  may: boolean,
): Raw {
  const m = text(req).archive;
  return html`<section id="reviews"><h2>${m.reviews}</h2><p class="muted">${m.reviewHint}</p>${
    v.reviews.length
      ? html`<ul>${v.reviews.map((r) => html`<li>${at(r.at)} · ${m.reviewedBy}：${names.get(r.by) ?? r.by}</li>`)}</ul>`
      : html`<p class="muted">${m.neverReviewed}</p>`
  }${may ? html`<form method="post" action="/archives/${v.student.id}/review">${csrfField(req)}<button id="review">${m.review}</button></form>` : ''}</section>`;
}

function editForm(req: Request, v: ArchiveView, o: ArchivePageOpts): Raw {
  const m = text(req).archive;
  const value = (k: string) => String((o.submitted ? o.submitted[k] : v.fields[k]) ?? '');
  const input = (f: ArchiveFieldDef): Raw => {
    if (f.kind === 'choice')
      return html`<select id="f-${f.key}" name="${f.key}"><option value="">—</option>${f.options.map(
        (opt) =>
          html`<option value="${opt}"${value(f.key) === opt ? raw(' selected') : ''}>${m.options[f.key]?.[opt] ?? opt}</option>`,
      )}</select>`;
    if (f.kind === 'text')
      return f.multiline
        ? html`<textarea id="f-${f.key}" name="${f.key}" maxlength="${f.max}">${value(f.key)}</textarea>`
        : html`<input id="f-${f.key}" name="${f.key}" maxlength="${f.max}" value="${value(f.key)}">`;
    return html``;
  };
  const events = lifeEventsOf(v.fields.lifeEvents);
  const rows = [...events, ...Array.from({ length: 3 }, () => ({ date: '', text: '' }))];
  return html`<section id="edit"><h2>${m.edit}</h2>
${o.problems?.length ? html`<div class="error" role="alert" id="problems"><p>${m.problems}</p><ul>${o.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<form method="post" action="/archives/${v.student.id}" class="card">${csrfField(req)}
${ARCHIVE_FIELDS.filter((f) => f.kind !== 'events').map((f) => html`<label for="f-${f.key}">${m.fields[f.key]}</label> ${input(f)}`)}
<fieldset><legend>${m.fields.lifeEvents}</legend>${rows.map(
    (e) =>
      html`<div class="row"><input name="eventDate" placeholder="YYYY-MM-DD" aria-label="${m.eventDate}" value="${e.date}"> <input name="eventText" aria-label="${m.eventText}" value="${e.text}"></div>`,
  )}</fieldset>
<button id="save">${m.save}</button></form></section>`;
}

function historyPart(req: Request, v: ArchiveView, at: (ms: number) => string, names: Map<string, string>): Raw {
  const m = text(req).archive;
  return html`<section id="history"><h2>${m.history}</h2><p class="muted">${m.historyHint}</p>${
    v.versions.length
      ? html`<table><thead><tr><th>${m.when}</th><th>${m.field}</th><th>${m.value}</th><th>${m.changedBy}</th></tr></thead><tbody>${[
          ...v.versions,
        ]
          .reverse()
          .map(
            (x) =>
              html`<tr data-field="${x.field}"><td>${at(x.changedAt)}</td><td>${m.fields[x.field] ?? x.field}</td><td>${x.value ?? ''}</td><td>${names.get(x.changedBy) ?? x.changedBy}</td></tr>`,
          )}</tbody></table>`
      : html`<p class="muted">${m.noEntries}</p>`
  }</section>`;
}

function leftForm(req: Request, v: ArchiveView): Raw {
  const m = text(req).archive;
  return html`<section id="left"><h2>${m.leftTitle}</h2><p class="muted">${m.leftHint}</p>
<form method="post" action="/archives/${v.student.id}/left" class="card">${csrfField(req)}
<label>${m.leftAt} <input type="date" name="leftOn" required></label>
<label>${m.leftReason} <select name="reason" required>${LEFT_REASONS.map((r) => html`<option value="${r}">${m.leftReasons[r]}</option>`)}</select></label>
<button>${m.close}</button></form></section>`;
}
