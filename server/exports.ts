/**
 * Exports and the calendar feed:
 *  - /exports/compliance.{csv,xlsx}?semester=ID — compliance per college and month (school admin:
 *    every college; college leader: their own; anyone else 403);
 *  - /exports/tasks.{csv,xlsx}?semester=ID[&college=ID] — the task ledger (school admin: every
 *    college or the one asked for; everyone else: their own college only);
 *  - /me/calendar-feed — create, rotate, show and revoke the signed-in user's private iCalendar feed;
 *  - /ics/:token.ics — the feed itself, without a session: the token is the credential.
 *
 * CSV is UTF-8 with a BOM (so Chinese Excel reads it), CRLF, RFC 4180 quoting. Text cells that a
 * spreadsheet would run as a formula (= + - @, full-width ＝ ＋ － ＠, a leading tab or CR) get a
 * leading apostrophe in CSV and XLSX alike: an XLSX text cell is no formula when opened, but
 * becomes one when edited and confirmed. The state-changing routes rely on the app's CSRF check.
 */
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import express, { type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import type { Semester, TaskInstanceRow, TaskStatus } from '../db/store';
import { assertCollege, BadRequestError, currentUser, ForbiddenError, type SessionUser } from './auth/context';
import type { AppDeps } from './deps';
import { html, page } from './html';
import { completionRate } from '../domain/compliance';
import { exportsText, type ExportMessages } from './i18n/exports';
import { NotFoundError } from './semesters';
import { formatLocal } from '../domain/local-time';
import { calendarWords, titleWithOccurrence } from './views/words';

type Cell = string | number | null;
export interface Table {
  sheet: string;
  /** file name without extension, and an ASCII fallback for old clients */
  file: string;
  fileAscii: string;
  columns: Array<{ header: string; width: number; numFmt?: string }>;
  rows: Cell[][];
}

const FORMATS = ['csv', 'xlsx'] as const;
type Format = (typeof FORMATS)[number];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const NOT_CLOSED: TaskStatus[] = ['planned', 'open', 'overdue'];
const FEED_ONCE_COOKIE = 'rx_feed_once';
const FEED_PATH = '/me/calendar-feed';
/** right-hand side of every event UID: stable whatever host serves the feed */
const UID_DOMAIN = 'runxin-duty-tracker';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const textFor = (req: Request): ExportMessages => exportsText[req.lang === 'en' ? 'en' : 'zh-CN'];
const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

/** 'planned'/'open' past its due instant counts as overdue, as in complianceByCollegeMonth. */
function effectiveStatus(t: TaskInstanceRow, nowMs: number): TaskStatus {
  return (t.status === 'planned' || t.status === 'open') && t.dueAt <= nowMs ? 'overdue' : t.status;
}

export function createExportsRouter(deps: AppDeps): express.Router {
  const { store, knex } = deps;
  const now = deps.now ?? Date.now;
  const router = express.Router();

  async function semesterOf(user: SessionUser, id: unknown): Promise<Semester> {
    if (typeof id !== 'string' || id === '') throw new BadRequestError('name the semester: ?semester=ID');
    const semester = await store.getSemester(id);
    if (!semester || semester.schoolId !== user.schoolId) throw new NotFoundError(`unknown semester ${id}`);
    return semester;
  }

  async function schoolZone(schoolId: string): Promise<string> {
    const school = await store.getSchool(schoolId);
    if (!school) throw new NotFoundError(`unknown school ${schoolId}`);
    return school.timezone;
  }

  // -------------------------------------------------------------------------------------------
  // Compliance per college and month

  async function complianceTable(req: Request): Promise<Table> {
    const user = currentUser(req);
    let only: string | null = null;
    if (user.role === 'college_leader' && user.collegeId) only = user.collegeId;
    else if (user.role !== 'school_admin')
      throw new ForbiddenError('the compliance export is for school administrators and college leaders');
    const semester = await semesterOf(user, req.query.semester);
    const t = textFor(req);
    const c = t.complianceColumns;
    const nameEn = new Map((await store.listColleges(user.schoolId)).map((x) => [x.id, x.nameEn]));
    const rows = (await store.complianceByCollegeMonth(semester.id, now())).filter(
      (r) => only === null || r.collegeId === only,
    );
    return {
      sheet: t.complianceSheet,
      file: t.complianceFile(semester.id),
      fileAscii: exportsText.en.complianceFile(semester.id),
      columns: [
        { header: c.college, width: 24 },
        { header: c.month, width: 10 },
        ...[c.planned, c.onTime, c.late, c.open, c.overdue, c.waived, c.escalated].map((header) => ({
          header,
          width: 12,
        })),
        { header: c.rate, width: 10, numFmt: '0.0%' },
      ],
      rows: rows.map((r) => {
        const rate = completionRate(r);
        const name = req.lang === 'en' ? (nameEn.get(r.collegeId) ?? r.name) : r.name;
        return [name, r.month, r.planned, r.onTime, r.late, r.open, r.overdue, r.waived, r.escalated, rate];
      }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Task ledger

  async function ledgerTable(req: Request): Promise<Table> {
    const user = currentUser(req);
    const semester = await semesterOf(user, req.query.semester);
    const asked = typeof req.query.college === 'string' && req.query.college !== '' ? req.query.college : null;
    let collegeId: string | null;
    if (user.role === 'school_admin') collegeId = asked;
    else {
      if (!user.collegeId) throw new ForbiddenError('you belong to no college');
      if (asked) assertCollege(user, asked);
      collegeId = user.collegeId;
    }
    const colleges = await store.listColleges(user.schoolId);
    if (collegeId && !colleges.some((c) => c.id === collegeId)) throw new NotFoundError(`unknown college ${collegeId}`);

    const t = textFor(req);
    const c = t.taskColumns;
    const zone = await schoolZone(semester.schoolId);
    const when = (ms: number | null) => (ms === null ? null : formatLocal(ms, zone));
    const order = new Map(colleges.map((x, i) => [x.id, i]));
    const collegeName = new Map(colleges.map((x) => [x.id, req.lang === 'en' ? x.nameEn : x.name]));
    const userName = new Map((await store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
    const nowMs = now();
    const tasks = await store.listTaskInstances({ semesterId: semester.id, ...(collegeId ? { collegeId } : {}) });
    const holidays = (await calendarWords(store, semester.calendarId)).holidays;
    tasks.sort(
      (a, b) =>
        (order.get(a.collegeId) ?? 1e9) - (order.get(b.collegeId) ?? 1e9) ||
        a.dueAt - b.dueAt ||
        a.id.localeCompare(b.id),
    );
    return {
      sheet: t.tasksSheet,
      file: t.tasksFile(semester.id, collegeId && (collegeName.get(collegeId) ?? collegeId)),
      fileAscii: exportsText.en.tasksFile(semester.id, collegeId),
      columns: [
        { header: c.id, width: 44 },
        { header: c.college, width: 22 },
        { header: c.month, width: 10 },
        { header: c.title, width: 36 },
        { header: c.kind, width: 14 },
        { header: c.ownerRole, width: 12 },
        { header: c.openAt, width: 17 },
        { header: c.dueAt, width: 17 },
        { header: c.status, width: 10 },
        { header: c.level, width: 10 },
        { header: c.completedAt, width: 17 },
        { header: c.completedBy, width: 20 },
        { header: c.late, width: 12 },
        { header: c.note, width: 40 },
      ],
      rows: tasks.map((x) => [
        x.id,
        collegeName.get(x.collegeId) ?? x.collegeId,
        x.month,
        titleWithOccurrence(x, req.lang ?? 'zh-CN', holidays),
        t.kindNames[x.kind],
        t.roleNames[x.ownerRole],
        when(x.openAt),
        when(x.dueAt),
        t.statusNames[effectiveStatus(x, nowMs)],
        x.escalationLevel,
        when(x.completedAt),
        x.completedBy && (userName.get(x.completedBy) ?? x.completedBy),
        x.status === 'completed' ? (x.late ? t.yes : t.no) : null,
        x.waivedReason ?? x.note,
      ]),
    };
  }

  for (const format of FORMATS) {
    router.get(`/exports/compliance.${format}`, async (req, res) => sendTable(res, format, await complianceTable(req)));
    router.get(`/exports/tasks.${format}`, async (req, res) => sendTable(res, format, await ledgerTable(req)));
  }

  // -------------------------------------------------------------------------------------------
  // Calendar feed: manage

  // from the configured public address: the Host header is the client's to choose
  const feedUrl = (_req: Request, token: string) => `${deps.publicUrl.replace(/\/+$/, '')}/ics/${token}.ics`;

  interface FeedRow {
    user_id: string;
    token_hash: string;
    created_at: number;
    revoked_at: number | null;
  }
  const getFeed = async (userId: string) =>
    (await knex('calendar_feeds').where({ user_id: userId }).first()) as FeedRow | undefined;

  router.post(FEED_PATH, async (req, res) => {
    const user = currentUser(req);
    const token = crypto.randomBytes(32).toString('base64url');
    await knex('calendar_feeds')
      .insert({ user_id: user.id, token_hash: sha256(token), created_at: now(), revoked_at: null })
      .onConflict('user_id')
      .merge(['token_hash', 'created_at', 'revoked_at']);
    if (wantsJson(req)) return void res.json({ url: feedUrl(req, token) });
    // The URL is shown once, on the page this redirects to; only its hash is stored.
    res.cookie(FEED_ONCE_COOKIE, token, {
      path: FEED_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      maxAge: 5 * 60_000,
    });
    res.redirect(303, FEED_PATH);
  });

  router.post(`${FEED_PATH}/revoke`, async (req, res) => {
    const user = currentUser(req);
    const revoked = await knex('calendar_feeds')
      .where({ user_id: user.id })
      .whereNull('revoked_at')
      .update({ revoked_at: now() });
    if (wantsJson(req)) return void res.json({ revoked: revoked > 0 });
    res.redirect(303, FEED_PATH);
  });

  router.get(FEED_PATH, async (req, res) => {
    const user = currentUser(req);
    const t = textFor(req).feed;
    const feed = await getFeed(user.id);
    const zone = await schoolZone(user.schoolId);
    const day = (ms: number) => formatLocal(ms, zone);
    const once = /(?:^|;\s*)rx_feed_once=([A-Za-z0-9_-]+)/.exec(req.get('cookie') ?? '')?.[1];
    const active = feed && feed.revoked_at === null;
    const url = active && once && sha256(once) === feed.token_hash ? feedUrl(req, once) : null;
    if (once) res.clearCookie(FEED_ONCE_COOKIE, { path: FEED_PATH });
    const csrf = html`<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" />`;
    const body = html`<h1>${t.title}</h1>
      <p>${t.intro}</p>
      ${user.role === 'school_admin' ? html`<p class="muted">${t.adminIntro}</p>` : ''}
      ${
        url
          ? html`<p>
              <label>${t.url}<br /><input id="feed-url" readonly size="90" value="${url}" /></label>
            </p>`
          : html`<p>
              ${!feed ? t.none : active ? t.active(day(feed.created_at)) : t.revoked(day(feed.revoked_at ?? 0))}
            </p>`
      }
      <form method="post" action="${FEED_PATH}">${csrf}<button>${active ? t.rotate : t.create}</button></form>
      ${active ? html`<form method="post" action="${FEED_PATH}/revoke">${csrf}<button>${t.revoke}</button></form>` : ''}`;
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(page(req, { title: t.title, body }));
  });

  // -------------------------------------------------------------------------------------------
  // Calendar feed: the .ics (no session)

  router.get('/ics/:token.ics', async (req, res) => {
    const owner = (await knex('calendar_feeds as f')
      .join('users as u', 'u.id', 'f.user_id')
      .where('f.token_hash', sha256(String(req.params.token)))
      .whereNull('f.revoked_at')
      .where('u.active', true)
      .first('u.id', 'u.school_id', 'u.college_id', 'u.role', 'u.display_name')) as
      | { id: string; school_id: string; college_id: string | null; role: SessionUser['role']; display_name: string }
      | undefined;
    if (!owner) throw new NotFoundError('unknown calendar feed');

    // school admin: the school's open tasks escalated to the school (level 2); college leader: every
    // open task of the college; staff: the college's open tasks of their role. Waived ones stay in
    // the feed as CANCELLED, so a client that already shows them strikes them out.
    const tasks: TaskInstanceRow[] = [];
    for (const s of await store.listSemesters(owner.school_id)) {
      if (s.status === 'closed') continue;
      if (owner.role !== 'school_admin' && !owner.college_id) continue;
      const rows = await store.listTaskInstances({
        semesterId: s.id,
        status: [...NOT_CLOSED, 'waived'],
        ...(owner.role === 'school_admin' ? {} : { collegeId: owner.college_id ?? '' }),
      });
      tasks.push(
        ...rows.filter((t) =>
          owner.role === 'school_admin'
            ? t.escalationLevel >= 2
            : owner.role === 'college_leader' || t.ownerRole === owner.role,
        ),
      );
    }
    const zone = await schoolZone(owner.school_id);
    const collegeName = new Map((await store.listColleges(owner.school_id)).map((c) => [c.id, c.name]));
    res.set({
      'Content-Type': 'text/calendar; charset=utf-8',
      'Cache-Control': 'private, max-age=300',
      'Referrer-Policy': 'no-referrer',
    });
    res.send(icsCalendar(tasks, { who: owner.display_name, zone, collegeName, nowMs: now() }));
  });

  return router;
}

// ---------------------------------------------------------------------------------------------
// CSV and XLSX

/** Sends a table as a CSV (UTF-8 with BOM, formula-safe) or .xlsx download. */
export async function sendTable(res: Response, format: Format, table: Table): Promise<void> {
  const encode = (s: string) =>
    encodeURIComponent(s).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const ascii = `${table.fileAscii}.${format}`.replace(/[^A-Za-z0-9._-]/g, '_');
  res.set({
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encode(`${table.file}.${format}`)}`,
    'Cache-Control': 'no-store',
  });
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').send(toCsv(table));
    return;
  }
  await sendXlsx(res, table);
}

/**
 * A text a spreadsheet would evaluate: = + - @ (ASCII or full-width ＝ ＋ － ＠, which Excel and WPS
 * on Chinese systems also take for a formula), or a leading tab or CR.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/** Such a text gets a leading apostrophe, in CSV and XLSX alike. */
export const formulaSafe = (s: string): string => (FORMULA_START.test(s) ? `'${s}` : s);

function csvCell(value: Cell, numFmt?: string): string {
  if (value === null) return '';
  let s = typeof value === 'number' && numFmt === '0.0%' ? `${(value * 100).toFixed(1)}%` : String(value);
  if (typeof value === 'string') s = formulaSafe(s);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(table: Table): string {
  const header = table.columns.map((c) => csvCell(c.header)).join(',');
  const lines = table.rows.map((r) => r.map((v, i) => csvCell(v, table.columns[i]?.numFmt)).join(','));
  return `\uFEFF${[header, ...lines].join('\r\n')}\r\n`;
}

async function sendXlsx(res: Response, table: Table): Promise<void> {
  res.type(XLSX_TYPE);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true });
  try {
    const ws = wb.addWorksheet(table.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = table.columns.map((c) => ({ width: c.width }));
    const header = ws.addRow(table.columns.map((c) => c.header));
    header.font = { bold: true };
    header.commit();
    for (const values of table.rows) {
      const row = ws.addRow(values.map((v) => (typeof v === 'string' ? formulaSafe(v) : v)));
      table.columns.forEach((c, i) => {
        if (c.numFmt) row.getCell(i + 1).numFmt = c.numFmt;
      });
      row.commit();
    }
    ws.commit();
    await wb.commit();
  } catch (err) {
    // the response has started: the client can only be told by a broken download
    if (!res.headersSent) throw err;
    res.destroy(err as Error);
  }
}

// ---------------------------------------------------------------------------------------------
// iCalendar (RFC 5545)

/** UTC date-time of an instant; a stored value that is not one (see domain/dates.ts) is written as the epoch, never thrown. */
const icsTime = (ms: number) => {
  const d = Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? DateTime.fromMillis(ms, { zone: 'utc' }) : null;
  return d?.isValid ? d.toFormat("yyyyMMdd'T'HHmmss'Z'") : '19700101T000000Z';
};
const icsText = (s: string) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');

/** Folds a content line at 75 octets (continuations start with a space), never inside a character. */
function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > 75) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += n;
  }
  parts.push(current);
  return parts.join('\r\n');
}

function icsCalendar(
  tasks: TaskInstanceRow[],
  ctx: { who: string; zone: string; collegeName: Map<string, string>; nowMs: number },
): string {
  const t = exportsText['zh-CN']; // the feed has no session, hence no language: Chinese
  const stamp = icsTime(ctx.nowMs);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//runxin-duty-tracker//calendar feed//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(t.ics.calendarName(ctx.who))}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
  ];
  for (const task of tasks) {
    const summary = t.ics.summary(task.titleZh, ctx.collegeName.get(task.collegeId) ?? task.collegeId);
    const description = [
      `${t.ics.status}：${t.statusNames[effectiveStatus(task, ctx.nowMs)]}`,
      `${t.ics.owner}：${t.roleNames[task.ownerRole]}`,
      `${t.ics.due}：${formatLocal(task.dueAt, ctx.zone)}`,
      ...(task.escalationLevel > 0 ? [`${t.ics.level}：${task.escalationLevel}`] : []),
    ].join('\n');
    const cancelled = task.status === 'waived';
    lines.push(
      'BEGIN:VEVENT',
      `UID:${task.id}@${UID_DOMAIN}`,
      `DTSTAMP:${stamp}`,
      `LAST-MODIFIED:${icsTime(task.updatedAt)}`,
      `DTSTART:${icsTime(task.dueAt - 30 * 60_000)}`,
      `DTEND:${icsTime(task.dueAt)}`,
      `SUMMARY:${icsText(summary)}`,
      `DESCRIPTION:${icsText(description)}`,
      `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'TRANSP:TRANSPARENT',
      ...(cancelled
        ? []
        : [
            'BEGIN:VALARM',
            'ACTION:DISPLAY',
            `DESCRIPTION:${icsText(t.ics.alarm(task.titleZh))}`,
            'TRIGGER;RELATED=END:-P1D',
            'END:VALARM',
          ]),
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
