/**
 * The archive pages: the list (search by student number), one student's archive with its
 * hand-edit form (a refused save shows every problem with the values kept), its printable version
 * (the hand-over export as a page the browser saves as a PDF), the monthly review,
 * the student's leaving, and the counselling centre's audit log of the archives, register of data
 * requests and retention settings.
 */
import express, { type Request } from 'express';
import { BadRequestError, currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { formBody } from '../../platform/forms';
import { schoolZone } from '../../platform/request';
import { archiveDeps } from './api';
import {
  ArchiveFieldsError,
  answerDataRequest,
  archiveAuditLog,
  archiveSettingsForCentre,
  changeArchiveSettings,
  closeArchive,
  listDataRequests,
  recordDataRequest,
  editArchive,
  listArchives,
  printArchive,
  readArchive,
  reviewArchive,
} from './use-cases';
import { ARCHIVE_FIELD_KEYS } from '../../../domain/archive';
import { renderArchive } from './views/archive';
import { renderArchivePrint } from './views/print';
import { renderArchiveAudit, renderArchiveList } from './views/lists';
import { renderArchiveSettings, renderDataRequests } from './views/requests';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** The form's fields as the use case takes them (the life events' rows as one list). */
export function fieldsFromForm(b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ARCHIVE_FIELD_KEYS) if (k !== 'lifeEvents' && k in b) out[k] = b[k];
  const dates = list(b.eventDate);
  const texts = list(b.eventText);
  if (dates.length || texts.length)
    out.lifeEvents = texts.map((text, i) => ({ date: dates[i] ?? '', text })).filter((e) => e.date || e.text);
  return out;
}

export function createArchivePagesRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  const id = (req: Request) => String(req.params.studentId);
  const names = async () =>
    new Map((await deps.store.listUsers({ schoolId: deps.schoolId })).map((u) => [u.id, u.displayName]));

  r.get('/archives', async (req, res) => {
    const studentNo = typeof req.query.studentNo === 'string' ? req.query.studentNo : '';
    res.send(renderArchiveList(req, await listArchives(archiveDeps(deps), currentUser(req), { studentNo }), studentNo));
  });
  r.get('/archives/:studentId', async (req, res) => {
    const view = await readArchive(archiveDeps(deps), currentUser(req), id(req));
    res.send(renderArchive(req, view, { zone: await schoolZone(deps), names: await names() }));
  });
  // the hand-over export as a printable page (Print → Save as PDF): the .docx export's rule and audit
  r.get('/archives/:studentId/print', async (req, res) => {
    const lang = req.lang ?? 'zh-CN';
    const printed = await printArchive(archiveDeps(deps), currentUser(req), id(req), lang, await schoolZone(deps));
    res.set('Cache-Control', 'no-store').send(renderArchivePrint(req, printed));
  });
  r.post('/archives/:studentId', async (req, res) => {
    const user = currentUser(req);
    const b = formBody(req);
    try {
      await editArchive(archiveDeps(deps), user, id(req), fieldsFromForm(b));
    } catch (e) {
      if (!(e instanceof ArchiveFieldsError)) throw e;
      const view = await readArchive(archiveDeps(deps), user, id(req));
      const opts = { zone: await schoolZone(deps), names: await names(), submitted: b, problems: e.problems };
      return void res.status(400).send(renderArchive(req, view, opts));
    }
    res.redirect(303, `/archives/${encodeURIComponent(id(req))}?done=1`);
  });
  r.post('/archives/:studentId/review', async (req, res) => {
    await reviewArchive(archiveDeps(deps), currentUser(req), id(req));
    res.redirect(303, `/archives/${encodeURIComponent(id(req))}?done=1#reviews`);
  });
  r.post('/archives/:studentId/left', async (req, res) => {
    await closeArchive(archiveDeps(deps), currentUser(req), id(req), formBody(req));
    res.redirect(303, `/archives/${encodeURIComponent(id(req))}?done=1`);
  });
  r.get('/admin/archive-audit', async (req, res) => {
    const zone = await schoolZone(deps);
    const q = Object.fromEntries(
      ['studentId', 'actor', 'action', 'from', 'to', 'page'].map((k) => [
        k,
        typeof req.query[k] === 'string' ? String(req.query[k]) : '',
      ]),
    );
    res.send(renderArchiveAudit(req, await archiveAuditLog(archiveDeps(deps), currentUser(req), q, zone), q, zone));
  });
  // the counselling centre's: the data requests' register (PIPL Art. 44–47) and the retention settings
  r.get('/admin/data-requests', async (req, res) => {
    const d = archiveDeps(deps);
    res.send(
      renderDataRequests(req, await listDataRequests(d, currentUser(req)), {
        zone: await schoolZone(deps),
        now: d.now,
      }),
    );
  });
  r.post('/admin/data-requests', async (req, res) => {
    const d = archiveDeps(deps);
    const b = formBody(req);
    try {
      await recordDataRequest(d, currentUser(req), b);
    } catch (e) {
      if (!(e instanceof BadRequestError)) throw e;
      const rows = await listDataRequests(d, currentUser(req));
      const opts = { zone: await schoolZone(deps), now: d.now, submitted: b, problem: e.message };
      return void res.status(400).send(renderDataRequests(req, rows, opts));
    }
    res.redirect(303, '/admin/data-requests?done=1');
  });
  r.post('/admin/data-requests/:requestId/answer', async (req, res) => {
    await answerDataRequest(archiveDeps(deps), currentUser(req), String(req.params.requestId), formBody(req).answer);
    res.redirect(303, '/admin/data-requests?done=1');
  });
  r.get('/admin/archive-settings', async (req, res) => {
    res.send(renderArchiveSettings(req, await archiveSettingsForCentre(archiveDeps(deps), currentUser(req))));
  });
  r.post('/admin/archive-settings', async (req, res) => {
    const b = formBody(req);
    const whole = (x: unknown) => (typeof x === 'string' && /^-?\d+$/.test(x.trim()) ? Number(x) : x);
    try {
      await changeArchiveSettings(archiveDeps(deps), currentUser(req), {
        retentionDays: whole(b.retentionDays),
        dataRequestDays: whole(b.dataRequestDays),
      });
    } catch (e) {
      if (!(e instanceof BadRequestError)) throw e;
      const s = await archiveSettingsForCentre(archiveDeps(deps), currentUser(req));
      return void res.status(400).send(renderArchiveSettings(req, s, { submitted: b, problem: e.message }));
    }
    res.redirect(303, '/admin/archive-settings?done=1');
  });
  return r;
}
