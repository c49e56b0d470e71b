/**
 * The student archive over the JSON API and its .docx export: read (audited), change the
 * hand-written fields (versioned), the monthly review, the student's leaving, the archive audit log
 * and the retention settings (counselling centre). Rules in use-cases.ts.
 */
import express, { type Request } from 'express';
import { DEFAULT_ARCHIVE_SETTINGS } from '../../../domain/archive';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { once } from '../../platform/idempotency';
import { schoolZone } from '../../platform/request';
import {
  archiveAuditLog,
  changeArchiveSettings,
  closeArchive,
  editArchive,
  exportArchiveDocx,
  listArchives,
  readArchive,
  readArchiveSettings,
  reviewArchive,
  type ArchiveDeps,
} from './use-cases';

/** The archive use cases' dependencies, at the request's instant. */
export function archiveDeps({ knex, store, client, taskQueue, now }: AppDeps): ArchiveDeps {
  return { knex, store, client, taskQueue, now: (now ?? Date.now)() };
}

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
const id = (req: Request) => String(req.params.studentId);

export function createArchiveApiRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const write =
    (status: number, call: (ad: ArchiveDeps, req: Request) => Promise<unknown>) =>
    async (req: Request, res: express.Response) => {
      const out = await once(deps.knex, req, status, () => call(archiveDeps(deps), req));
      res.status(out.status).json(out.body);
    };

  r.get('/api/archives', async (req, res) => {
    res.json({ archives: await listArchives(archiveDeps(deps), currentUser(req), { studentNo: req.query.studentNo }) });
  });
  r.get('/api/archives/:studentId', async (req, res) => {
    res.json(await readArchive(archiveDeps(deps), currentUser(req), id(req)));
  });
  r.patch(
    '/api/archives/:studentId',
    write(200, (ad, req) =>
      editArchive(ad, currentUser(req), id(req), (body(req).fields ?? {}) as Record<string, unknown>),
    ),
  );
  r.post(
    '/api/archives/:studentId/reviews',
    write(201, (ad, req) => reviewArchive(ad, currentUser(req), id(req))),
  );
  r.post(
    '/api/archives/:studentId/left',
    write(200, (ad, req) => closeArchive(ad, currentUser(req), id(req), body(req))),
  );
  r.get('/exports/archives/:studentId.docx', async (req, res) => {
    const { file, fileName } = await exportArchiveDocx(
      archiveDeps(deps),
      currentUser(req),
      id(req),
      req.lang ?? 'zh-CN',
      await schoolZone(deps),
    );
    res
      .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .set(
        'Content-Disposition',
        `attachment; filename="archive.docx"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      )
      .set('Cache-Control', 'no-store')
      .send(file);
  });
  r.get('/api/archive-audit', async (req, res) => {
    res.json({ events: await archiveAuditLog(archiveDeps(deps), currentUser(req), req.query, await schoolZone(deps)) });
  });
  r.get('/api/archive/settings', async (req, res) => {
    currentUser(req);
    res.json({ settings: await readArchiveSettings(deps, deps.schoolId), defaults: DEFAULT_ARCHIVE_SETTINGS });
  });
  r.put('/api/archive/settings', async (req, res) => {
    res.json({ settings: await changeArchiveSettings(archiveDeps(deps), currentUser(req), body(req)) });
  });
  return r;
}
