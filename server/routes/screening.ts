/**
 * Screening follow-up over HTTP: import warnings (CSV, all rows or none), list them (own college;
 * the school admin all), and record an interview through the follow-up workflow's Update.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { currentUser, requireCareRole } from '../auth/context';
import type { AppDeps } from '../deps';
import { importWarnings, recordInterview } from '../screening';
import type { InterviewRecord } from '../../workflows/screening-follow-up';
import { filesOf, receiveUploads, takeFile, uploadDir, withUploads } from '../upload';

const MAX_CSV_BYTES = 10 * 1024 * 1024;

export function createScreeningRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();

  /** sign-in and role before any of the body is read (the CSRF token was checked by then) */
  const careStaff = (req: Request, _res: Response, next: NextFunction) => {
    requireCareRole(currentUser(req));
    next();
  };
  const upload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: MAX_CSV_BYTES,
    maxFiles: 1,
    maxFields: 5,
  });

  r.post(
    '/api/screening/imports',
    careStaff,
    upload,
    withUploads(async (req, res) => {
      const user = currentUser(req);
      const file = filesOf(req).find((f) => f.fieldname === 'file');
      if (!file) return void res.status(400).json({ error: 'attach the CSV file as the field "file"' });
      const bytes = await takeFile(req, file);
      const result = await importWarnings(
        { knex: deps.knex, store: deps.store, client: deps.client, taskQueue: deps.taskQueue, now: now() },
        user,
        bytes,
        file.originalname,
      );
      res.status(result.duplicate ? 200 : 201).json(result);
    }),
  );

  /** Warnings without student names (opaque ids); the names are shown where care staff act on them. */
  r.get('/api/screening/warnings', async (req, res) => {
    const user = currentUser(req);
    requireCareRole(user);
    const q = deps
      .knex('screening_warnings')
      .select(
        'id',
        'college_id as collegeId',
        'level',
        'status',
        'escalation_level as escalationLevel',
        'interview_due_at as interviewDueAt',
        'interviewed_at as interviewedAt',
      )
      .orderBy('interview_due_at');
    if (user.role !== 'school_admin') q.where({ college_id: user.collegeId });
    else if (typeof req.query.college === 'string') q.where({ college_id: req.query.college });
    if (typeof req.query.status === 'string') q.where({ status: req.query.status });
    res.json({
      warnings: (await q).map((w: Record<string, unknown>) => ({
        ...w,
        interviewDueAt: Number(w.interviewDueAt),
        interviewedAt: w.interviewedAt == null ? null : Number(w.interviewedAt),
      })),
    });
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
