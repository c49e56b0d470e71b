/**
 * The downloads: /exports/compliance.{csv,xlsx}?semester=ID and /exports/tasks.{csv,xlsx}?semester=ID[&college=ID],
 * and /ics/:token.ics, the calendar feed itself, without a session: the token is the credential.
 */
import express, { type Request } from 'express';
import { currentUser } from '../../platform/auth/context';
import type { AppDeps } from '../../platform/deps';
import { complianceTable, feedOf, ledgerTable, type TableAsk } from './use-cases';
import { icsCalendar } from './views/ics';
import { FORMATS, sendTable } from '../../platform/table-files';

export function createExportsApi(deps: AppDeps): express.Router {
  const { store, knex } = deps;
  const now = deps.now ?? Date.now;
  const router = express.Router();
  const ask = (req: Request): TableAsk => ({
    semester: req.query.semester,
    college: req.query.college,
    lang: req.lang === 'en' ? 'en' : 'zh-CN',
    now: now(),
  });

  for (const format of FORMATS) {
    router.get(`/exports/compliance.${format}`, async (req, res) =>
      sendTable(res, format, await complianceTable(store, currentUser(req), ask(req))),
    );
    router.get(`/exports/tasks.${format}`, async (req, res) =>
      sendTable(res, format, await ledgerTable(store, currentUser(req), ask(req))),
    );
  }

  router.get('/ics/:token.ics', async (req, res) => {
    const { owner, tasks, zone, collegeName } = await feedOf(knex, store, String(req.params.token));
    res.set({
      'Content-Type': 'text/calendar; charset=utf-8',
      'Cache-Control': 'private, max-age=300',
      'Referrer-Policy': 'no-referrer',
    });
    res.send(icsCalendar(tasks, { who: owner.display_name, zone, collegeName, nowMs: now() }));
  });

  return router;
}
