/**
 * Helpers shared by the routers: the semester in view, the school's zone, time formatting in it,
 * and the task a user may see (the words of the request's language: `text(req)` of ./i18n).
 */
import type { Request } from 'express';
import type { Semester, TaskInstanceRow } from '../../db/store';
import { ForbiddenError, type SessionUser } from './auth/context';
import type { AppDeps } from './deps';
import { NotFoundError } from './errors';

import { formatLocal } from '../../domain/local-time';

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
