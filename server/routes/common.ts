/**
 * Helpers shared by the routers: the semester in view, time formatting in the school's zone,
 * the parsed template of a semester (cached by id and version).
 */
import type { Request } from 'express';
import type { Semester, Store, TaskInstanceRow } from '../../db/store';
import { parseCalendar } from '../../domain/load';
import { keyCareMonths } from '../../domain/planner';
import { ForbiddenError, type SessionUser } from '../platform/auth/context';
import type { AppDeps } from '../deps';
import { MESSAGES } from '../messages';
import { templateOf, templateTaskOf } from '../features/semesters/use-cases/setup';
import { NotFoundError } from '../platform/errors';

export { templateOf, templateTaskOf };
import { formatLocal } from '../../domain/local-time';

export const t = (req: Request) => MESSAGES[req.lang ?? 'zh-CN'];

/** ?semester=ID, else the school's latest started semester, else its latest; 404 for another school's. */
export async function semesterInView(deps: AppDeps, req: Request): Promise<Semester | null> {
  const id = typeof req.query.semester === 'string' ? req.query.semester : undefined;
  if (id) {
    const s = await deps.store.getSemester(id);
    if (!s || s.schoolId !== deps.schoolId) throw new NotFoundError(`unknown semester ${id}`);
    return s;
  }
  const all = await deps.store.listSemesters(deps.schoolId);
  return all.find((s) => s.status !== 'planned') ?? all[0] ?? null;
}

/** The key-care groups of the semester's checklist, each under the month (YYYY-MM) it has in the semester's calendar. */
export async function keyCareMonthsOf(store: Store, semester: Semester): Promise<ReturnType<typeof keyCareMonths>> {
  const row = await store.getCalendar(semester.calendarId);
  if (!row) throw new NotFoundError(`calendar ${semester.calendarId} is missing`);
  return keyCareMonths(await templateOf(store, semester), parseCalendar(`calendar ${row.id}`, row.body));
}

let zoneCache: { schoolId: string; zone: string } | undefined;
export async function schoolZone(deps: AppDeps): Promise<string> {
  if (zoneCache?.schoolId === deps.schoolId) return zoneCache.zone;
  const school = await deps.store.getSchool(deps.schoolId);
  const zone = school?.timezone ?? 'Asia/Shanghai';
  zoneCache = { schoolId: deps.schoolId, zone };
  return zone;
}

export const fmt = (ms: number | null | undefined, zone: string) => (ms == null ? '' : formatLocal(ms, zone));

/** A task the user may see (their college, or any for the school admin); 404 when unknown, 403 when another college's. */
export async function visibleTask(deps: AppDeps, user: SessionUser, taskId: string): Promise<TaskInstanceRow> {
  const row = await deps.store.getTaskInstance(taskId);
  if (!row) throw new NotFoundError(`unknown task ${taskId}`);
  const college = await deps.store.getCollege(row.collegeId);
  if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown task ${taskId}`);
  if (user.role !== 'school_admin' && user.collegeId !== row.collegeId)
    throw new ForbiddenError('this task belongs to another college');
  return row;
}

export const isClosed = (r: TaskInstanceRow) => r.status === 'completed' || r.status === 'waived';

export function queryString(req: Request, key: string): string | undefined {
  const v = req.query[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
