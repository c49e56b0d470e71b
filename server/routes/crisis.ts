/**
 * Crisis cases: report (JSON API and the form at /crises/new, whose problems are named on the form
 * in the user's language with the values kept), read with the live progress and timeline (API and
 * page: each step done, due or overdue with countdowns to the next deadline and check-in, refreshed
 * every 30 s without a student read), and each step of the procedure through the workflows'
 * Updates (JSON API, and a form per step on the case page: back with ?done, or the refusal shown on
 * that form). Care staff of the student's college and the counselling centre only; reads of
 * student data are audited (server/crisis.ts).
 */
import express, { type Request } from 'express';
import {
  DEFAULT_CRISIS_DURATIONS,
  SCHOOL_DEPARTMENTS,
  type BranchAction,
  type CrisisDurations,
} from '../../workflows/crisis-case';
import { controlCharProblem } from '../../domain/text';
import { CLOCK_SKEW_MS, instantFrom } from '../dates';
import { countdownText, CRISIS_TEXT, rejectionText } from '../i18n/crisis';
import { BadRequestError, currentUser, requireCareRole } from '../auth/context';
import { actOnCase, readCase, readTimeline, reportCase, type CaseStep } from '../crisis';
import type { AppDeps } from '../deps';
import { html, page, raw, type Raw } from '../html';
import { fill } from '../i18n/care';
import { NotFoundError } from '../semesters';
import { TaskRejectedError } from '../tasks';
import { once, uuidFrom } from '../idempotency';
import {
  activeUsersOf,
  careText,
  csrfField,
  flash,
  formBody,
  localInput,
  localTime,
  studentCell,
  userSelect,
} from './care-pages';
import { fmt, schoolZone, t } from './common';

const STEPS: CaseStep[] = ['on-scene', 'school-notified', 'action', 'guardian', 'check-in', 'hand-over', 'five-ones'];
const SITUATIONS = ['injury', 'danger_to_others', 'self_harm_risk'] as const;
const ACTIONS: BranchAction[] = ['parents-authorised', 'taken-to-hospital', 'police-called'];
const MIN = 60_000;
const crisisText = (req: Request) => CRISIS_TEXT[req.lang ?? 'zh-CN'];

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
    const { status, body: result } = await once(deps.knex, req, 201, (idem) =>
      reportCase(
        { client: client(), store: deps.store, knex: deps.knex, taskQueue: deps.taskQueue, now: now() },
        user,
        {
          studentNo: String(b.studentNo ?? ''),
          studentName: String(b.studentName ?? ''),
          className: typeof b.className === 'string' ? b.className : undefined,
          collegeId: String(b.collegeId ?? user.collegeId ?? ''),
          situation: String(b.situation ?? '') as never,
          place: String(b.place ?? ''),
          occurredAt:
            b.occurredAt === undefined || b.occurredAt === null || b.occurredAt === ''
              ? now()
              : (b.occurredAt as number | string),
        },
        { caseId: idem ? uuidFrom(idem.id) : undefined },
      ),
    );
    res.status(status).json(result);
  });

  r.get('/api/crises/:id', async (req, res) => {
    res.json(
      await readCase({ store: deps.store, knex: deps.knex, now: now() }, currentUser(req), String(req.params.id)),
    );
  });

  r.post('/api/crises/:id/:step', async (req, res) => {
    const step = String(req.params.step) as CaseStep;
    if (!STEPS.includes(step)) return void res.status(404).json({ error: `unknown step ${step}` });
    const { body: state } = await once(deps.knex, req, 200, (idem) =>
      actOnCase(
        { client: deps.client, knex: deps.knex },
        currentUser(req),
        String(req.params.id),
        step,
        (req.body ?? {}) as Record<string, unknown>,
        { updateId: idem?.id },
      ),
    );
    res.json({ state });
  });

  /** The report form: the student, the situation (no default: it must be chosen), where and when (the school admin also picks the college). */
  async function reportForm(
    req: Request,
    values: Record<string, string>,
    errors: Record<string, string>,
    detail?: string,
  ): Promise<Raw> {
    const user = currentUser(req);
    const m = careText(req);
    const c = crisisText(req);
    const zone = await schoolZone(deps);
    const en = req.lang === 'en';
    const colleges = user.role === 'school_admin' ? await deps.store.listColleges(user.schoolId) : [];
    const v = (k: string) => values[k] ?? '';
    const err = (k: string) =>
      errors[k] ? html`<span class="field-error" id="error-${k}" role="alert">${errors[k]}</span>` : '';
    const bad = (k: string) => (errors[k] ? raw(' aria-invalid="true"') : '');
    const problems = Object.values(errors);
    return html`<h1>${m.reportCrisis}</h1>
      ${flash(req, m.saved)}
      <form class="card" id="report" method="post" action="/crises" novalidate>
        ${csrfField(req)}
        ${
          problems.length
            ? html`<div class="error" id="error" role="alert">
                <p>${c.formProblems}</p>
                <ul>
                  ${problems.map((x) => html`<li>${x}</li>`)}
                </ul>
                ${
                  detail
                    ? html`<details>
                        <summary>${c.details}</summary>
                        <code>${detail}</code>
                      </details>`
                    : ''
                }
              </div>`
            : ''
        }
        ${
          colleges.length
            ? html`<label
                >${m.college}
                <select name="collegeId" required${bad('college')}>
                  <option value="">${c.choose}</option>
                  ${colleges.map((x) => html`<option value="${x.id}" ${x.id === v('collegeId') ? raw(' selected') : ''}>${en ? x.nameEn : x.name}</option>`)}</select
                >${err('college')}</label
              >`
            : ''
        }
        <label
          >${m.studentNo}
          <input
            name="studentNo"
            required
            maxlength="32"
            pattern="[A-Za-z0-9_\\-]{1,32}"
            value="${v('studentNo')}"
            ${bad('studentNo')}
          />${err('studentNo')}</label
        >
        <label
          >${m.studentName}
          <input
            name="studentName"
            required
            maxlength="100"
            value="${v('studentName')}"
            ${bad('studentName')}
          />${err('studentName')}</label
        >
        <label
          >${m.className}
          <input
            name="className"
            maxlength="100"
            value="${v('className')}"
            ${bad('className')}
          />${err('className')}</label
        >
        <label
          >${m.situation}
          <select name="situation" required${bad('situation')}>
            <option value="">${c.choose}</option>
            ${SITUATIONS.map((x) => html`<option value="${x}" ${x === v('situation') ? raw(' selected') : ''}>${m.situationNames[x]}</option>`)}</select
          >${err('situation')}</label
        >
        <label
          >${m.place}
          <input name="place" required maxlength="200" value="${v('place')}" ${bad('place')} />${err('place')}</label
        >
        <label
          >${m.occurredAt}
          <input
            type="datetime-local"
            name="occurredAt"
            required
            value="${v('occurredAt') || localInput(now(), zone)}"
            ${bad('occurredAt')}
          />${err('occurredAt')}</label
        >
        <p><button class="btn" type="submit">${m.report}</button></p>
      </form>`;
  }

  r.get('/crises/new', async (req, res) => {
    requireCareRole(currentUser(req));
    res.send(page(req, { title: careText(req).reportCrisis, body: await reportForm(req, {}, {}) }));
  });

  /** The report form's post: checked here first (each problem named on the form, in the user's language, the values kept); then the case is opened and its workflow started; then its page. */
  r.post('/crises', async (req, res) => {
    const user = currentUser(req);
    requireCareRole(user);
    const b = formBody(req);
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
    const values: Record<string, string> = Object.fromEntries(
      ['collegeId', 'studentNo', 'studentName', 'className', 'situation', 'place', 'occurredAt'].map((k) => [
        k,
        str(k),
      ]),
    );
    const c = crisisText(req);
    const zone = await schoolZone(deps);
    const errors: Record<string, string> = {};
    const collegeId = user.role === 'school_admin' ? values.collegeId! : (user.collegeId ?? '');
    if (!collegeId) errors.college = c.errors.college!;
    else if (user.role === 'school_admin' && !(await deps.store.getCollege(collegeId)))
      errors.college = c.errors.college!;
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(values.studentNo!)) errors.studentNo = c.errors.studentNo!;
    if (!values.studentName) errors.studentName = c.errors.studentName!;
    if (!(SITUATIONS as readonly string[]).includes(values.situation!)) errors.situation = c.errors.situation!;
    if (!values.place) errors.place = c.errors.place!;
    for (const [k, label] of [
      ['studentName', careText(req).studentName],
      ['className', careText(req).className],
      ['place', careText(req).place],
    ] as const) {
      if (!errors[k] && controlCharProblem(values[k]!, { multiline: false }))
        errors[k] = `${label}${req.lang === 'en' ? ' ' : ''}${c.errors.control}`;
    }
    try {
      if (values.occurredAt)
        instantFrom(values.occurredAt, 'occurredAt', { zone, now: now(), maxFutureMs: CLOCK_SKEW_MS });
    } catch {
      errors.occurredAt = c.errors.occurredAt!;
    }
    const again = async (status: number, detail?: string) =>
      void res
        .status(status)
        .send(page(req, { title: careText(req).reportCrisis, body: await reportForm(req, values, errors, detail) }));
    if (Object.keys(errors).length) return again(400);
    let caseId: string;
    try {
      ({ caseId } = (
        await once(deps.knex, req, 201, (idem) =>
          reportCase(
            { client: client(), store: deps.store, knex: deps.knex, taskQueue: deps.taskQueue, now: now() },
            user,
            {
              studentNo: values.studentNo!,
              studentName: values.studentName!,
              className: values.className || undefined,
              collegeId,
              situation: values.situation as never,
              place: values.place!,
              // local text in the school's zone, checked by reportCase (domain/dates.ts)
              occurredAt: values.occurredAt || now(),
            },
            { caseId: idem ? uuidFrom(idem.id) : undefined },
          ),
        )
      ).body);
    } catch (e) {
      if (e instanceof BadRequestError || e instanceof TaskRejectedError || e instanceof NotFoundError) {
        errors.other = c.errors.other!;
        return again(e instanceof TaskRejectedError ? 409 : 400, e.message);
      }
      throw e;
    }
    res.redirect(303, `/crises/${encodeURIComponent(caseId)}?done=1`);
  });

  type TimelineEvent = { at: number; action: string; actor: string };

  /** Each step of the procedure as done, due or overdue, from the timeline and the case's durations; the next deadline and check-in. */
  function progressOf(
    k: { situation: string; status: string; reportedAt: number; durations: CrisisDurations },
    timeline: TimelineEvent[],
    nowMs: number,
  ) {
    const first = (...actions: string[]) => timeline.find((e) => actions.includes(e.action))?.at ?? null;
    const d = k.durations;
    const supervised = k.situation === 'self_harm_risk';
    const handedOver = first('handed-over');
    const closed = k.status === 'closed' || first('five-ones') !== null;
    const lastCheckIn = [...timeline].reverse().find((e) => e.action === 'check-in')?.at ?? k.reportedAt;
    const nextCheckIn = supervised && handedOver === null && !closed ? lastCheckIn + d.checkInEveryMs : null;
    const steps: Array<{ key: CaseStep; doneAt: number | null; deadline: number | null; waiting?: boolean }> = [
      { key: 'on-scene', doneAt: first('on-scene'), deadline: k.reportedAt + d.onSceneAckMs },
      { key: 'school-notified', doneAt: first('school-notified'), deadline: k.reportedAt + d.schoolNotifyMs },
      { key: 'action', doneAt: first(...ACTIONS), deadline: null },
      ...(supervised
        ? [
            { key: 'guardian' as const, doneAt: first('guardian-assigned'), deadline: null },
            { key: 'check-in' as const, doneAt: handedOver, deadline: nextCheckIn },
            { key: 'hand-over' as const, doneAt: handedOver, deadline: k.reportedAt + d.supervisionMs },
          ]
        : []),
      { key: 'five-ones', doneAt: first('five-ones'), deadline: null, waiting: supervised && handedOver === null },
    ];
    const rows = steps.map((x) => ({
      ...x,
      state:
        x.doneAt !== null
          ? 'done'
          : closed
            ? 'none'
            : x.deadline !== null
              ? nowMs > x.deadline
                ? 'overdue'
                : 'due'
              : x.waiting
                ? 'waiting'
                : 'none',
    }));
    const pending = rows
      .filter((x) => (x.state === 'due' || x.state === 'overdue') && x.deadline !== null)
      .sort((a, b) => a.deadline! - b.deadline!);
    return { rows, next: pending[0] ?? null, nextCheckIn };
  }

  /** The part of the case page that refreshes itself: status, progress with countdowns, timeline. */
  async function liveBlock(
    req: Request,
    caseId: string,
    k: { situation: string; status: string; escalationLevel: number; reportedAt: number; durations: CrisisDurations },
    timeline: TimelineEvent[],
  ): Promise<Raw> {
    const m = careText(req);
    const c = crisisText(req);
    const tm = t(req);
    const lang = req.lang ?? 'zh-CN';
    const zone = await schoolZone(deps);
    const nowMs = now();
    const user = currentUser(req);
    const names = new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
    const p = progressOf(k, timeline, nowMs);
    const stepTitle: Record<CaseStep, string> = {
      'on-scene': m.stepOnScene,
      'school-notified': m.stepSchoolNotified,
      action: m.stepAction,
      guardian: m.stepGuardian,
      'check-in': m.stepCheckIn,
      'hand-over': m.stepHandOver,
      'five-ones': m.stepFiveOnes,
    };
    const countdown = (deadline: number) =>
      html`<span class="countdown${deadline < nowMs ? ' overdue' : ''}" data-deadline="${deadline}"
        >${countdownText(deadline, nowMs, lang)}</span
      >`;
    const eventName = (code: string) => m.timelineNames[code] ?? c.moreTimeline[code] ?? c.otherEvent;
    const level = Math.max(0, Math.min(2, k.escalationLevel));
    return html`<div id="live" data-live="30" data-live-src="/crises/${encodeURIComponent(caseId)}?fragment=live">
      <div class="card" id="progress">
        <h2>${c.progress}</h2>
        <p>
          ${m.status}：<strong id="status">${m.caseStatusNames[k.status] ?? k.status}</strong> ·
          ${m.escalation}：<strong id="escalation" class="level-${level}">${c.escalationNames[level]}</strong>
        </p>
        <p class="next">
          ${p.next ? html`<span id="next-deadline">${c.nextDeadline}：${stepTitle[p.next.key]} ${fmt(p.next.deadline, zone)}，${countdown(p.next.deadline!)}</span>` : html`<span id="next-deadline">${c.noDeadline}</span>`}${p.nextCheckIn !== null ? html`<br /><span id="next-check-in">${c.nextCheckIn}：${fmt(p.nextCheckIn, zone)}，${countdown(p.nextCheckIn)}</span>` : ''}
        </p>
        <table id="steps">
          <thead>
            <tr>
              <th>${c.stepCol}</th>
              <th>${c.stateCol}</th>
              <th>${c.deadlineCol}</th>
            </tr>
          </thead>
          <tbody>
            ${p.rows.map(
              (x) =>
                html`<tr data-step="${x.key}" data-state="${x.state}">
                  <td>${stepTitle[x.key]}</td>
                  <td class="step-${x.state}">${c.states[x.state]}</td>
                  <td>
                    ${x.doneAt !== null ? html`${c.doneAt} ${fmt(x.doneAt, zone)}` : x.deadline !== null && x.state !== 'none' ? html`${c.dueAt} ${fmt(x.deadline, zone)}，${countdown(x.deadline)}` : '—'}
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
        <p class="muted"><small>${c.liveNote}</small></p>
      </div>
      <h2>${m.timeline}</h2>
      <table id="timeline">
        <thead>
          <tr>
            <th>${tm.at}</th>
            <th>${tm.action}</th>
            <th>${tm.actor}</th>
          </tr>
        </thead>
        <tbody>
          ${timeline.map(
            (e) =>
              html`<tr data-code="${e.action}">
                <td>${fmt(e.at, zone)}</td>
                <td>${eventName(e.action)}</td>
                <td>
                  ${e.actor === 'timer' ? tm.timer : e.actor === 'system' ? (lang === 'en' ? 'system' : '系统') : e.actor === '' ? m.ownerCollegeStaff : (names.get(e.actor) ?? e.actor)}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  /** The case page; after a refused step, that step's form shows why (in the user's words) and keeps what was entered. */
  async function casePage(
    req: Request,
    caseId: string,
    refused?: { step: CaseStep; message: string; values: Record<string, unknown> },
  ): Promise<string> {
    const user = currentUser(req);
    const zone = await schoolZone(deps);
    const c = await readCase({ store: deps.store, knex: deps.knex, now: now() }, user, caseId);
    const m = careText(req);
    const ct = crisisText(req);
    const d = c.case.durations;
    const id = encodeURIComponent(c.case.id);
    const csrf = csrfField(req);
    // the reporter of a case routed to another college follows it but cannot act on it (no forms)
    const members = c.case.collegeId ? await activeUsersOf(deps, user.schoolId, c.case.collegeId) : [];
    // the owner college's view of a routed case names the reporting college
    const from =
      c.case.collegeId && c.case.routedFromCollegeId
        ? await deps.store.getCollege(c.case.routedFromCollegeId)
        : undefined;
    const supervised = c.case.situation === 'self_harm_risk';
    const kept = (k: string) => (refused && typeof refused.values[k] === 'string' ? (refused.values[k] as string) : '');
    const step = (name: CaseStep, title: string, fields: unknown = '') =>
      html`<form class="card step" id="step-${name}" method="post" action="/crises/${id}/${name}">
        ${csrf}
        <h3>${title}</h3>
        ${
          refused?.step === name
            ? html`<div class="error" id="error" role="alert">
                <p>${rejectionText(refused.message, req.lang ?? 'zh-CN')}</p>
                ${
                  req.lang === 'en'
                    ? ''
                    : html`<details>
                        <summary>${ct.details}</summary>
                        <code>${refused.message}</code>
                      </details>`
                }
              </div>`
            : ''
        }${fields}
        <p><button class="btn" type="submit">${m.confirm}</button></p>
      </form>`;
    const forms =
      c.case.status === 'closed' || !c.case.collegeId
        ? ''
        : html`<h2>${m.stepsTitle}</h2>
            ${step('on-scene', m.stepOnScene)}
            ${step('school-notified', m.stepSchoolNotified, html`${SCHOOL_DEPARTMENTS.map((x) => html`<label><input type="checkbox" name="departments" value="${x}" /> ${m.departmentNames[x] ?? x}</label>`)}`)}
            ${step(
              'action',
              m.stepAction,
              html`<select name="action" required aria-label="${m.stepAction}">
                ${ACTIONS.map((x) => html`<option value="${x}" ${kept('action') === x ? raw(' selected') : ''}>${m.actionNames[x] ?? x}</option>`)}
              </select>`,
            )}
            ${
              supervised
                ? html`${step('guardian', m.stepGuardian, html`<label>${m.guardian} ${userSelect(req, 'guardianUserId', members, { required: true, empty: '', selected: kept('guardianUserId') || null })}</label>`)}
                  ${step('check-in', m.stepCheckIn, html`<label>${m.note} <textarea name="note">${kept('note')}</textarea></label>`)}
                  ${step('hand-over', m.stepHandOver, html`<label>${m.receivedBy} <input name="receivedBy" required maxlength="200" value="${kept('receivedBy')}" /></label><label>${m.witnessedBy} <input name="witnessedBy" required maxlength="500" value="${kept('witnessedBy')}" /></label><label>${m.handOverAt} <input type="datetime-local" name="at" value="${kept('atText') || localInput(now(), zone)}" /></label>`)}`
                : ''
            }
            ${step(
              'five-ones',
              m.stepFiveOnes,
              html`<label
                  >${m.leaderUserId}
                  ${userSelect(req, 'leaderUserId', members, { required: true, selected: kept('leaderUserId') || (members.find((u) => u.role === 'college_leader')?.id ?? null) })}</label
                >
                <label>${m.team} <input name="team" required maxlength="500" value="${kept('team')}" /></label>
                <label>${m.plan} <textarea name="plan" required>${kept('plan')}</textarea></label>
                <label>${m.followUp} <textarea name="followUp" required>${kept('followUp')}</textarea></label>`,
            )}`;
    const body = html`<h1>${m.caseTitle} ${c.case.id.slice(0, 8)}</h1>
      ${refused ? '' : flash(req, m.saved)}
      ${!c.case.collegeId ? html`<p class="card notice" id="routed">${m.routedNotice}</p>` : c.case.routedFromCollegeId ? html`<p class="card notice" id="routed">${m.routedFrom}${from ? (req.lang === 'en' ? from.nameEn : from.name) : c.case.routedFromCollegeId}</p>` : ''}
      <div class="card">
        <p>
          ${m.student}：${studentCell({ name: String(c.student.name ?? ''), studentNo: String(c.student.studentNo ?? ''), className: c.student.className ?? null })}
        </p>
        ${c.case.reportedName ? html`<p class="error" id="name-mismatch">${req.lang === 'en' ? `Reported as “${c.case.reportedName}”, but this student number is registered under the name above: check who the student is.` : `上报姓名为“${c.case.reportedName}”，与该学号登记的姓名不一致，请核实学生身份。`}</p>` : ''}
        <p>
          ${m.situation}：${m.situationNames[c.case.situation] ?? c.case.situation} · ${m.place}：${c.case.place ?? ''}
          · ${m.occurredAt}：${fmt(c.case.occurredAt, zone)} · ${m.reportedAt}：${fmt(c.case.reportedAt, zone)}
        </p>
        <details>
          <summary>${m.deadlines}</summary>
          <ul>
            <li>${m.onSceneDeadline}：${fmt(c.case.reportedAt + d.onSceneAckMs, zone)}</li>
            <li>${m.schoolNotifyDeadline}：${fmt(c.case.reportedAt + d.schoolNotifyMs, zone)}</li>
            <li>${fill(m.schoolAfter, { minutes: Math.round(d.schoolAfterMs / MIN) })}</li>
            ${
              supervised
                ? html`<li>${fill(m.checkInEvery, { minutes: Math.round(d.checkInEveryMs / MIN) })}</li>
                    <li>
                      ${fill(m.supervisionUntil, { hours: Math.round(d.supervisionMs / (60 * MIN)) })}：${fmt(c.case.reportedAt + d.supervisionMs, zone)}
                    </li>
                    <li>${fill(m.schoolAlertEvery, { minutes: Math.round(d.schoolAlertEveryMs / MIN) })}</li>`
                : ''
            }
          </ul>
        </details>
      </div>
      ${await liveBlock(req, c.case.id, c.case, c.timeline)} ${forms}`;
    return page(req, { title: m.caseTitle, body });
  }

  /** The case page: the student, each step as done / due / overdue with countdowns, a form per step, and the live timeline (who did what, when). */
  r.get('/crises/:id', async (req, res) => {
    const user = currentUser(req);
    const caseId = String(req.params.id);
    res.setHeader('Cache-Control', 'no-store');
    if (req.query.fragment === 'live' || req.query.fragment === 'timeline') {
      // the page's live refresh: status, progress and timeline, without the student (not a student read)
      const { status, escalationLevel, timeline } = await readTimeline(
        { store: deps.store, knex: deps.knex },
        user,
        caseId,
      );
      const row = (await deps
        .knex('crisis_cases')
        .where({ id: caseId })
        .first('situation', 'reported_at', 'durations')) as {
        situation: string;
        reported_at: number | string;
        durations: string | null;
      };
      const k = {
        situation: row.situation,
        status,
        escalationLevel,
        reportedAt: Number(row.reported_at),
        durations: row.durations ? (JSON.parse(row.durations) as CrisisDurations) : DEFAULT_CRISIS_DURATIONS,
      };
      return void res
        .type('html')
        .send(`<!doctype html><html><body>${(await liveBlock(req, caseId, k, timeline)).html}</body></html>`);
    }
    res.send(await casePage(req, caseId));
  });

  /** A step's form (the page version of POST /api/crises/:id/:step): back to the case page with ?done; a refusal is shown on the step's form with what was entered. */
  r.post('/crises/:id/:step', async (req, res) => {
    const step = String(req.params.step) as CaseStep;
    if (!STEPS.includes(step)) throw new NotFoundError(`unknown step ${step}`);
    const caseId = String(req.params.id);
    const b = formBody(req);
    const values = { ...b, atText: b.at };
    try {
      if (step === 'hand-over') b.at = localTime(b.at, await schoolZone(deps));
      await once(deps.knex, req, 200, (idem) =>
        actOnCase({ client: deps.client, knex: deps.knex }, currentUser(req), caseId, step, b, { updateId: idem?.id }),
      );
    } catch (e) {
      if (e instanceof TaskRejectedError || e instanceof BadRequestError) {
        return void res
          .status(e instanceof TaskRejectedError ? 409 : 400)
          .send(await casePage(req, caseId, { step, message: e.message, values }));
      }
      throw e;
    }
    res.redirect(303, `/crises/${encodeURIComponent(caseId)}?done=1`);
  });

  return r;
}
