/**
 * /admin/checklists: every stored checklist version, each downloadable as xlsx; an xlsx upload is
 * stored as a new version (every problem by row and column, nothing stored on any).
 */
import express from 'express';
import { listTemplateVersions } from '../../../db/repositories/checklists';
import { ChecklistXlsxError } from '../../../domain/checklist-xlsx';
import { BadRequestError } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { filesOf, receiveUploads, takeFile, uploadDir, withUploads } from '../../platform/upload';
import { schoolAdmin } from '../../platform/auth/school-admin';
import { exportChecklist, importChecklist } from './use-cases';
import { checklistListPage } from './views/list';

export function createChecklistPages(deps: AppDeps): express.Router {
  const r = express.Router();
  const xlsxUpload = receiveUploads({
    dir: uploadDir(deps.evidenceDir),
    maxFileBytes: 5 * 1024 * 1024,
    maxFiles: 1,
    maxFields: 5,
    tooLarge: () => '文件太大，最大 5 MB',
  });

  r.get('/admin/checklists', schoolAdmin, async (req, res) => {
    res.send(checklistListPage(req, await listTemplateVersions(deps.knex), []));
  });

  r.get('/admin/checklists/:id/:file', schoolAdmin, async (req, res, next) => {
    const version = Number(/^v(\d{1,6})\.xlsx$/.exec(String(req.params.file))?.[1] ?? NaN);
    if (!Number.isInteger(version) || version < 1) return next(); // not vN.xlsx: another route (the editor)
    const { template, xlsx } = await exportChecklist(deps.store, String(req.params.id), version);
    res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('content-disposition', `attachment; filename="${template.id}-v${template.version}.xlsx"`);
    res.send(xlsx);
  });

  r.post(
    '/admin/checklists/import',
    schoolAdmin,
    xlsxUpload,
    withUploads(async (req, res) => {
      const file = filesOf(req)[0];
      if (!file) throw new BadRequestError('choose an xlsx file');
      try {
        const stored = await importChecklist(deps.store, await takeFile(req, file));
        res.redirect(303, `/admin/checklists?done=${encodeURIComponent(`${stored.id} v${stored.version}`)}`);
      } catch (e) {
        if (!(e instanceof ChecklistXlsxError)) throw e;
        // every problem on the page itself (a long list does not fit in a redirect's URL)
        res.status(400).send(checklistListPage(req, await listTemplateVersions(deps.knex), e.problems));
      }
    }),
  );

  return r;
}
