/**
 * Screening follow-up over HTTP: import warnings (CSV, all rows or none), list them (own college;
 * the school admin all), and record an interview through the follow-up workflow's Update.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { InterviewRecord } from '../../../contracts';
import { currentUser, requireCareRole } from '../../platform/auth/context';
import { requestDeps, type AppDeps } from '../../platform/deps';
import { filesOf, receiveUploads, takeFile, uploadDir, withUploads } from '../../platform/upload';
import { importWarnings, listWarnings, recordInterview } from './use-cases';

export const MAX_CSV_BYTES = 10 * 1024 * 1024;

/** Sign-in and role before any of the body is read (the CSRF token was checked by then). */
export const careStaff = (req: Request, _res: Response, next: NextFunction) => {
  requireCareRole(currentUser(req));
  next();
};

/** One CSV file, at most 10 MB, received under the upload directory. */
export const csvUpload = (deps: AppDeps) =>
  receiveUploads({ dir: uploadDir(deps.evidenceDir), maxFileBytes: MAX_CSV_BYTES, maxFiles: 1, maxFields: 5 });

export const screeningDeps = requestDeps;

/** The uploaded CSV (the form's field "file") with its file name; null when none was attached. */
export async function uploadedCsv(req: Request): Promise<{ bytes: Buffer; name: string } | null> {
  const file = filesOf(req).find((f) => f.fieldname === 'file');
  return file ? { bytes: await takeFile(req, file), name: file.originalname } : null;
}

export function createScreeningRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  r.post(
    '/api/screening/imports',
    careStaff,
    csvUpload(deps),
    withUploads(async (req, res) => {
      const csv = await uploadedCsv(req);
      if (!csv) return void res.status(400).json({ error: 'attach the CSV file as the field "file"' });
      const result = await importWarnings(screeningDeps(deps), currentUser(req), csv.bytes, csv.name);
      res.status(result.duplicate ? 200 : 201).json(result);
    }),
  );

  /** Warnings without student names (opaque ids); the names are shown where care staff act on them. */
  r.get('/api/screening/warnings', async (req, res) => {
    res.json({ warnings: await listWarnings(deps, currentUser(req), req.query) });
  });

  r.post('/api/screening/warnings/:id/interview', async (req, res) => {
    const user = currentUser(req);
    const record = ((req.body ?? {}) as { record?: InterviewRecord }).record ?? ({} as InterviewRecord);
    res.json({
      state: await recordInterview({ client: deps.client, knex: deps.knex }, user, String(req.params.id), record),
    });
  });

  return r;
}
