/** The semester form's fields and files, as createSemesterFromForm asks them. */
import type { Request, Response } from 'express';
import { schoolAdminOrToken } from '../../platform/auth/school-admin';
import { filesOf, receiveUploads, takeFile, uploadDir, withUploads } from '../../platform/upload';
import type { AppDeps } from '../../platform/deps';
import { createSemesterFromForm, type NewSemesterAsk } from './use-cases';

/** template and calendar files, received only after the admin check has passed */
export const semesterUpload = (deps: AppDeps) =>
  receiveUploads({ dir: uploadDir(deps.evidenceDir), maxFileBytes: 1024 * 1024, maxFiles: 2, maxFields: 10 });

export async function newSemesterAsk(req: Request): Promise<NewSemesterAsk> {
  const files = Object.fromEntries(
    await Promise.all(
      filesOf(req).map(
        async (f) => [f.fieldname, { originalname: f.originalname, buffer: await takeFile(req, f) }] as const,
      ),
    ),
  );
  return {
    id: String(req.body?.id ?? ''),
    templateId: String(req.body?.templateId ?? ''),
    templateVersion: Number(req.body?.templateVersion ?? 0) || undefined,
    calendarId: String(req.body?.calendarId ?? ''),
    taskModel:
      typeof req.body?.taskModel === 'string' && req.body.taskModel !== '' ? String(req.body.taskModel) : undefined,
    files,
  };
}

/**
 * A POST creating a semester from the form and its files (the API's and the page's): the school
 * admin (or the API token) only, the files received, the semester created; `answer` responds with its id.
 */
export const newSemesterHandlers = (deps: AppDeps, answer: (res: Response, id: string) => void) =>
  [
    schoolAdminOrToken(deps),
    semesterUpload(deps),
    withUploads(async (req, res) =>
      answer(res, await createSemesterFromForm(deps.store, deps.schoolId, await newSemesterAsk(req))),
    ),
  ] as const;
