/**
 * Student care over the JSON API: the school's care settings (school admin), the key-care list,
 * the intervention ledger (and its .xlsx/.csv export in appendix 4's column order) and pairings,
 * per college. Care staff of the college and the counselling centre only; every read and export of
 * student data is audited (server/care.ts).
 */
import express, { type Request } from 'express';
import { DEFAULT_CARE_SETTINGS, LEDGER_COLUMNS } from '../../domain/care';
import { BadRequestError, currentUser } from '../auth/context';
import {
  addFollowUp,
  addKeyCare,
  addLedgerEntry,
  assignPairing,
  changeCareSettings,
  endPairing,
  ledgerExportRows,
  listKeyCare,
  listLedger,
  listPairings,
  readCareSettings,
  recordPairingTalk,
  removeKeyCare,
  updateKeyCare,
  updateLedgerEntry,
  type CareDeps,
} from '../care';
import type { AppDeps } from '../deps';
import { sendTable } from '../exports';
import { NotFoundError } from '../semesters';
import { schoolZone } from './common';
import { once } from '../idempotency';

export function careDeps(deps: AppDeps): CareDeps {
  return {
    knex: deps.knex,
    store: deps.store,
    client: deps.client,
    taskQueue: deps.taskQueue,
    now: (deps.now ?? Date.now)(),
  };
}

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
const param = (req: Request, k: string) => String(req.params[k]);
/** A write's response, first or stored (server/idempotency.ts): 204 without a body. */
const send = (res: express.Response, r: { status: number; body: unknown }) =>
  void (r.status === 204 ? res.status(204).end() : res.status(r.status).json(r.body));

export function createCareRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  // the school's care settings: the durations of the crisis, screening and pairing procedures
  r.get('/api/care/settings', async (req, res) => {
    res.json({ settings: await readCareSettings(careDeps(deps), currentUser(req)), defaults: DEFAULT_CARE_SETTINGS });
  });
  r.put('/api/care/settings', async (req, res) => {
    const result = await changeCareSettings(careDeps(deps), currentUser(req), body(req).settings);
    if (result.problems) throw new BadRequestError(`invalid care settings: ${result.problems.join('; ')}`);
    res.json({ settings: result.settings });
  });

  // the key-care list
  r.get('/api/colleges/:collegeId/key-care', async (req, res) => {
    res.json({ entries: await listKeyCare(careDeps(deps), currentUser(req), param(req, 'collegeId')) });
  });
  r.post('/api/colleges/:collegeId/key-care', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 201, () =>
        addKeyCare(careDeps(deps), currentUser(req), param(req, 'collegeId'), body(req)),
      ),
    );
  });
  r.patch('/api/key-care/:id', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 204, () =>
        updateKeyCare(careDeps(deps), currentUser(req), param(req, 'id'), body(req)),
      ),
    );
  });
  r.post('/api/key-care/:id/remove', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 204, () =>
        removeKeyCare(careDeps(deps), currentUser(req), param(req, 'id'), body(req).reason),
      ),
    );
  });

  // the intervention ledger
  r.get('/api/colleges/:collegeId/ledger', async (req, res) => {
    res.json({ entries: await listLedger(careDeps(deps), currentUser(req), param(req, 'collegeId')) });
  });
  r.post('/api/colleges/:collegeId/ledger', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 201, () =>
        addLedgerEntry(careDeps(deps), currentUser(req), param(req, 'collegeId'), body(req)),
      ),
    );
  });
  r.patch('/api/ledger/:id', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 204, () =>
        updateLedgerEntry(careDeps(deps), currentUser(req), param(req, 'id'), body(req)),
      ),
    );
  });
  r.post('/api/ledger/:id/follow-ups', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 201, () => addFollowUp(careDeps(deps), currentUser(req), param(req, 'id'), body(req))),
    );
  });
  const ledgerExport = (format: 'csv' | 'xlsx') => async (req: Request, res: express.Response) => {
    const user = currentUser(req);
    const collegeId = typeof req.query.college === 'string' && req.query.college ? req.query.college : user.collegeId;
    if (!collegeId) throw new BadRequestError('name the college: ?college=<id>');
    const college = await deps.store.getCollege(collegeId);
    if (!college || college.schoolId !== user.schoolId) throw new NotFoundError(`unknown college ${collegeId}`);
    const rows = await ledgerExportRows(careDeps(deps), user, collegeId, await schoolZone(deps));
    const title = `${college.name}重点、高危学生心理干预台账`;
    await sendTable(res, format, {
      sheet: '心理干预台账',
      file: title,
      fileAscii: `ledger-${collegeId}`,
      columns: LEDGER_COLUMNS.map((c) => ({ header: c.zh, width: c.width })),
      rows,
    });
  };
  r.get('/exports/ledger.xlsx', ledgerExport('xlsx'));
  r.get('/exports/ledger.csv', ledgerExport('csv'));

  // pairings
  r.get('/api/colleges/:collegeId/pairings', async (req, res) => {
    res.json({ pairings: await listPairings(careDeps(deps), currentUser(req), param(req, 'collegeId')) });
  });
  r.post('/api/colleges/:collegeId/pairings', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 201, () =>
        assignPairing(careDeps(deps), currentUser(req), param(req, 'collegeId'), body(req)),
      ),
    );
  });
  r.post('/api/pairings/:id/talks', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 200, () =>
        recordPairingTalk(careDeps(deps), currentUser(req), param(req, 'id'), body(req).note),
      ),
    );
  });
  r.post('/api/pairings/:id/end', async (req, res) => {
    send(
      res,
      await once(deps.knex, req, 204, () =>
        endPairing(careDeps(deps), currentUser(req), param(req, 'id'), body(req).reason),
      ),
    );
  });

  return r;
}
