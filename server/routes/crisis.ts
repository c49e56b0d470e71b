/**
 * Crisis cases: report (JSON API and the form at /crises/new), read with the live timeline (API
 * and page), and each step of the procedure through the workflows' Updates (JSON API, and a form
 * per step on the case page that redirects back with ?done or ?error). Care staff of the student's college and the
 * counselling centre only; reads of student data are audited (server/crisis.ts).
 */
import express from 'express';
import { SCHOOL_DEPARTMENTS, type BranchAction } from '../../workflows/crisis-case';
import { BadRequestError, currentUser, requireCareRole } from '../auth/context';
import { actOnCase, readCase, readTimeline, reportCase, type CaseStep } from '../crisis';
import type { AppDeps } from '../deps';
import { html, page } from '../html';
import { fill } from '../i18n/care';
import { NotFoundError } from '../semesters';
import { TaskRejectedError } from '../tasks';
import { once, uuidFrom } from '../idempotency';
import { activeUsersOf, backTo, careText, csrfField, flash, formBody, localInput, localTime, studentCell, studentFields, userSelect } from './care-pages';
import { fmt, schoolZone, t } from './common';

const STEPS: CaseStep[] = ['on-scene', 'school-notified', 'action', 'guardian', 'check-in', 'hand-over', 'five-ones'];
const SITUATIONS = ['injury', 'danger_to_others', 'self_harm_risk'] as const;
const ACTIONS: BranchAction[] = ['parents-authorised', 'taken-to-hospital', 'police-called'];
const MIN = 60_000;

export function createCrisisRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();
  const client = () => {
    if (!deps.client) throw new Error('Temporal is not configured for this server');
    return deps.client;
  };

  r.post('/api/crises', async (req, res) => {
    const user = currentUser(req);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const { status, body: result } = await once(deps.knex, req, 201, (idem) => reportCase({ client: client(), store: deps.store, knex: deps.knex, taskQueue: deps.taskQueue, now: now() }, user, {
      studentNo: String(b.studentNo ?? ''),
      studentName: String(b.studentName ?? ''),
      className: typeof b.className === 'string' ? b.className : undefined,
      collegeId: String(b.collegeId ?? user.collegeId ?? ''),
      situation: String(b.situation ?? '') as never,
      place: String(b.place ?? ''),
      occurredAt: b.occurredAt === undefined || b.occurredAt === null || b.occurredAt === '' ? now() : (b.occurredAt as number | string),
    }, { caseId: idem ? uuidFrom(idem.id) : undefined }));
    res.status(status).json(result);
  });

  r.get('/api/crises/:id', async (req, res) => {
    res.json(await readCase({ store: deps.store, knex: deps.knex, now: now() }, currentUser(req), String(req.params.id)));
  });

  r.post('/api/crises/:id/:step', async (req, res) => {
    const step = String(req.params.step) as CaseStep;
    if (!STEPS.includes(step)) return void res.status(404).json({ error: `unknown step ${step}` });
    const { body: state } = await once(deps.knex, req, 200, (idem) => actOnCase({ client: deps.client, knex: deps.knex }, currentUser(req), String(req.params.id), step, (req.body ?? {}) as Record<string, unknown>, { updateId: idem?.id }));
    res.json({ state });
  });

  /** The report form: the student, the situation, where and when (the school admin also picks the college). */
  r.get('/crises/new', async (req, res) => {
    const user = currentUser(req);
    requireCareRole(user);
    const m = careText(req);
    const zone = await schoolZone(deps);
    const en = req.lang === 'en';
    const colleges = user.role === 'school_admin' ? await deps.store.listColleges(user.schoolId) : [];
    const body = html`<h1>${m.reportCrisis}</h1>
${flash(req, m.saved)}
<form class="card" id="report" method="post" action="/crises">${csrfField(req)}
${colleges.length ? html`<label>${m.college} <select name="collegeId" required><option value=""></option>${colleges.map((c) => html`<option value="${c.id}">${en ? c.nameEn : c.name}</option>`)}</select></label>` : ''}
${studentFields(m)}
<label>${m.situation} <select name="situation" required>${SITUATIONS.map((x) => html`<option value="${x}">${m.situationNames[x]}</option>`)}</select></label>
<label>${m.place} <input name="place" required maxlength="200"></label>
<label>${m.occurredAt} <input type="datetime-local" name="occurredAt" required value="${localInput(now(), zone)}"></label>
<p><button class="btn" type="submit">${m.report}</button></p></form>`;
    res.send(page(req, { title: m.reportCrisis, body }));
  });

  /** The report form's post: the case is opened and its workflow started; then its page. */
  r.post('/crises', async (req, res) => {
    const user = currentUser(req);
    requireCareRole(user);
    const b = formBody(req);
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
    let caseId: string;
    try {
      const collegeId = user.role === 'school_admin' ? str('collegeId') : (user.collegeId ?? '');
      if (!collegeId) throw new BadRequestError('choose the college (学院)');
      // local text in the school's zone, checked by reportCase (domain/dates.ts)
      const occurred = str('occurredAt') || now();
      if (!str('place')) throw new BadRequestError('place (地点) is required');
      ({ caseId } = (await once(deps.knex, req, 201, (idem) => reportCase({ client: client(), store: deps.store, knex: deps.knex, taskQueue: deps.taskQueue, now: now() }, user, {
        studentNo: str('studentNo'),
        studentName: str('studentName'),
        className: str('className') || undefined,
        collegeId,
        situation: str('situation') as never,
        place: str('place'),
        occurredAt: occurred,
      }, { caseId: idem ? uuidFrom(idem.id) : undefined }))).body);
    } catch (e) {
      if (e instanceof BadRequestError || e instanceof TaskRejectedError) return void res.redirect(303, `/crises/new?error=${encodeURIComponent(e.message)}`);
      throw e;
    }
    res.redirect(303, `/crises/${encodeURIComponent(caseId)}?done=1`);
  });

  /** The case page: the student, each deadline, a form per step, and the live timeline (who did what, when). */
  r.get('/crises/:id', async (req, res) => {
    const user = currentUser(req);
    const tm = t(req);
    const zone = await schoolZone(deps);
    const names = new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
    const timelineTable = (timeline: Array<{ at: number; action: string; actor: string }>) =>
      html`<table id="timeline" data-live="15" data-live-src="/crises/${encodeURIComponent(String(req.params.id))}?fragment=timeline"><thead><tr><th>${tm.at}</th><th>${tm.action}</th><th>${tm.actor}</th></tr></thead><tbody>
${timeline.map((e) => html`<tr><td>${fmt(e.at, zone)}</td><td>${careText(req).timelineNames[e.action] ?? ''} <code>${e.action}</code></td><td>${e.actor === 'timer' ? tm.timer : e.actor === '' ? careText(req).ownerCollegeStaff : (names.get(e.actor) ?? e.actor)}</td></tr>`)}
</tbody></table>`;
    res.setHeader('Cache-Control', 'no-store');
    if (req.query.fragment === 'timeline') {
      // the page's live refresh: the timeline alone, without the student (not a student read)
      const { timeline } = await readTimeline({ store: deps.store, knex: deps.knex }, user, String(req.params.id));
      return void res.type('html').send(`<!doctype html><html><body>${timelineTable(timeline).html}</body></html>`);
    }
    const c = await readCase({ store: deps.store, knex: deps.knex, now: now() }, user, String(req.params.id));
    const m = careText(req);
    const d = c.case.durations;
    const id = encodeURIComponent(c.case.id);
    const csrf = csrfField(req);
    // the reporter of a case routed to another college follows it but cannot act on it (no forms)
    const members = c.case.collegeId ? await activeUsersOf(deps, user.schoolId, c.case.collegeId) : [];
    // the owner college's view of a routed case names the reporting college
    const from = c.case.collegeId && c.case.routedFromCollegeId ? await deps.store.getCollege(c.case.routedFromCollegeId) : undefined;
    const supervised = c.case.situation === 'self_harm_risk';
    const step = (name: CaseStep, title: string, fields: unknown = '') =>
      html`<form class="card step" id="step-${name}" method="post" action="/crises/${id}/${name}">${csrf}<h3>${title}</h3>${fields}<p><button class="btn" type="submit">${m.confirm}</button></p></form>`;
    const forms =
      c.case.status === 'closed' || !c.case.collegeId
        ? ''
        : html`<h2>${m.stepsTitle}</h2>
${step('on-scene', m.stepOnScene)}
${step('school-notified', m.stepSchoolNotified, html`${SCHOOL_DEPARTMENTS.map((x) => html`<label><input type="checkbox" name="departments" value="${x}"> ${m.departmentNames[x] ?? x}</label>`)}`)}
${step('action', m.stepAction, html`<select name="action" required aria-label="${m.stepAction}">${ACTIONS.map((x) => html`<option value="${x}">${m.actionNames[x] ?? x}</option>`)}</select>`)}
${
  supervised
    ? html`${step('guardian', m.stepGuardian, html`<label>${m.guardian} ${userSelect(req, 'guardianUserId', members, { required: true, empty: '' })}</label>`)}
${step('check-in', m.stepCheckIn, html`<label>${m.note} <textarea name="note"></textarea></label>`)}
${step('hand-over', m.stepHandOver, html`<label>${m.receivedBy} <input name="receivedBy" required maxlength="200"></label><label>${m.witnessedBy} <input name="witnessedBy" required maxlength="500"></label><label>${m.handOverAt} <input type="datetime-local" name="at" value="${localInput(now(), zone)}"></label>`)}`
    : ''
}
${step(
  'five-ones',
  m.stepFiveOnes,
  html`<label>${m.leaderUserId} ${userSelect(req, 'leaderUserId', members, { required: true, selected: members.find((u) => u.role === 'college_leader')?.id ?? null })}</label>
<label>${m.team} <input name="team" required maxlength="500"></label>
<label>${m.plan} <textarea name="plan" required></textarea></label>
<label>${m.followUp} <textarea name="followUp" required></textarea></label>`,
)}`;
    const body = html`<h1>${m.caseTitle} ${c.case.id.slice(0, 8)}</h1>
${flash(req, m.saved)}
${!c.case.collegeId ? html`<p class="card notice" id="routed">${m.routedNotice}</p>` : c.case.routedFromCollegeId ? html`<p class="card notice" id="routed">${m.routedFrom}${from ? (req.lang === 'en' ? from.nameEn : from.name) : c.case.routedFromCollegeId}</p>` : ''}
<div class="card"><p>${m.student}：${studentCell({ name: String(c.student.name ?? ''), studentNo: String(c.student.studentNo ?? ''), className: c.student.className ?? null })}</p>
${c.case.reportedName ? html`<p class="error" id="name-mismatch">${req.lang === 'en' ? `Reported as “${c.case.reportedName}”, but this student number is registered under the name above: check who the student is.` : `上报姓名为“${c.case.reportedName}”，与该学号登记的姓名不一致，请核实学生身份。`}</p>` : ''}
<p>${m.situation}：${m.situationNames[c.case.situation] ?? c.case.situation} · ${m.place}：${c.case.place ?? ''} · ${m.occurredAt}：${fmt(c.case.occurredAt, zone)} · ${m.status}：<strong id="status">${m.caseStatusNames[c.case.status] ?? c.case.status}</strong> · ${m.escalation}：${c.case.escalationLevel}</p></div>
<div class="card" id="deadlines"><h2>${m.deadlines}</h2><ul>
<li>${m.reportedAt}：${fmt(c.case.reportedAt, zone)}</li>
<li>${m.onSceneDeadline}：${fmt(c.case.reportedAt + d.onSceneAckMs, zone)}</li>
<li>${m.schoolNotifyDeadline}：${fmt(c.case.reportedAt + d.schoolNotifyMs, zone)}</li>
<li>${fill(m.schoolAfter, { minutes: Math.round(d.schoolAfterMs / MIN) })}</li>
${
  supervised
    ? html`<li>${fill(m.checkInEvery, { minutes: Math.round(d.checkInEveryMs / MIN) })}</li>
<li>${fill(m.supervisionUntil, { hours: Math.round(d.supervisionMs / (60 * MIN)) })}：${fmt(c.case.reportedAt + d.supervisionMs, zone)}</li>
<li>${fill(m.schoolAlertEvery, { minutes: Math.round(d.schoolAlertEveryMs / MIN) })}</li>`
    : ''
}</ul></div>
${forms}
<h2>${m.timeline}</h2>
${timelineTable(c.timeline)}`;
    res.send(page(req, { title: m.caseTitle, body }));
  });

  /** A step's form (the page version of POST /api/crises/:id/:step): back to the case page with ?done or ?error. */
  r.post('/crises/:id/:step', async (req, res) => {
    const step = String(req.params.step) as CaseStep;
    if (!STEPS.includes(step)) throw new NotFoundError(`unknown step ${step}`);
    const caseId = String(req.params.id);
    const b = formBody(req);
    if (step === 'hand-over') b.at = localTime(b.at, await schoolZone(deps));
    await backTo(res, `/crises/${encodeURIComponent(caseId)}`, async () => (await once(deps.knex, req, 200, (idem) => actOnCase({ client: deps.client, knex: deps.knex }, currentUser(req), caseId, step, b, { updateId: idem?.id }))).body);
  });

  return r;
}
