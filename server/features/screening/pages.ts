/**
 * The screening-import page (issue 14): upload a CSV of screening warnings → a preview of its rows
 * (or every row's problem, in words, and nothing kept) → confirm, which imports it through the
 * same use case as POST /api/screening/imports (use-cases.ts: all rows or none, one follow-up
 * workflow per warning). Between preview and confirm the file waits (use-cases/pending.ts).
 */
import path from 'node:path';
import express from 'express';
import { BadRequestError, currentUser } from '../../platform/auth/context';
import { ImportError } from '../../platform/csv';
import type { AppDeps } from '../../platform/deps';
import { html } from '../../platform/html';
import { text } from '../../platform/i18n';
import { page } from '../../platform/layout';
import { uploadDir, withUploads } from '../../platform/upload';
import { careStaff, csvUpload, screeningDeps, uploadedCsv } from './api';
import { importWarnings, pendingImports, previewWarnings, type WarningRow } from './use-cases';
import { doneBody, expiredBody, previewBody, problemsBody, uploadForm } from './views/import';

export function createScreeningPagesRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const now = () => (deps.now ?? Date.now)();
  const pending = pendingImports(path.join(uploadDir(deps.evidenceDir), 'screening-preview'), now);

  r.get('/screening', careStaff, (req, res) => {
    const w = text(req).screening;
    const body = html`<h1>${w.title}</h1>
      ${uploadForm(req, currentUser(req).role)}`;
    res.send(page(req, { title: w.title, body }));
  });

  r.post(
    '/screening/preview',
    careStaff,
    csvUpload(deps),
    withUploads(async (req, res) => {
      const user = currentUser(req);
      const w = text(req).screening;
      const problemsPage = (problems: string[]) =>
        void res.status(400).send(page(req, { title: w.title, body: problemsBody(req, user.role, problems, true) }));
      const csv = await uploadedCsv(req);
      if (!csv) return problemsPage([w.noFile]);
      const { bytes } = csv;
      let preview: { rows: WarningRow[]; duplicate: boolean };
      try {
        preview = await previewWarnings({ knex: deps.knex, store: deps.store }, user, bytes);
      } catch (e) {
        if (e instanceof ImportError) return problemsPage(e.problems);
        if (e instanceof BadRequestError) return problemsPage([e.message]);
        throw e;
      }
      const token = await pending.keep(user, bytes, csv.name);
      const en = req.lang === 'en';
      const colleges = new Map(
        (await deps.store.listColleges(user.schoolId)).map((c) => [c.id, en ? c.nameEn : c.name]),
      );
      res.send(page(req, { title: w.previewTitle, body: previewBody(req, preview, token, colleges) }));
    }),
  );

  r.post('/screening/confirm', careStaff, async (req, res) => {
    const user = currentUser(req);
    const w = text(req).screening;
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const file = await pending.take(user, token);
    if (!file) return void res.status(410).send(page(req, { title: w.title, body: expiredBody(req, user.role) }));
    let result;
    try {
      result = await importWarnings(screeningDeps(deps), user, file.bytes, file.name);
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      return void res
        .status(400)
        .send(page(req, { title: w.title, body: problemsBody(req, user.role, e.problems, false) }));
    }
    await pending.drop(token);
    res.send(page(req, { title: w.doneTitle, body: doneBody(req, result) }));
  });

  return r;
}
