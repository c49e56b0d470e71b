/**
 * The student-care pages (server-rendered forms, no client framework), over the use cases of
 * server/care.ts, server/screening.ts and the care settings:
 *  - GET /care: a college's care workspace (the key-care list with the one-student-one-plan, the
 *    intervention ledger in appendix 4's column order with its follow-ups, pairings, the open
 *    screening warnings and crisis cases), with a form for each step;
 *  - GET /screening/warnings/:id: the interview (the outline's five steps, appendix 1) and its
 *    record (appendix 2);
 *  - GET/POST /admin/care-settings: the school's procedure durations (school admin).
 * Every form posts, then redirects back (303): `?done=1`, or `?error=<reason>` for a rejection or
 * a bad form, shown as written; 403 and 404 stay errors. Care staff of the college and the
 * counselling centre (school admin) only; every read of student data is audited.
 */
import express, { type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import type { AnyZodObject, ZodNumber } from 'zod';
import type { User } from '../../db/store';
import {
  careSettingsSchema,
  DEFAULT_CARE_SETTINGS,
  LEDGER_CATEGORIES,
  LEDGER_COLUMNS,
  type CareSettings,
  type KeyCareReason,
} from '../../domain/care';
import type { Role } from '../../domain/schema';
import {
  ASSESSMENTS,
  INTERVIEW_STEPS,
  interviewRecordProblems,
  type InterviewRecord,
} from '../../workflows/screening-follow-up';
import { assertCareOf, BadRequestError, currentUser, ForbiddenError, type SessionUser } from '../auth/context';
import {
  addFollowUp,
  addKeyCare,
  addLedgerEntry,
  assignPairing,
  changeCareSettings,
  auditStudentReads as auditReads,
  endPairing,
  listKeyCare,
  listLedger,
  listPairings,
  readCareSettings,
  recordPairingTalk,
  removeKeyCare,
  updateKeyCare,
  type LedgerView,
} from '../care';
import type { AppDeps } from '../deps';
import { html, page, raw, type Raw } from '../html';
import { CARE_MESSAGES, fill, type CareMessages } from '../i18n/care';
import { recordInterview } from '../screening';
import { NotFoundError } from '../semesters';
import { TaskRejectedError } from '../tasks';
import { careDeps } from './care';
import { levelName } from '../views/words';
import { IDEM_FIELD, idemField, once } from '../idempotency';
import { fmt, queryString, schoolZone, semesterInView, t, keyCareMonthsOf } from './common';

export const careText = (req: Request): CareMessages => CARE_MESSAGES[req.lang ?? 'zh-CN'];

/** who keeps the ledger (as server/care.ts: class teachers read it and add follow-ups) */
const LEDGER_EDITORS: readonly Role[] = ['school_admin', 'college_leader', 'psych_counsellor', 'counsellor'];

/** The form's fields without the CSRF token and the idempotency key. */
export function formBody(req: Request): Record<string, unknown> {
  const { _csrf: _token, [IDEM_FIELD]: _key, ...rest } = (req.body ?? {}) as Record<string, unknown>;
  return rest;
}

/** A write form's hidden fields: the CSRF token and an idempotency key fresh on each page load (server/idempotency.ts). */
export const csrfField = (req: Request) =>
  html`<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" />${idemField()}`;

/** A `datetime-local` value (or any ISO date-time without an offset) in the school's zone, as epoch ms; other values unchanged. */
export function localTime(value: unknown, zone: string): unknown {
  if (typeof value !== 'string' || !value.trim()) return value;
  const d = DateTime.fromISO(value.trim(), { zone });
  return d.isValid ? d.toMillis() : value;
}

/** For a `datetime-local` input's value. */
export const localInput = (ms: number, zone: string) =>
  DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

/**
 * Page forms: on success back to `target` with `done=1`; a rejection (409) or a bad form (400) back
 * with its reason as written. Anything else (403, 404, 500) stays an error.
 */
export async function backTo(
  res: Response,
  target: string,
  action: () => Promise<unknown>,
  anchor = '',
): Promise<void> {
  const sep = target.includes('?') ? '&' : '?';
  const hash = anchor ? `#${anchor}` : '';
  try {
    await action();
    res.redirect(303, `${target}${sep}done=1${hash}`);
  } catch (e) {
    if (e instanceof TaskRejectedError || e instanceof BadRequestError)
      return void res.redirect(303, `${target}${sep}error=${encodeURIComponent(e.message)}${hash}`);
    throw e;
  }
}

/** The ?error= / ?done= of a redirect back. */
export function flash(req: Request, saved: string): Raw {
  const error = queryString(req, 'error');
  return html`${error ? html`<p class="error" id="error" role="alert">${error}</p>` : ''}${queryString(req, 'done') && !error ? html`<p class="ok" id="done">✓ ${saved}</p>` : ''}`;
}

/** A select of users (name and role); `empty` adds a first "none" option. */
export function userSelect(
  req: Request,
  name: string,
  users: User[],
  opts: { required?: boolean; empty?: string; selected?: string | null } = {},
): Raw {
  const roles = t(req).roleNames as Record<string, string>;
  return html`<select name="${name}" ${opts.required ? raw(' required') : ''}>
    ${opts.empty !== undefined ? html`<option value="">${opts.empty}</option>` : ''}${users.map(
      (u) =>
        html`<option value="${u.id}" ${u.id === opts.selected ? raw(' selected') : ''}>
          ${u.displayName}（${roles[u.role] ?? u.role}）
        </option>`,
    )}
  </select>`;
}

export async function activeUsersOf(deps: AppDeps, schoolId: string, collegeId: string): Promise<User[]> {
  return (await deps.store.listUsers({ schoolId, collegeId })).filter((u) => u.active);
}

const auditStudentReads = (deps: AppDeps, user: SessionUser, studentIds: string[], what: string) =>
  auditReads({ store: deps.store, now: (deps.now ?? Date.now)() }, user, studentIds, what);

export const studentCell = (s: { name: string; studentNo: string; className: string | null }) =>
  html`<strong>${s.name}</strong><br /><small>${s.studentNo}${s.className ? ` · ${s.className}` : ''}</small>`;

export const studentFields = (m: CareMessages) =>
  html`<label>${m.studentNo} <input name="studentNo" required maxlength="32" pattern="[A-Za-z0-9_\\-]{1,32}" /></label>
    <label>${m.studentName} <input name="studentName" required maxlength="100" /></label>
    <label>${m.className} <input name="className" maxlength="100" /></label>`;

function reasonText(m: CareMessages, r: KeyCareReason): string {
  if (r.kind === 'group') return `${r.zh}（${r.month}）`;
  if (r.kind === 'screening' || r.kind === 'crisis') return `${r.zh}（${m.sourceNames[r.kind]}）`;
  return r.zh;
}

interface Settings {
  section: keyof CareSettings;
  key: string;
  path: string;
  unit: 'minutes' | 'hours' | 'days' | 'students';
  min: number;
  max: number;
  default: number;
}

/** Every field of the care settings, with its bounds from the schema and its default. */
const SETTINGS_FIELDS: Settings[] = (Object.keys(DEFAULT_CARE_SETTINGS) as Array<keyof CareSettings>).flatMap(
  (section) =>
    Object.entries(DEFAULT_CARE_SETTINGS[section]).map(([key, value]) => {
      const schema = (careSettingsSchema.innerType().shape[section] as AnyZodObject).shape[key] as ZodNumber;
      const unit = key.endsWith('Minutes')
        ? 'minutes'
        : key.endsWith('Hours')
          ? 'hours'
          : key.endsWith('Days')
            ? 'days'
            : 'students';
      return {
        section,
        key,
        path: `${section}.${key}`,
        unit,
        min: schema.minValue ?? 0,
        max: schema.maxValue ?? Number.MAX_SAFE_INTEGER,
        default: value as number,
      } as Settings;
    }),
);

export function createCarePagesRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();

  /** The college a row belongs to (for the redirect back); 404 when unknown. The use case authorizes. */
  async function collegeOfRow(table: 'key_care_entries' | 'ledger_entries' | 'pairings', id: string): Promise<string> {
    const row = (await deps.knex(table).where({ id }).first('college_id')) as { college_id: string } | undefined;
    if (!row)
      throw new NotFoundError(
        `unknown ${table === 'key_care_entries' ? 'key-care entry' : table === 'ledger_entries' ? 'ledger entry' : 'pairing'} ${id}`,
      );
    return row.college_id;
  }
  /** The college of a collection form: ?college=, else the user's own. */
  const formCollege = (req: Request, user: SessionUser) =>
    queryString(req, 'college') ??
    (typeof req.body?.college === 'string' && req.body.college ? (req.body.college as string) : undefined) ??
    user.collegeId ??
    undefined;
  const careOf = (collegeId: string | undefined) =>
    `/care${collegeId ? `?college=${encodeURIComponent(collegeId)}` : ''}`;
  const required = (collegeId: string | undefined): string => {
    if (!collegeId) throw new BadRequestError('name the college: ?college=<id>');
    return collegeId;
  };

  // -------------------------------------------------------------------------------------------
  // the care workspace

  r.get('/care', async (req, res) => {
    const user = currentUser(req);
    const m = careText(req);
    const colleges = await deps.store.listColleges(user.schoolId);
    const collegeId = queryString(req, 'college') ?? user.collegeId ?? colleges[0]?.id;
    const college = colleges.find((c) => c.id === collegeId);
    if (!collegeId || !college) throw new NotFoundError(`unknown college ${collegeId ?? ''}`);
    assertCareOf(user, collegeId);
    const zone = await schoolZone(deps);
    const cd = careDeps(deps);
    // the page audits its students once (below), not once per list
    const keyCare = await listKeyCare(cd, user, collegeId, { audit: false });
    const ledger = await listLedger(cd, user, collegeId, 'ledger', { audit: false });
    const pairings = await listPairings(cd, user, collegeId, { audit: false });
    const members = await activeUsersOf(deps, user.schoolId, collegeId);
    const names = new Map((await deps.store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
    const warnings = (await deps
      .knex('screening_warnings as w')
      .join('students as s', 's.id', 'w.student_id')
      .where({ 'w.college_id': collegeId, 'w.status': 'open' })
      .orderBy('w.interview_due_at')
      .select(
        'w.id',
        'w.student_id',
        'w.level',
        'w.interview_due_at',
        'w.escalation_level',
        's.student_no',
        's.name',
        's.class_name',
      )) as Array<Record<string, unknown>>;
    const crises = (await deps
      .knex('crisis_cases as c')
      .join('students as s', 's.id', 'c.student_id')
      .where('c.college_id', collegeId)
      .whereNot('c.status', 'closed')
      .orderBy('c.reported_at', 'desc')
      .select(
        'c.id',
        'c.student_id',
        'c.situation',
        'c.place',
        'c.status',
        'c.escalation_level',
        'c.reported_at',
        's.student_no',
        's.name',
        's.class_name',
      )) as Array<Record<string, unknown>>;
    // one audited view per student shown, whichever lists they are on
    await auditStudentReads(
      deps,
      user,
      [
        ...keyCare.map((k) => k.student.id),
        ...ledger.map((l) => l.student.id),
        ...pairings.map((p) => p.student.id),
        ...warnings.map((w) => String(w.student_id)),
        ...crises.map((c) => String(c.student_id)),
      ],
      'care-page',
    );

    const csrf = csrfField(req);
    const en = req.lang === 'en';
    const isLeader = user.role === 'college_leader' || user.role === 'school_admin';
    const collegeQ = `?college=${encodeURIComponent(collegeId)}`;
    const student = (row: Record<string, unknown>) => ({
      name: String(row.name),
      studentNo: String(row.student_no),
      className: (row.class_name as string | null) ?? null,
    });

    // the key-care groups of the semester in view, the current month's first
    const semester = await semesterInView(deps, req);
    const months = semester ? await keyCareMonthsOf(deps.store, semester) : [];
    const month = DateTime.fromMillis(now(), { zone }).toFormat('yyyy-MM');
    const groupSet = (x: (typeof months)[number]) =>
      html`<fieldset class="groups">
        <legend>${fill(m.groupsOfMonth, { month: x.month })}</legend>
        ${x.keyCareGroups.map(
          (g, i) =>
            html`<label
              ><input type="checkbox" name="reasons" value="group:${x.month}:${i}|${g.zh}" /> ${en ? g.en : g.zh}</label
            >`,
        )}
      </fieldset>`;
    const current = months.find((x) => x.month === month);
    const others = months.filter((x) => x !== current);
    const groups = !months.length
      ? html`<p class="muted">${m.noGroups}</p>`
      : html`${current ? groupSet(current) : ''}${others.length ? html`<details${current ? '' : raw(' open')}><summary>${m.otherMonths}</summary>${others.map(groupSet)}</details>` : ''}`;

    const keyCareSection = html`<section id="key-care">
      <h2>${m.keyCare}</h2>
      <table id="key-care-table">
        <thead>
          <tr>
            <th>${m.student}</th>
            <th>${m.reasons}</th>
            <th>${m.plan}</th>
            ${isLeader ? html`<th>${m.remove}</th>` : ''}
          </tr>
        </thead>
        <tbody>
          ${
            keyCare.length
              ? ''
              : html`<tr>
                  <td colspan="4" class="muted">${m.none}</td>
                </tr>`
          }
          ${keyCare.map(
            (e) =>
              html`<tr data-id="${e.id}">
                <td>
                  ${studentCell(e.student)}<br /><small class="muted"
                    >${m.source}：${m.sourceNames[e.source] ?? e.source} · ${fmt(e.addedAt, zone)}</small
                  >
                </td>
                <td>
                  <ul class="reasons">
                    ${e.reasons.map((x) => html`<li>${reasonText(m, x)}</li>`)}
                  </ul>
                </td>
                <td>
                  <form method="post" action="/care/key-care/${encodeURIComponent(e.id)}">
                    ${csrf}<textarea name="plan" aria-label="${m.plan}">${e.plan}</textarea
                    ><button class="btn" type="submit">${m.savePlan}</button>
                  </form>
                </td>
                ${
                  isLeader
                    ? html`<td>
                        <form method="post" action="/care/key-care/${encodeURIComponent(e.id)}/remove">
                          ${csrf}<label>${m.removeReason} <input name="reason" required maxlength="500" /></label
                          ><button class="btn" type="submit">${m.remove}</button>
                        </form>
                      </td>`
                    : ''
                }
              </tr>`,
          )}
        </tbody>
      </table>
      <form class="card" id="add-key-care" method="post" action="/care/key-care${collegeQ}">
        ${csrf}
        <h3>${m.addKeyCare}</h3>
        ${studentFields(m)}
        <fieldset>
          <legend>${m.reasons}</legend>
          ${groups} <label>${m.otherReason} <input name="reasons" maxlength="500" /></label>
        </fieldset>
        <label>${m.plan} <textarea name="plan"></textarea></label>
        <p><button class="btn" type="submit">${m.add}</button></p>
      </form>
    </section>`;

    const categoryName = new Map<string, string>(LEDGER_CATEGORIES.map((c) => [c.id, en ? c.en : c.zh]));
    const followUpForm = (v: LedgerView) =>
      html`<details>
        <summary>${m.addFollowUp}</summary>
        <form method="post" action="/care/ledger/${encodeURIComponent(v.id)}/follow-ups">
          ${csrf}
          <label>${m.followUpText} <textarea name="text" required></textarea></label>
          <label><input type="checkbox" name="counselling" value="1" /> ${m.counselling}</label>
          <label><input type="checkbox" name="hospital" value="1" /> ${m.hospital}</label>
          <button class="btn" type="submit">${m.add}</button>
        </form>
      </details>`;
    const ledgerCells = (v: LedgerView): Record<(typeof LEDGER_COLUMNS)[number]['key'], unknown> => ({
      seq: v.seq,
      name: html`${v.student.name}<br /><small>${v.student.studentNo}</small>`,
      gender: v.gender,
      majorClass: v.majorClass || v.student.className || '',
      contact: v.contact,
      interviewAt: fmt(v.interviewAt, zone),
      categories: v.categories.map((c) => categoryName.get(c) ?? c).join('、'),
      lifeSafety: v.lifeSafety ? m.yes : m.no,
      description: v.description,
      liaison: v.liaisonName ?? '',
      plan: v.plan,
      followUp: html`<ul class="follow-ups">
          ${v.followUps.map(
            (f) =>
              html`<li>
                ${fmt(f.at, zone)}
                ${f.text}${f.counselling ? `（${m.counsellingShort}）` : ''}${f.hospital ? `（${m.hospitalShort}）` : ''}
                <small class="muted">${names.get(f.by) ?? f.by}</small>
              </li>`,
          )}
        </ul>
        ${followUpForm(v)}`,
    });
    const ledgerSection = html`<section id="ledger">
      <h2>${m.ledger}</h2>
      <p>
        <a href="/exports/ledger.xlsx${collegeQ}">${m.exportXlsx}</a> ·
        <a href="/exports/ledger.csv${collegeQ}">${m.exportCsv}</a>
      </p>
      <table id="ledger-table">
        <thead>
          <tr>
            ${LEDGER_COLUMNS.map((c) => html`<th>${c.zh}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${
            ledger.length
              ? ''
              : html`<tr>
                  <td colspan="${LEDGER_COLUMNS.length}" class="muted">${m.none}</td>
                </tr>`
          }
          ${ledger.map((v) => {
            const cells = ledgerCells(v);
            return html`<tr data-id="${v.id}">
              ${LEDGER_COLUMNS.map((c) => html`<td data-col="${c.key}">${cells[c.key]}</td>`)}
            </tr>`;
          })}
        </tbody>
      </table>
      ${
        LEDGER_EDITORS.includes(user.role)
          ? html`<form class="card" id="add-ledger" method="post" action="/care/ledger${collegeQ}">
              ${csrf}
              <h3>${m.addLedger}</h3>
              ${studentFields(m)}
              <label
                >${m.gender}
                <select name="gender">
                  <option value="">${m.notChosen}</option>
                  <option value="男">${m.male}</option>
                  <option value="女">${m.female}</option>
                </select></label
              >
              <label>${m.majorClass} <input name="majorClass" maxlength="100" /></label>
              <label>${m.contact} <input name="contact" maxlength="100" /></label>
              <label>${m.interviewAt} <input type="datetime-local" name="interviewAt" /></label>
              <fieldset>
                <legend>${m.categories}</legend>
                ${LEDGER_CATEGORIES.map((c) => html`<label><input type="checkbox" name="categories" value="${c.id}" /> ${en ? c.en : c.zh}</label>`)}
              </fieldset>
              <label><input type="checkbox" name="lifeSafety" value="1" /> ${m.lifeSafety}</label>
              <label>${m.description} <textarea name="description"></textarea></label>
              <label>${m.liaison} ${userSelect(req, 'liaisonUserId', members, { empty: m.notChosen })}</label>
              <label>${m.interventionPlan} <textarea name="plan"></textarea></label>
              <p><button class="btn" type="submit">${m.add}</button></p>
            </form>`
          : ''
      }
    </section>`;

    const proposed = pairings.filter((p) => p.status === 'proposed');
    const active = pairings.filter((p) => p.status === 'active');
    const override =
      user.role === 'school_admin'
        ? html`<label>${m.overrideReason} <input name="overrideReason" maxlength="500" /></label>`
        : '';
    const pairingSection = html`<section id="pairings">
      <h2>${m.pairings}</h2>
      <h3>${m.proposed}</h3>
      <table id="proposed-pairings">
        <thead>
          <tr>
            <th>${m.student}</th>
            <th>${m.source}</th>
            ${isLeader ? html`<th>${m.assign}</th>` : ''}
          </tr>
        </thead>
        <tbody>
          ${
            proposed.length
              ? ''
              : html`<tr>
                  <td colspan="3" class="muted">${m.none}</td>
                </tr>`
          }
          ${proposed.map(
            (p) =>
              html`<tr data-id="${p.id}">
                <td>${studentCell(p.student)}</td>
                <td>${m.sourceNames[p.source] ?? p.source}</td>
                ${
                  isLeader
                    ? html`<td>
                        <form method="post" action="/care/pairings${collegeQ}">
                          ${csrf}<input type="hidden" name="pairingId" value="${p.id}" /><label
                            >${m.teacher}
                            ${userSelect(req, 'teacherUserId', members, { required: true, empty: '' })}</label
                          >${override}<button class="btn" type="submit">${m.assign}</button>
                        </form>
                      </td>`
                    : ''
                }
              </tr>`,
          )}
        </tbody>
      </table>
      ${
        isLeader
          ? html`<form class="card" id="new-pairing" method="post" action="/care/pairings${collegeQ}">
              ${csrf}
              <h3>${m.newPairing}</h3>
              ${studentFields(m)}
              <label>${m.teacher} ${userSelect(req, 'teacherUserId', members, { required: true, empty: '' })}</label
              >${override}
              <p><button class="btn" type="submit">${m.assign}</button></p>
            </form>`
          : ''
      }
      <h3>${m.activePairings}</h3>
      <table id="active-pairings">
        <thead>
          <tr>
            <th>${m.student}</th>
            <th>${m.teacher}</th>
            <th>${m.startedAt}</th>
            <th>${m.lastTalk}</th>
            <th>${m.nextTalkDue}</th>
            <th>${m.escalation}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${
            active.length
              ? ''
              : html`<tr>
                  <td colspan="7" class="muted">${m.none}</td>
                </tr>`
          }
          ${active.map((p) => {
            const overdue = p.nextTalkDueAt != null && p.nextTalkDueAt < now();
            const mayTalk =
              p.teacherUserId === user.id || (user.role === 'college_leader' && user.collegeId === collegeId);
            const mayEnd = user.role === 'college_leader' && user.collegeId === collegeId;
            return html`<tr data-id="${p.id}"><td>${studentCell(p.student)}</td><td>${p.teacherName ?? p.teacherUserId ?? ''}</td><td>${fmt(p.startedAt, zone)}</td><td>${fmt(p.lastTalkAt, zone)}</td>
<td${overdue ? raw(' class="bad"') : ''}>${fmt(p.nextTalkDueAt, zone)}</td><td class="level-${p.escalationLevel}" data-value="${p.escalationLevel}">${levelName(Number(p.escalationLevel), req.lang ?? 'zh-CN')}</td>
<td>${
              mayTalk
                ? html`<details>
                    <summary>${m.recordTalk}</summary>
                    <form method="post" action="/care/pairings/${encodeURIComponent(p.id)}/talks">
                      ${csrf}<label>${m.talkNote} <textarea name="note" required></textarea></label
                      ><button class="btn" type="submit">${m.recordTalk}</button>
                    </form>
                  </details>`
                : ''
            }
${
  mayEnd
    ? html`<details>
        <summary>${m.endPairing}</summary>
        <form method="post" action="/care/pairings/${encodeURIComponent(p.id)}/end">
          ${csrf}<label>${m.endReason} <input name="reason" required maxlength="500" /></label
          ><button class="btn" type="submit">${m.endPairing}</button>
        </form>
      </details>`
    : ''
}</td></tr>`;
          })}
        </tbody>
      </table>
    </section>`;

    const warningSection = html`<section id="warnings">
      <h2>${m.warnings}</h2>
      <table id="warnings-table">
        <thead>
          <tr>
            <th>${m.level}</th>
            <th>${m.student}</th>
            <th>${m.interviewDue}</th>
            <th>${m.escalation}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${
            warnings.length
              ? ''
              : html`<tr>
                  <td colspan="5" class="muted">${m.none}</td>
                </tr>`
          }
          ${warnings.map(
            (
              w,
            ) => html`<tr data-id="${String(w.id)}"><td class="level-${String(w.level)}">${m.levelNames[String(w.level)] ?? String(w.level)}</td><td>${studentCell(student(w))}</td>
<td${Number(w.interview_due_at) < now() ? raw(' class="bad"') : ''}>${fmt(Number(w.interview_due_at), zone)}</td><td class="num">${Number(w.escalation_level)}</td>
<td><a href="/screening/warnings/${encodeURIComponent(String(w.id))}">${m.interview}</a></td></tr>`,
          )}
        </tbody>
      </table>
    </section>`;

    const crisisSection = html`<section id="crises">
      <h2>${m.crises}</h2>
      <p><a class="btn" href="/crises/new">${m.reportCrisis}</a></p>
      <table id="crises-table">
        <thead>
          <tr>
            <th>${m.reportedAt}</th>
            <th>${m.student}</th>
            <th>${m.situation}</th>
            <th>${m.place}</th>
            <th>${m.status}</th>
            <th>${m.escalation}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${
            crises.length
              ? ''
              : html`<tr>
                  <td colspan="7" class="muted">${m.none}</td>
                </tr>`
          }
          ${crises.map(
            (c) =>
              html`<tr data-id="${String(c.id)}">
                <td>${fmt(Number(c.reported_at), zone)}</td>
                <td>${studentCell(student(c))}</td>
                <td>${m.situationNames[String(c.situation)] ?? String(c.situation)}</td>
                <td>${(c.place as string | null) ?? ''}</td>
                <td>${m.caseStatusNames[String(c.status)] ?? String(c.status)}</td>
                <td class="level-${Number(c.escalation_level)}" data-value="${Number(c.escalation_level)}">
                  ${levelName(Number(c.escalation_level), req.lang ?? 'zh-CN')}
                </td>
                <td><a href="/crises/${encodeURIComponent(String(c.id))}">${m.caseLink}</a></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;

    const picker =
      user.role === 'school_admin'
        ? html`<form method="get" action="/care" class="card">
            <label
              >${m.college}
              <select name="college">
                ${colleges.map(
                  (c) =>
                    html`<option value="${c.id}" ${c.id === collegeId ? raw(' selected') : ''}>
                      ${en ? c.nameEn : c.name}
                    </option>`,
                )}
              </select></label
            >
            <button class="btn" type="submit">${m.show}</button>
          </form>`
        : '';
    const body = html`<h1>${m.careTitle} · ${en ? college.nameEn : college.name}</h1>
      ${picker}${flash(req, m.saved)}
      <p class="muted">
        <a href="#key-care">${m.keyCare}</a> · <a href="#ledger">${m.ledger}</a> ·
        <a href="#pairings">${m.pairings}</a> · <a href="#warnings">${m.warnings}</a> ·
        <a href="#crises">${m.crises}</a>
      </p>
      ${keyCareSection}${ledgerSection}${pairingSection}${warningSection}${crisisSection}`;
    res.setHeader('Cache-Control', 'no-store');
    res.send(page(req, { title: m.careTitle, body }));
  });

  // key-care list
  r.post('/care/key-care', async (req, res) => {
    const user = currentUser(req);
    const collegeId = formCollege(req, user);
    await backTo(
      res,
      careOf(collegeId),
      async () =>
        (await once(deps.knex, req, 201, () => addKeyCare(careDeps(deps), user, required(collegeId), formBody(req))))
          .body,
      'key-care',
    );
  });
  r.post('/care/key-care/:id', async (req, res) => {
    const id = String(req.params.id);
    const collegeId = await collegeOfRow('key_care_entries', id);
    const b = formBody(req);
    await backTo(
      res,
      careOf(collegeId),
      async () =>
        (await once(deps.knex, req, 204, () => updateKeyCare(careDeps(deps), currentUser(req), id, { plan: b.plan })))
          .body,
      'key-care',
    );
  });
  r.post('/care/key-care/:id/remove', async (req, res) => {
    const id = String(req.params.id);
    const collegeId = await collegeOfRow('key_care_entries', id);
    await backTo(
      res,
      careOf(collegeId),
      async () =>
        (
          await once(deps.knex, req, 204, () =>
            removeKeyCare(careDeps(deps), currentUser(req), id, formBody(req).reason),
          )
        ).body,
      'key-care',
    );
  });

  // intervention ledger
  r.post('/care/ledger', async (req, res) => {
    const user = currentUser(req);
    const collegeId = formCollege(req, user);
    const b = formBody(req);
    b.interviewAt = localTime(b.interviewAt, await schoolZone(deps));
    await backTo(
      res,
      careOf(collegeId),
      async () =>
        (await once(deps.knex, req, 201, () => addLedgerEntry(careDeps(deps), user, required(collegeId), b))).body,
      'ledger',
    );
  });
  r.post('/care/ledger/:id/follow-ups', async (req, res) => {
    const id = String(req.params.id);
    const collegeId = await collegeOfRow('ledger_entries', id);
    await backTo(
      res,
      careOf(collegeId),
      async () =>
        (await once(deps.knex, req, 201, () => addFollowUp(careDeps(deps), currentUser(req), id, formBody(req)))).body,
      'ledger',
    );
  });

  // pairings
  r.post('/care/pairings', async (req, res) => {
    const user = currentUser(req);
    const collegeId = formCollege(req, user);
    await backTo(
      res,
      careOf(collegeId),
      async () =>
        (await once(deps.knex, req, 201, () => assignPairing(careDeps(deps), user, required(collegeId), formBody(req))))
          .body,
      'pairings',
    );
  });
  r.post('/care/pairings/:id/talks', async (req, res) => {
    const id = String(req.params.id);
    const collegeId = await collegeOfRow('pairings', id);
    await backTo(
      res,
      careOf(collegeId),
      async () =>
        (
          await once(deps.knex, req, 200, () =>
            recordPairingTalk(careDeps(deps), currentUser(req), id, formBody(req).note),
          )
        ).body,
      'pairings',
    );
  });
  r.post('/care/pairings/:id/end', async (req, res) => {
    const id = String(req.params.id);
    const collegeId = await collegeOfRow('pairings', id);
    await backTo(
      res,
      careOf(collegeId),
      async () =>
        (await once(deps.knex, req, 204, () => endPairing(careDeps(deps), currentUser(req), id, formBody(req).reason)))
          .body,
      'pairings',
    );
  });

  // -------------------------------------------------------------------------------------------
  // the screening interview (seed 003 appendices 1 and 2)

  r.get('/screening/warnings/:id', async (req, res) => {
    const user = currentUser(req);
    const m = careText(req);
    const id = String(req.params.id);
    const w = (await deps
      .knex('screening_warnings as w')
      .join('students as s', 's.id', 'w.student_id')
      .where('w.id', id)
      .first(
        'w.id',
        'w.student_id',
        'w.college_id',
        'w.level',
        'w.status',
        'w.interview_due_at',
        'w.escalation_level',
        'w.interviewed_at',
        'w.record',
        's.student_no',
        's.name',
        's.class_name',
      )) as Record<string, unknown> | undefined;
    if (!w) throw new NotFoundError(`unknown warning ${id}`);
    const college = await deps.store.getCollege(String(w.college_id));
    if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown warning ${id}`);
    assertCareOf(user, college.id);
    await auditStudentReads(deps, user, [String(w.student_id)], `screening-warning:${id}`);
    const zone = await schoolZone(deps);
    const en = req.lang === 'en';
    const status = String(w.status);
    let record: Partial<InterviewRecord> | null = null;
    if (w.record) {
      try {
        record = JSON.parse(String(w.record)) as Partial<InterviewRecord>;
      } catch {
        record = null;
      }
    }
    const yesNo = (name: string) =>
      html`<label class="inline-choice"><input type="radio" name="${name}" value="yes" required /> ${m.yes}</label>
        <label class="inline-choice"><input type="radio" name="${name}" value="no" /> ${m.no}</label>`;
    const mayRecord = status === 'open' && user.collegeId === college.id;
    const form = mayRecord
      ? html`<form
          class="card"
          id="interview"
          method="post"
          action="/screening/warnings/${encodeURIComponent(id)}/interview"
        >
          ${csrfField(req)}
          <p class="muted">${m.interviewIntro}</p>
          ${INTERVIEW_STEPS.map(
            (s) =>
              html`<label for="step-${s}"><strong>${m.steps[s]!.name}</strong></label>
                <p class="muted hint">${m.steps[s]!.hint}</p>
                <textarea id="step-${s}" name="${s}" required maxlength="5000"></textarea>`,
          )}
          <fieldset>
            <legend>${m.assessment}</legend>
            ${ASSESSMENTS.map((a) => html`<label class="inline-choice"><input type="radio" name="assessment" value="${a}" required /> ${m.assessmentNames[a]}</label> `)}
          </fieldset>
          <fieldset>
            <legend>${m.needsCounselling}</legend>
            ${yesNo('needsCounselling')}
          </fieldset>
          <fieldset>
            <legend>${m.needsCrisisIntervention}</legend>
            ${yesNo('needsCrisisIntervention')}
          </fieldset>
          <p><button class="btn" type="submit">${m.saveInterview}</button></p>
        </form>`
      : status === 'open'
        ? html`<p class="muted">${m.interviewByCollege}</p>`
        : '';
    const shown = record
      ? html`<div class="card" id="record">
          <dl>
            ${INTERVIEW_STEPS.map(
              (s) =>
                html`<dt>${m.steps[s]!.name}</dt>
                  <dd>${record?.[s] ?? ''}</dd>`,
            )}
            <dt>${m.assessment}</dt>
            <dd>${record.assessment ? (m.assessmentNames[record.assessment] ?? record.assessment) : ''}</dd>
            <dt>${m.needsCounselling}</dt>
            <dd>${record.needsCounselling ? m.yes : m.no}</dd>
            <dt>${m.needsCrisisIntervention}</dt>
            <dd>${record.needsCrisisIntervention ? m.yes : m.no}</dd>
          </dl>
        </div>`
      : '';
    const body = html`<h1>${m.interviewTitle}</h1>
      ${flash(req, m.saved)}
      <div class="card">
        <p>
          ${m.student}：${studentCell({ name: String(w.name), studentNo: String(w.student_no), className: (w.class_name as string | null) ?? null })}
        </p>
        <p>
          ${m.college}：${en ? college.nameEn : college.name} · ${m.level}：<span class="level-${String(w.level)}"
            >${m.levelNames[String(w.level)] ?? String(w.level)}</span
          >
          · ${m.interviewDue}：${fmt(Number(w.interview_due_at), zone)} · ${m.status}：<strong id="status"
            >${m.warningStatusNames[status] ?? status}</strong
          >
          · ${m.escalation}：<span id="escalation">${levelName(Number(w.escalation_level), req.lang ?? 'zh-CN')}</span
          >${w.interviewed_at != null ? html` · ${m.interviewedAt}：${fmt(Number(w.interviewed_at), zone)}` : ''}
        </p>
        <p><a href="${careOf(college.id)}#warnings">${m.careTitle}</a></p>
      </div>
      ${shown}${form}`;
    res.setHeader('Cache-Control', 'no-store');
    res.send(page(req, { title: m.interviewTitle, body }));
  });

  r.post('/screening/warnings/:id/interview', async (req, res) => {
    const user = currentUser(req);
    const id = String(req.params.id);
    const row = (await deps.knex('screening_warnings').where({ id }).first('college_id')) as
      { college_id: string } | undefined;
    if (!row) throw new NotFoundError(`unknown warning ${id}`);
    if (user.collegeId !== row.college_id) throw new ForbiddenError('this warning belongs to another college');
    const b = formBody(req);
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
    const yesNo = (k: string) => (b[k] === 'yes' ? true : b[k] === 'no' ? false : undefined);
    const record = {
      ...Object.fromEntries(INTERVIEW_STEPS.map((s) => [s, str(s)])),
      assessment: str('assessment'),
      needsCounselling: yesNo('needsCounselling'),
      needsCrisisIntervention: yesNo('needsCrisisIntervention'),
    };
    await backTo(res, `/screening/warnings/${encodeURIComponent(id)}`, async () => {
      // the workflow checks the same; checked here first, the form comes back without a round trip
      const problems = interviewRecordProblems(record);
      if (problems.length) throw new BadRequestError(problems.join('; '));
      await recordInterview({ client: deps.client, knex: deps.knex }, user, id, record as unknown as InterviewRecord);
    });
  });

  // -------------------------------------------------------------------------------------------
  // the school's care settings (school admin)

  function renderSettings(req: Request, values: Record<string, unknown>, problems: string[]): string {
    const m = careText(req);
    const label = (path: string) => m.fields[path] ?? path;
    const shownProblems = problems.map((p) => {
      const i = p.indexOf(': ');
      const path = i > 0 ? p.slice(0, i) : '';
      return m.fields[path] ? `${label(path)}（${path}）：${p.slice(i + 2)}` : p;
    });
    const sections = (Object.keys(DEFAULT_CARE_SETTINGS) as Array<keyof CareSettings>).map(
      (section) =>
        html`<fieldset>
          <legend>${m.sections[section] ?? section}</legend>
          ${SETTINGS_FIELDS.filter((f) => f.section === section).map(
            (f) =>
              html`<label for="${f.path}">${label(f.path)}</label>
                <input
                  id="${f.path}"
                  name="${f.path}"
                  type="number"
                  step="1"
                  min="${f.min}"
                  max="${f.max}"
                  required
                  value="${String(values[f.path] ?? '')}"
                />
                ${m.units[f.unit]}
                <small class="muted"
                  >${fill(m.defaultAndRange, { default: `${f.default} ${m.units[f.unit]}`, min: f.min, max: f.max })}</small
                >`,
          )}
        </fieldset>`,
    );
    const body = html`<h1>${m.settingsTitle}</h1>
      <p class="muted">${m.settingsIntro}</p>
      ${
        problems.length
          ? html`<div class="error" id="error" role="alert">
              <p>${m.settingsProblems}</p>
              <ul>
                ${shownProblems.map((p) => html`<li>${p}</li>`)}
              </ul>
            </div>`
          : flash(req, m.saved)
      }
      <form class="card" id="care-settings" method="post" action="/admin/care-settings">
        ${csrfField(req)} ${sections}
        <p><button class="btn" type="submit">${m.save}</button></p>
      </form>`;
    return page(req, { title: m.settingsTitle, body });
  }

  r.get('/admin/care-settings', async (req, res) => {
    const settings = await readCareSettings(careDeps(deps), currentUser(req));
    const values = Object.fromEntries(
      SETTINGS_FIELDS.map((f) => [f.path, (settings[f.section] as Record<string, number>)[f.key]]),
    );
    res.send(renderSettings(req, values, []));
  });

  r.post('/admin/care-settings', async (req, res) => {
    const user = currentUser(req);
    const b = formBody(req);
    const values = Object.fromEntries(SETTINGS_FIELDS.map((f) => [f.path, b[f.path]]));
    const number = (v: unknown) =>
      typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v === '' ? undefined : v;
    const submitted: Record<string, Record<string, unknown>> = {};
    for (const f of SETTINGS_FIELDS) (submitted[f.section] ??= {})[f.key] = number(b[f.path]);
    const result = await changeCareSettings(careDeps(deps), user, submitted);
    if (result.problems) return void res.status(400).send(renderSettings(req, values, result.problems));
    res.redirect(303, '/admin/care-settings?done=1');
  });

  return r;
}
