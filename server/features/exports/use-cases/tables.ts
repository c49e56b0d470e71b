/**
 * The exports' tables: compliance per college and month (school admin: every college; college
 * leader: their own; anyone else 403), and the task ledger (school admin: every college or the one
 * asked for; everyone else: their own college only).
 */
import type { Semester, Store, TaskInstanceRow, TaskStatus } from '../../../../db/store';
import { completionRate } from '../../../../domain/compliance';
import { formatLocal } from '../../../../domain/local-time';
import { assertCollege, BadRequestError, ForbiddenError, type SessionUser } from '../../../platform/auth/context';
import { t as texts } from '../../../platform/i18n';
import { calendarWords, titleWithOccurrence } from '../../../platform/views/words';
import { NotFoundError } from '../../semesters/use-cases';
import type { Table } from '../../../platform/table-files';

/** What a table is asked for: the query's semester (and college), the language, the clock. */
export interface TableAsk {
  semester: unknown;
  college?: unknown;
  lang: 'zh-CN' | 'en';
  now: number;
}

/** 'planned'/'open' past its due instant counts as overdue, as in complianceByCollegeMonth. */
export function effectiveStatus(t: TaskInstanceRow, nowMs: number): TaskStatus {
  return (t.status === 'planned' || t.status === 'open') && t.dueAt <= nowMs ? 'overdue' : t.status;
}

export async function semesterOf(store: Store, user: SessionUser, id: unknown): Promise<Semester> {
  if (typeof id !== 'string' || id === '') throw new BadRequestError('name the semester: ?semester=ID');
  const semester = await store.getSemester(id);
  if (!semester || semester.schoolId !== user.schoolId) throw new NotFoundError(`unknown semester ${id}`);
  return semester;
}

export async function schoolZone(store: Store, schoolId: string): Promise<string> {
  const school = await store.getSchool(schoolId);
  if (!school) throw new NotFoundError(`unknown school ${schoolId}`);
  return school.timezone;
}

export async function complianceTable(store: Store, user: SessionUser, ask: TableAsk): Promise<Table> {
  let only: string | null = null;
  if (user.role === 'college_leader' && user.collegeId) only = user.collegeId;
  else if (user.role !== 'school_admin')
    throw new ForbiddenError('the compliance export is for school administrators and college leaders');
  const semester = await semesterOf(store, user, ask.semester);
  const t = texts(ask.lang).exports;
  const c = t.complianceColumns;
  const nameEn = new Map((await store.listColleges(user.schoolId)).map((x) => [x.id, x.nameEn]));
  const rows = (await store.complianceByCollegeMonth(semester.id, ask.now)).filter(
    (r) => only === null || r.collegeId === only,
  );
  return {
    sheet: t.complianceSheet,
    file: t.complianceFile(semester.id),
    fileAscii: texts('en').exports.complianceFile(semester.id),
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
      const name = ask.lang === 'en' ? (nameEn.get(r.collegeId) ?? r.name) : r.name;
      return [name, r.month, r.planned, r.onTime, r.late, r.open, r.overdue, r.waived, r.escalated, rate];
    }),
  };
}

export async function ledgerTable(store: Store, user: SessionUser, ask: TableAsk): Promise<Table> {
  const semester = await semesterOf(store, user, ask.semester);
  const asked = typeof ask.college === 'string' && ask.college !== '' ? ask.college : null;
  let collegeId: string | null;
  if (user.role === 'school_admin') collegeId = asked;
  else {
    if (!user.collegeId) throw new ForbiddenError('you belong to no college');
    if (asked) assertCollege(user, asked);
    collegeId = user.collegeId;
  }
  const colleges = await store.listColleges(user.schoolId);
  if (collegeId && !colleges.some((c) => c.id === collegeId)) throw new NotFoundError(`unknown college ${collegeId}`);

  const t = texts(ask.lang).exports;
  const c = t.taskColumns;
  const zone = await schoolZone(store, semester.schoolId);
  const when = (ms: number | null) => (ms === null ? null : formatLocal(ms, zone));
  const order = new Map(colleges.map((x, i) => [x.id, i]));
  const collegeName = new Map(colleges.map((x) => [x.id, ask.lang === 'en' ? x.nameEn : x.name]));
  const userName = new Map((await store.listUsers({ schoolId: user.schoolId })).map((u) => [u.id, u.displayName]));
  const nowMs = ask.now;
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
    fileAscii: texts('en').exports.tasksFile(semester.id, collegeId),
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
      titleWithOccurrence(x, ask.lang, holidays),
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
