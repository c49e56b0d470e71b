/**
 * Student care over the JSON API: the school's care settings (school admin), the key-care list,
 * the intervention ledger (and its .xlsx/.csv export in appendix 4's column order) and pairings,
 * per college. Care staff of the college and the counselling centre only; every read and export of
 * student data is audited (use-cases.ts).
 */
import express, { type Request } from 'express';
import { DEFAULT_CARE_SETTINGS, LEDGER_COLUMNS } from '../../../domain/care';
import { BadRequestError, currentUser } from '../../platform/auth/context';
import { requestDeps, type AppDeps } from '../../platform/deps';
import { sendTable } from '../../platform/table-files';
import { once } from '../../platform/idempotency';
import { schoolZone } from '../../platform/request';
import {
  addFollowUp,
  addKeyCare,
  addLedgerEntry,
  assignPairing,
  changeCareSettings,
  endPairing,
  ledgerExport,
  listKeyCare,
  listLedger,
  listPairings,
  readCareSettings,
  recordPairingTalk,
  removeKeyCare,
  updateKeyCare,
  updateLedgerEntry,
  type CareDeps,
} from './use-cases';

export const careDeps = (deps: AppDeps): CareDeps => requestDeps(deps);

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
const param = (req: Request, k: string) => String(req.params[k]);
/** A write's response, first or stored (server/idempotency.ts): 204 without a body. */
const send = (res: express.Response, r: { status: number; body: unknown }) =>
  void (r.status === 204 ? res.status(204).end() : res.status(r.status).json(r.body));

type Write = (cd: CareDeps, req: Request) => Promise<unknown>;

export function createCareRouter(deps: AppDeps): express.Router {
  const r = express.Router();
  /** An idempotent write (server/idempotency.ts) answered with `status`. */
  const write = (status: number, call: Write) => async (req: Request, res: express.Response) => {
    send(res, await once(deps.knex, req, status, () => call(careDeps(deps), req)));
  };
  const user = currentUser;

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
  r.post(
    '/api/colleges/:collegeId/key-care',
    write(201, (cd, req) => addKeyCare(cd, user(req), param(req, 'collegeId'), body(req))),
  );
  r.patch(
    '/api/key-care/:id',
    write(204, (cd, req) => updateKeyCare(cd, user(req), param(req, 'id'), body(req))),
  );
  r.post(
    '/api/key-care/:id/remove',
    write(204, (cd, req) => removeKeyCare(cd, user(req), param(req, 'id'), body(req).reason)),
  );

  // the intervention ledger
  r.get('/api/colleges/:collegeId/ledger', async (req, res) => {
    res.json({ entries: await listLedger(careDeps(deps), currentUser(req), param(req, 'collegeId')) });
  });
  r.post(
    '/api/colleges/:collegeId/ledger',
    write(201, (cd, req) => addLedgerEntry(cd, user(req), param(req, 'collegeId'), body(req))),
  );
  r.patch(
    '/api/ledger/:id',
    write(204, (cd, req) => updateLedgerEntry(cd, user(req), param(req, 'id'), body(req))),
  );
  r.post(
    '/api/ledger/:id/follow-ups',
    write(201, (cd, req) => addFollowUp(cd, user(req), param(req, 'id'), body(req))),
  );
  const exportLedger = (format: 'csv' | 'xlsx') => async (req: Request, res: express.Response) => {
    const asked = typeof req.query.college === 'string' && req.query.college ? req.query.college : undefined;
    const { collegeId, title, rows } = await ledgerExport(careDeps(deps), user(req), asked, await schoolZone(deps));
    await sendTable(res, format, {
      sheet: '心理干预台账',
      file: title,
      fileAscii: `ledger-${collegeId}`,
      columns: LEDGER_COLUMNS.map((c) => ({ header: c.zh, width: c.width })),
      rows,
    });
  };
  r.get('/exports/ledger.xlsx', exportLedger('xlsx'));
  r.get('/exports/ledger.csv', exportLedger('csv'));

  // pairings
  r.get('/api/colleges/:collegeId/pairings', async (req, res) => {
    res.json({ pairings: await listPairings(careDeps(deps), currentUser(req), param(req, 'collegeId')) });
  });
  r.post(
    '/api/colleges/:collegeId/pairings',
    write(201, (cd, req) => assignPairing(cd, user(req), param(req, 'collegeId'), body(req))),
  );
  r.post(
    '/api/pairings/:id/talks',
    write(200, (cd, req) => recordPairingTalk(cd, user(req), param(req, 'id'), body(req).note)),
  );
  r.post(
    '/api/pairings/:id/end',
    write(204, (cd, req) => endPairing(cd, user(req), param(req, 'id'), body(req).reason)),
  );

  return r;
}
