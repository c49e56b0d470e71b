/**
 * The student archive over the JSON API and its .docx export: read (audited), change the
 * hand-written fields (versioned), the monthly review, the student's leaving, the archive audit log,
 * the retention settings and the data requests' register (counselling centre). Rules in use-cases.ts.
 */
import express, { type Request } from 'express';
import { DEFAULT_ARCHIVE_SETTINGS } from '../../../domain/archive';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { once } from '../../platform/idempotency';
import { schoolZone } from '../../platform/request';
import type { DataRequestListRow } from '../../../db/repositories/archive-requests';
import {
  answerDataRequest,
  archiveAuditLog,
  changeArchiveSettings,
  closeArchive,
  editArchive,
  exportArchiveDocx,
  listArchives,
  listDataRequests,
  readArchive,
  recordDataRequest,
  readArchiveSettings,
  reviewArchive,
  type ArchiveDeps,
} from './use-cases';

/** The archive use cases' dependencies, at the request's instant. */
export function archiveDeps({ knex, store, client, taskQueue, now }: AppDeps): ArchiveDeps {
  return { knex, store, client, taskQueue, now: (now ?? Date.now)() };
}

/** A data request as the API shows it (the register's row: the student by number and name, for the counselling centre). */
const dataRequestJson = (r: DataRequestListRow) => ({
  id: r.id,
  studentId: r.student_id,
  studentNo: r.student_no,
  name: r.name,
  collegeId: r.college_id,
  kind: r.kind,
  request: r.request,
  receivedBy: r.received_by,
  receivedAt: Number(r.received_at),
  dueAt: Number(r.due_at),
  status: r.status,
  escalationLevel: Number(r.escalation_level),
  answer: r.answer,
  answeredBy: r.answered_by,
  answeredAt: r.answered_at === null ? null : Number(r.answered_at),
});

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
  // the data requests' register (PIPL Art. 44–47), the counselling centre's, as on /admin/data-requests
  r.get('/api/data-requests', async (req, res) => {
    res.json({ requests: (await listDataRequests(archiveDeps(deps), currentUser(req))).map(dataRequestJson) });
  });
  r.post(
    '/api/data-requests',
    write(201, (ad, req) => recordDataRequest(ad, currentUser(req), body(req))),
  );
  r.post(
    '/api/data-requests/:requestId/answer',
    write(200, (ad, req) => answerDataRequest(ad, currentUser(req), String(req.params.requestId), body(req).answer)),
  );
  return r;
}
